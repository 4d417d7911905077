import { EventEmitter } from 'node:events';
import type { Channel, CounterSettings } from '@onestop/protocol';
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
  /** Durably stored: from this moment the UI may say "recorded". */
  'event.recorded': { entry: OutboxEntry; event: RecordedEvent };
  'event.published': { eventId: string; channel: Channel };
  'event.acked': { eventIds: string[]; removed: number };
  /** Never acknowledged by the server: set aside in the dead-letter table (kept, not deleted). */
  'event.dead-lettered': { eventIds: string[]; reason: string };
  /** A technician's `retry-dead-letters`: these events are back in the outbox, in their order. */
  'outbox.requeued': { count: number };
  'mqtt.connected': { resumed: boolean };
  'mqtt.disconnected': { reason: string };
  'mqtt.message': { channel: Channel; payload: Buffer };
  'config.applied': { version: number; settings: CounterSettings };
  'command.answered': { name: string; ok: boolean; error: string | null };
  /** Something from outside failed validation; `source` says which boundary. */
  rejected: { source: string; reason: string };
  'agent.restarting': { reason: string };
}

export type AgentEventName = keyof AgentEvents;

export class AgentBus {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(100);
  }
  emit<K extends AgentEventName>(name: K, data: AgentEvents[K]): void {
    this.ee.emit(name, data);
  }
  on<K extends AgentEventName>(name: K, fn: (data: AgentEvents[K]) => void): () => void {
    this.ee.on(name, fn);
    return () => this.ee.off(name, fn);
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
}
