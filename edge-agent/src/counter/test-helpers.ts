import { CounterSettings, type EventChannel, validatePayload } from '@onestop/protocol';
import { step } from './step.js';
import type { CounterContext, CounterEffect, CounterEvent, CounterInput, CounterState } from './types.js';
import { initialCounterState } from './types.js';

export const T0 = 1_764_000_000_000;
export const settings = CounterSettings.parse({
  officers: {
    'cb-a': { name: 'Nguyễn Văn A', badge: '0001' },
    'cb-b': { name: 'Trần Thị B', badge: '0002' },
  },
});
export const patterns = {
  dossierId: /^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4}$/,
  ticket: /^[A-Z]{0,2}[0-9]{1,4}$/,
};
export const DOSSIER = '000.00.12.H26-251124-0001';

let ids = 0;
export function ctxAt(now: number, over: Partial<CounterContext> = {}): CounterContext {
  return {
    now,
    settings,
    patterns,
    newId: () => `0193a0c2-5f00-7000-8000-${String(++ids).padStart(12, '0')}`,
    touch: false,
    sessionEndsAt: () => null,
    ...over,
  };
}

/** Drives the machine through inputs, one second apart unless `at` is given; collects effects. */
export function run(
  inputs: Array<CounterInput | [number, CounterInput]>,
  start = initialCounterState(),
  over: Partial<CounterContext> = {},
) {
  let state: CounterState = start;
  let now = T0;
  const effects: CounterEffect[] = [];
  for (const i of inputs) {
    const [at, input] = Array.isArray(i) ? i : [now + 1_000, i];
    now = at;
    const r = step(state, input, ctxAt(now, over));
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects, now, events: emitted(effects) };
}

export function emitted(effects: CounterEffect[]): CounterEvent[] {
  return effects.flatMap((e) => (e.type === 'emit' ? [e.event] : []));
}

/** Envelopes an event the way the outbox does and validates it against the wire contract. */
export function validateEvent(e: CounterEvent): string {
  const env = {
    v: 1,
    eventId: '0193a0c2-6000-7000-8000-000000000001',
    deviceId: 'd',
    bootId: '0193a0c2-6000-7000-8000-000000000002',
    seq: 0,
    ts: T0,
    mono: 0,
  };
  const r = validatePayload(e.channel as EventChannel, { ...e.body, ...env });
  return r.ok ? 'ok' : r.reason;
}

export const badge = (id: string): CounterInput => ({ type: 'badge', id });
export const scan = (text: string): CounterInput => ({ type: 'scan', text });
export const press = (level: number, source: 'keypad' | 'touch' = 'keypad'): CounterInput => ({
  type: 'press',
  level,
  scale: 'keypad4',
  source,
});
export const endVisit: CounterInput = { type: 'officer', action: 'end-visit' };
export const tick: CounterInput = { type: 'tick' };
