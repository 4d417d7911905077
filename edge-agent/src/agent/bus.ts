import type { Channel, CounterSettings, IngestState, LinkStatus } from '@onestop/protocol';
import type { CounterEvent, CounterInput, CounterState, Screen } from '../counter/types.js';
import type { InputEvent } from '../devices/inputs.js';
import type { EventBody, OutboxEntry } from '../outbox/outbox.js';

/** Anything the agent appends to the outbox: counter events and camera numbers. */
export type RecordedEvent = CounterEvent | { channel: 'evt/expression'; body: EventBody<'evt/expression'> };

/** Everything the agent's parts tell each other; tests listen here instead of poking internals. */
export interface AgentEvents {
  'input.device': InputEvent;
  'counter.input': CounterInput;
  'counter.state': { state: CounterState; screen: Screen };
  'counter.beep': { kind: 'ok' | 'error' };
  /**
   * Durably stored: from this moment the UI may say "recorded". `heldUntil`: a rating held for its
   * undo window (device clock); it, and every event after it, leaves once `outbox.released` says.
   */
  'event.recorded': { entry: OutboxEntry; event: RecordedEvent; heldUntil?: number };
  /** A held rating changed in its undo window: the same row (same eventId), a new body. */
  'event.amended': { key: string; event: RecordedEvent };
  /** Held ratings are final now and may be sent (the publisher reads on). */
  'outbox.released': { count: number };
  'event.published': { eventId: string; channel: Channel };
  'event.acked': { eventIds: string[]; removed: number };
  /** Never acknowledged by the server: set aside in the dead-letter table (kept, not deleted). */
  'event.dead-lettered': { eventIds: string[]; reason: string };
  /** A technician's `retry-dead-letters`: these events are back in the outbox, in their order. */
  'outbox.requeued': { count: number };
  'mqtt.connected': { resumed: boolean };
  'mqtt.disconnected': { reason: string };
  /** Every change of the broker link, with the reason it is not connected (refusal code included). */
  'mqtt.link': LinkStatus;
  'mqtt.message': { channel: Channel; payload: Buffer };
  /** Whether the centre's ingest is listening (`INGEST_STATE`, retained): heard on every (re)subscribe. */
  'centre.ingest': IngestState;
  /** The broker has this boot's birth: the release is connected and known (update health). */
  'birth.sent': { bootId: string };
  'config.applied': { version: number; settings: CounterSettings };
  'command.answered': { name: string; ok: boolean; error: string | null };
  /** Something from outside failed validation; `source` says which boundary. */
  rejected: { source: string; reason: string };
  'agent.restarting': { reason: string };
}

export type AgentEventName = keyof AgentEvents;

/** A listener may be async: a returned promise that rejects is handled like a throw. */
export type Listener<K extends AgentEventName> = (data: AgentEvents[K]) => unknown;

/** Told about every failing listener; the bus never hands the failure to the emitter. */
export type ListenerErrorSink = (name: AgentEventName, err: Error) => void;

/** At most one log line per event name in this window; the count keeps every failure. */
const LOG_EVERY_MS = 60_000;

/**
 * The agent's typed event bus. Unlike a bare EventEmitter, one listener's fault (a throw or a
 * rejected promise) stays with that listener: it is counted and logged, the other listeners still
 * run, and the emitter never sees it. Otherwise a faulty extension listening on `event.recorded`
 * would turn a rating already on disk into "not recorded" on the kiosk (zigbee2mqtt isolates its
 * extensions on its event bus the same way).
 */
export class AgentBus {
  private readonly listeners = new Map<AgentEventName, Set<Listener<AgentEventName>>>();
  private failures = 0;
  private readonly lastLogged = new Map<AgentEventName, number>();

  constructor(private sink: ListenerErrorSink | null = null) {}

  /** Where listener failures are reported (the agent's logger), once it exists. */
  onListenerError(sink: ListenerErrorSink): void {
    this.sink = sink;
  }

  /** Listener failures since start: a non-zero value means an extension has a bug. */
  get listenerErrors(): number {
    return this.failures;
  }

  emit<K extends AgentEventName>(name: K, data: AgentEvents[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    // A copy: a listener that unsubscribes (or subscribes) while we iterate changes nothing now.
    for (const fn of [...set] as Array<Listener<K>>) {
      try {
        const r = fn(data);
        if (r instanceof Promise) r.then(undefined, (e: unknown) => this.failed(name, e));
      } catch (e) {
        this.failed(name, e);
      }
    }
  }

  on<K extends AgentEventName>(name: K, fn: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(fn as Listener<AgentEventName>);
    return () => void set.delete(fn as Listener<AgentEventName>);
  }

  once<K extends AgentEventName>(
    name: K,
    filter: (data: AgentEvents[K]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<AgentEvents[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${name}`));
      }, timeoutMs);
      const off = this.on(name, (d) => {
        if (!filter(d)) return;
        clearTimeout(timer);
        off();
        resolve(d);
      });
    });
  }

  private failed(name: AgentEventName, e: unknown): void {
    this.failures++;
    const err = e instanceof Error ? e : new Error(String(e));
    const now = Date.now();
    const last = this.lastLogged.get(name);
    if (last !== undefined && now - last < LOG_EVERY_MS) return;
    this.lastLogged.set(name, now);
    try {
      this.sink?.(name, err);
    } catch {
      // A broken sink must not break the emitter either.
    }
  }
}
