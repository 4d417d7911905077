// Test support: drives the pure state machine like the agent does (timer wake-ups included) and
// checks, event by event, the invariants the domain demands. Used by the property tests.
import { step } from './step.js';
import { ctxAt, validateEvent } from './test-helpers.js';
import type { CounterContext, CounterEvent, CounterInput, CounterState } from './types.js';
import { initialCounterState } from './types.js';

export interface Interval {
  officerId: string;
  start: number;
  end: number | null;
}

export interface TracedRating {
  officerId: string | null;
  visitId: string | null;
  endedAt: number;
  pressedAt: number;
  recordedAt: number;
}

export class Trace {
  state: CounterState;
  now: number;
  readonly intervals: Interval[] = [];
  readonly ratings: TracedRating[] = [];
  readonly violations: string[] = [];
  private wakeAt: number | null = null;
  private signedIn: Interval | null;
  private acceptedPresses = 0;
  private readonly started = new Set<string>();
  private readonly ended = new Set<string>();
  private readonly rated = new Set<string>();

  constructor(
    start: number,
    private readonly over: Partial<CounterContext> = {},
    initial: CounterState = initialCounterState(),
  ) {
    this.now = start;
    this.state = initial;
    this.signedIn = initial.officer
      ? { officerId: initial.officer.id, start: initial.officer.since, end: null }
      : null;
    if (this.signedIn) this.intervals.push(this.signedIn);
  }

  /** Lets time pass to `t`, waking the machine whenever it asked to be woken (as the agent's timer does). */
  advanceTo(t: number): void {
    while (this.wakeAt !== null && this.wakeAt <= t)
      this.feed(Math.max(this.now, this.wakeAt), { type: 'tick' });
    this.now = Math.max(this.now, t);
  }

  input(input: CounterInput, at = this.now): void {
    this.advanceTo(at);
    this.feed(this.now, input);
  }

  /** Stops the counter and checks that nothing is left open and no accepted press went unrecorded. */
  finish(): void {
    this.feed(this.now, { type: 'shutdown' });
    const open = [...this.started].filter((v) => !this.ended.has(v));
    if (open.length > 0) this.fail(`visits never ended: ${open.join(', ')}`);
    if (this.state.visit || this.state.prompt || this.state.reasons)
      this.fail('state still open after shutdown');
    if (this.ratings.length !== this.acceptedPresses)
      this.fail(`${this.acceptedPresses} presses accepted but ${this.ratings.length} ratings recorded`);
  }

  private fail(msg: string): void {
    if (this.violations.length < 20) this.violations.push(`t=${this.now}: ${msg}`);
  }

  private feed(now: number, input: CounterInput): void {
    this.now = now;
    const r = step(this.state, input, ctxAt(now, this.over));
    this.state = r.state;
    const refusedPress = r.effects.some((fx) => fx.type === 'rejected' && fx.input === 'press');
    if (input.type === 'press' && !refusedPress) this.acceptedPresses++;
    const events = r.effects.flatMap((fx) => (fx.type === 'emit' ? [fx.event] : []));
    for (const [i, e] of events.entries()) this.check(e, events[i + 1], now);
    const last = r.effects.at(-1);
    if (last?.type !== 'schedule') this.fail('the last effect is not a schedule');
    else if (last.at !== null && last.at <= now) this.fail(`wake-up ${last.at} is not in the future`);
    this.wakeAt = last?.type === 'schedule' ? last.at : null;
  }

  private check(e: CounterEvent, next: CounterEvent | undefined, now: number): void {
    const valid = validateEvent(e);
    if (valid !== 'ok') this.fail(`invalid ${e.channel}: ${valid}`);
    if (e.channel === 'evt/presence') this.presence(e, now);
    else if (e.channel === 'evt/visit') this.visit(e);
    else this.rating(e, next, now);
  }

  private presence(e: CounterEvent & { channel: 'evt/presence' }, now: number): void {
    const b = e.body;
    if (b.kind !== 'session') return;
    if (b.state === 'signed_in') {
      if (this.signedIn) this.fail(`${b.officerId} signed in while ${this.signedIn.officerId} still was`);
      this.signedIn = { officerId: b.officerId, start: now, end: null };
      this.intervals.push(this.signedIn);
      return;
    }
    if (this.signedIn?.officerId !== b.officerId)
      this.fail(`${b.officerId} signed out but was not signed in`);
    if (this.signedIn) this.signedIn.end = now;
    this.signedIn = null;
  }

  private visit(e: CounterEvent & { channel: 'evt/visit' }): void {
    const b = e.body;
    if (b.phase === 'start') {
      if (this.started.has(b.visitId)) this.fail(`visit ${b.visitId} started twice`);
      this.started.add(b.visitId);
      return;
    }
    if (!this.started.has(b.visitId)) this.fail(`visit ${b.visitId} ended but never started`);
    if (this.ended.has(b.visitId)) this.fail(`visit ${b.visitId} ended twice`);
    this.ended.add(b.visitId);
    if (b.rated !== this.rated.has(b.visitId)) this.fail(`visit ${b.visitId} rated=${b.rated} disagrees`);
  }

  private rating(
    e: CounterEvent & { channel: 'evt/rating' },
    next: CounterEvent | undefined,
    now: number,
  ): void {
    const b = e.body;
    const end = next?.channel === 'evt/visit' && next.body.phase === 'end' ? next.body : null;
    if (!end || end.visitId !== b.visitId || !end.rated) {
      this.fail(`rating for ${b.visitId} not followed by its rated visit end`);
      return;
    }
    if (this.rated.has(end.visitId)) this.fail(`visit ${end.visitId} rated twice`);
    this.rated.add(end.visitId);
    const pressedAt = end.endedAt + (b.responseMs ?? 0);
    this.ratings.push({
      officerId: b.officerId,
      visitId: b.visitId,
      endedAt: end.endedAt,
      pressedAt,
      recordedAt: now,
    });
    if (pressedAt > now) this.fail(`rating pressed at ${pressedAt}, after it was recorded`);
    if (b.officerId === null) return;
    // Fairness: credited only if signed in when the prompt ended and still signed in now.
    const s = this.signedIn;
    if (s?.officerId !== b.officerId) this.fail(`rating credited to ${b.officerId}, who is not signed in`);
    else if (s.start > end.endedAt)
      this.fail(`rating credited to ${b.officerId}, who signed in after the visit ended`);
  }
}

/** True when the rating falls inside one of its officer's presence intervals (checked after the day). */
export function withinPresence(r: TracedRating, intervals: readonly Interval[]): boolean {
  return intervals.some(
    (i) =>
      i.officerId === r.officerId &&
      i.start <= r.endedAt &&
      i.start <= r.pressedAt &&
      (i.end === null || i.end >= r.recordedAt),
  );
}
