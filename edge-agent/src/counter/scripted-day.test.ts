import { describe, expect, it } from 'vitest';
import { badgeNeeded, type ScenarioStep, scenario } from '../simulator/scenario.js';
import { press, scan, T0 } from './test-helpers.js';
import { Trace, withinPresence } from './trace.js';
import type { CounterInput } from './types.js';

const HOUR = 3_600_000;

/**
 * A whole working day from the simulator's script, in real time (speed 1), with short sessions so
 * that automatic sign-outs happen in the middle of visits and prompts, as the agent would run it.
 */
function scriptedDay(seed: number, hours: number): Trace {
  const trace = new Trace(T0, { touch: true, sessionEndsAt: (since) => since + 3 * HOUR });
  const day = scenario({
    seed,
    speed: 1,
    officers: ['cb-a', 'cb-b'],
    scale: 'keypad4',
    ticketPrefix: 'A',
    ratingTimeoutMs: 20_000,
    touch: true,
    day: new Date(2025, 10, 24),
  });
  for (const s of day) {
    if (trace.now > T0 + hours * HOUR) break;
    if (s.kind === 'wait') {
      trace.advanceTo(trace.now + s.ms);
      continue;
    }
    const input = toInput(s, trace.state.officer?.id ?? null);
    if (input) trace.input(input);
    trace.advanceTo(trace.now + 400); // a person's pace between two actions
  }
  trace.finish();
  return trace;
}

function toInput(s: Exclude<ScenarioStep, { kind: 'wait' }>, officer: string | null): CounterInput | null {
  switch (s.kind) {
    case 'badge':
      return badgeNeeded(s, officer) ? { type: 'badge', id: s.officerId } : null;
    case 'ticket':
      return scan(s.ticket);
    case 'dossier':
      return scan(s.dossierId);
    case 'garbage-scan':
      return scan(s.text);
    case 'end-visit':
      return { type: 'officer', action: 'end-visit' };
    case 'press':
      return press(s.level);
    case 'reasons':
      return { type: 'reasons', codes: s.codes };
  }
}

describe('a scripted working day', () => {
  it.each([1, 2, 3])(
    'credits every rating only inside its officer’s presence intervals (seed %i)',
    (seed) => {
      const t = scriptedDay(seed, 10);
      expect(t.violations).toEqual([]);
      const credited = t.ratings.filter((r) => r.officerId !== null);
      expect(credited.length).toBeGreaterThan(50);
      expect(credited.filter((r) => !withinPresence(r, t.intervals))).toEqual([]);
      // Automatic sign-outs did happen, so some ratings fell outside any session.
      expect(t.intervals.length).toBeGreaterThan(2);
    },
  );
});
