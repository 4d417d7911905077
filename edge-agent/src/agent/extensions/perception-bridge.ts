import type {
  CameraStats,
  CounterPerception,
  ExpressionBody,
  PresenceChange,
} from '../../perception/index.js';
import type { RecordedEvent } from '../bus.js';
import type { AgentContext, Extension } from '../context.js';
import type { CounterDriver } from './counter-driver.js';

interface VisitSpan {
  id: string;
  startedAt: number;
  endedAt: number | null;
}

/**
 * Recent visits, so that a face track (which the camera closes on its own clock) can be matched to
 * the visit it overlapped most. Outlives agent restarts; bounded to the last 50 visits.
 */
export class VisitHistory {
  private readonly spans: VisitSpan[] = [];

  record(e: { phase: 'start' | 'end'; visitId: string; startedAt: number; endedAt?: number }): void {
    let s = this.spans.find((x) => x.id === e.visitId);
    if (!s) {
      s = { id: e.visitId, startedAt: e.startedAt, endedAt: null };
      this.spans.push(s);
      if (this.spans.length > 50) this.spans.shift();
    }
    if (e.phase === 'end' && e.endedAt !== undefined) s.endedAt = e.endedAt;
  }

  resolve = (startedAt: number, endedAt: number): string | null => {
    let best: string | null = null;
    let bestOverlap = 0;
    for (const s of this.spans) {
      const overlap = Math.min(endedAt, s.endedAt ?? endedAt) - Math.max(startedAt, s.startedAt);
      if (overlap > bestOverlap) {
        best = s.id;
        bestOverlap = overlap;
      }
    }
    return best;
  };
}

/** What the bridge needs from the perception pipeline; CounterPerception satisfies it (checked below). */
export interface PerceptionLike {
  on(event: 'expression', fn: (b: ExpressionBody) => void): unknown;
  on(event: 'presence', fn: (c: PresenceChange) => void): unknown;
  off(event: 'expression', fn: (b: ExpressionBody) => void): unknown;
  off(event: 'presence', fn: (c: PresenceChange) => void): unknown;
  stats(): CameraStats;
  start(): Promise<void>;
  stop(): Promise<void>;
}
export const asPerceptionLike = (p: CounterPerception): PerceptionLike => p;

/**
 * Camera numbers → outbox: one `evt/expression` per citizen face track and `evt/presence` (seat)
 * changes. Only numbers cross this line; frames stay inside the perception module.
 */
export class PerceptionBridge implements Extension {
  readonly name = 'perception';
  private offs: Array<() => void> = [];

  constructor(
    private readonly ctx: AgentContext,
    private readonly counter: CounterDriver,
    private readonly perception: PerceptionLike,
    private readonly visits: VisitHistory,
  ) {}

  start(): void {
    const { ctx, perception } = this;
    const onExpression = (body: ExpressionBody) => {
      const officer = this.counter.current().state.officer;
      // Fairness: the expression counts for the officer only if they were signed in for all of it.
      const officerId = officer && officer.since <= body.startedAt ? officer.id : null;
      this.append({ channel: 'evt/expression', body: { ...body, officerId } });
    };
    const onPresence = (change: PresenceChange) => {
      const officerId = this.counter.current().state.officer?.id ?? null;
      this.append({
        channel: 'evt/presence',
        body: { kind: 'seat', state: change.present ? 'occupied' : 'empty', officerId, source: 'camera' },
      });
    };
    perception.on('expression', onExpression);
    perception.on('presence', onPresence);
    this.offs = [
      () => perception.off('expression', onExpression),
      () => perception.off('presence', onPresence),
      ctx.bus.on('event.recorded', ({ event }) => {
        if (event.channel === 'evt/visit') this.visits.record(event.body);
      }),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
  }

  private append(event: Extract<RecordedEvent, { channel: 'evt/expression' | 'evt/presence' }>): void {
    try {
      const entry =
        event.channel === 'evt/expression'
          ? this.ctx.outbox.append(event.channel, event.body)
          : this.ctx.outbox.append(event.channel, event.body);
      this.ctx.bus.emit('event.recorded', { entry, event });
    } catch (e) {
      this.ctx.logger.warn(
        { channel: event.channel, err: (e as Error).message },
        'camera event not recorded',
      );
    }
  }
}
