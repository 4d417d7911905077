import { describe, expect, it } from 'vitest';
import { screenOf } from './screen.js';
import { step } from './step.js';
import {
  badge,
  ctxAt,
  DOSSIER,
  endVisit,
  press,
  run,
  scan,
  T0,
  tick,
  validateEvent,
} from './test-helpers.js';
import type { CounterInput, CounterState } from './types.js';

/** Every reachable kind of state the counter can be in. */
const served = [badge('0001'), scan('A015'), scan(DOSSIER), endVisit];
const STATES: Record<string, { state: CounterState; touch: boolean }> = {
  'idle, nobody signed in': { state: run([]).state, touch: false },
  'idle, officer signed in': { state: run([badge('0001')]).state, touch: false },
  'visit without officer': { state: run([scan('A001')]).state, touch: false },
  'visit with officer': { state: run([badge('0001'), scan('A001')]).state, touch: false },
  'rating prompt open': { state: run(served).state, touch: false },
  'waiting for reasons': { state: run([...served, press(1)], undefined, { touch: true }).state, touch: true },
  'thank-you screen': { state: run([...served, press(4)]).state, touch: false },
  'notice screen': { state: run([scan('GARBAGE!')]).state, touch: false },
};

const INPUTS: Record<string, CounterInput> = {
  'same badge': badge('0001'),
  'other badge': badge('0002'),
  'unknown badge': badge('7777'),
  ticket: scan('B020'),
  dossier: scan('000.00.12.H26-251124-0002'),
  garbage: scan('<script>'),
  'press 4': press(4),
  'press 1': press(1),
  'touch 3': press(3, 'touch'),
  'press off-scale': { type: 'press', level: 7, scale: 'keypad4', source: 'keypad' },
  reasons: { type: 'reasons', codes: ['slow'] },
  'face seen': { type: 'face', present: true },
  'face left': { type: 'face', present: false },
  'officer start-visit': { type: 'officer', action: 'start-visit' },
  'officer end-visit': endVisit,
  'officer sign-out': { type: 'officer', action: 'sign-out' },
  'record failed': { type: 'record-failed', reason: 'disk full' },
  shutdown: { type: 'shutdown' },
  tick,
  'tick after every deadline': tick,
};

const cases = Object.entries(STATES).flatMap(([s, st]) =>
  Object.entries(INPUTS).map(([i, input]) => [s, i, st, input] as const),
);

describe('every state × every input', () => {
  it.each(cases)('%s + %s keeps the invariants', (_s, inputName, { state, touch }, input) => {
    const now = inputName === 'tick after every deadline' ? T0 + 10 * 3_600_000 : T0 + 60_000;
    // Sessions last 8 h here, so the late tick also exercises the automatic sign-out.
    const r = step(state, input, ctxAt(now, { touch, sessionEndsAt: (since) => since + 8 * 3_600_000 }));

    // 1. Everything emitted is valid on the wire.
    for (const fx of r.effects) if (fx.type === 'emit') expect(validateEvent(fx.event)).toBe('ok');

    // 2. A rating is only produced out of an open prompt (or pending reasons), at most one per step.
    const ratings = r.effects.filter((fx) => fx.type === 'emit' && fx.event.channel === 'evt/rating');
    expect(ratings.length).toBeLessThanOrEqual(1);
    if (ratings.length === 1) expect(state.prompt ?? state.reasons).not.toBeNull();

    // 3. A rating names an officer only if that officer was signed in when the citizen pressed.
    for (const fx of ratings) {
      if (fx.type !== 'emit') continue;
      const officerId = (fx.event.body as { officerId: string | null }).officerId;
      const atPress =
        input.type === 'press' ? state.officer?.id : (state.reasons?.officerId ?? state.officer?.id);
      if (officerId !== null) expect(atPress).toBe(officerId);
    }

    // 4. Every visit that ends had started, and a rated end follows its rating.
    const ends = r.effects.flatMap((fx) =>
      fx.type === 'emit' && fx.event.channel === 'evt/visit' && fx.event.body.phase === 'end'
        ? [fx.event.body]
        : [],
    );
    for (const e of ends) {
      const known = [
        state.visit?.id,
        state.prompt?.visit.id,
        state.reasons?.prompt.visit.id,
        ...r.effects.flatMap((fx) =>
          fx.type === 'emit' && fx.event.channel === 'evt/visit' && fx.event.body.phase === 'start'
            ? [fx.event.body.visitId]
            : [],
        ),
      ];
      expect(known).toContain(e.visitId);
      if (e.rated) expect(ratings).toHaveLength(1);
    }

    // 5. Consistent state: at most one of visit / prompt-in-progress is "live", reasons imply a prompt.
    if (r.state.reasons) expect(r.state.prompt).not.toBeNull();
    expect(r.state.ignoredPresses).toBeGreaterThanOrEqual(state.ignoredPresses);

    // 6. The last effect says when to wake up, and it is in the future (or never).
    const last = r.effects.at(-1);
    expect(last?.type).toBe('schedule');
    if (last?.type === 'schedule' && last.at !== null) expect(last.at).toBeGreaterThan(now);

    // 7. Refusals always carry a reason; a screen is always derivable.
    for (const fx of r.effects) if (fx.type === 'rejected') expect(fx.reason.length).toBeGreaterThan(5);
    expect(screenOf(r.state, now).kind).toMatch(/^(idle|visit|rating|reasons|thanks|notice)$/);
  });
});
