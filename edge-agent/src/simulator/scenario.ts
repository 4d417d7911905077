import type { RatingScale } from '@onestop/protocol';
import { between, createRng, pick, weighted } from './rng.js';

/** One scripted thing that happens at a counter; the driver turns each into device input. */
export type ScenarioStep =
  | { kind: 'wait'; ms: number }
  /**
   * A badge is a toggle at the reader; `intent` says what the script means by it, so that a
   * driver can skip a scan that would do the opposite (the officer is already signed in after a
   * restart, or was signed out automatically).
   */
  | { kind: 'badge'; officerId: string; intent: 'sign-in' | 'sign-out' }
  | { kind: 'ticket'; ticket: string }
  | { kind: 'dossier'; dossierId: string }
  | { kind: 'garbage-scan'; text: string }
  | { kind: 'end-visit' }
  | { kind: 'press'; level: number }
  | { kind: 'reasons'; codes: string[] };

export interface ScenarioOptions {
  seed: number;
  /** Time compression: 60 turns a 4-minute visit into 4 seconds. */
  speed: number;
  officers: readonly string[];
  scale: RatingScale;
  ticketPrefix: string;
  /** Real milliseconds; waiting out a prompt cannot be compressed below the agent's timeout. */
  ratingTimeoutMs: number;
  touch: boolean;
  day: Date;
  /** Real time between citizens at least this long, so that high speeds do not look like button mashing. */
  minGapMs?: number;
}

/** How citizens at Vietnamese one-stop counters tend to rate: mostly satisfied, some not. */
const LEVEL_WEIGHTS: Record<RatingScale, ReadonlyArray<readonly [number, number]>> = {
  keypad3: [
    [3, 0.6],
    [2, 0.32],
    [1, 0.08],
  ],
  keypad4: [
    [4, 0.55],
    [3, 0.28],
    [2, 0.1],
    [1, 0.07],
  ],
  keypad5: [
    [5, 0.5],
    [4, 0.28],
    [3, 0.12],
    [2, 0.06],
    [1, 0.04],
  ],
  stars5: [
    [5, 0.5],
    [4, 0.28],
    [3, 0.12],
    [2, 0.06],
    [1, 0.04],
  ],
};

/**
 * Whether a scripted badge scan should happen. The agent keeps its signed-in officer across a
 * restart of `onestop serve`, and the script starts every run with a sign-in: scanning that badge
 * again would toggle the officer OUT. Likewise a sign-out is skipped if the session already ended.
 */
export function badgeNeeded(
  step: { officerId: string; intent: 'sign-in' | 'sign-out' },
  signedIn: string | null,
): boolean {
  return step.intent === 'sign-in' ? signedIn !== step.officerId : signedIn === step.officerId;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/**
 * An endless, seeded working day: an officer badges in, citizens take tickets, hand in dossiers,
 * leave, and (usually) press a key; officers sometimes take a break and hand over the counter.
 */
export function* scenario(o: ScenarioOptions): Generator<ScenarioStep> {
  const rng = createRng(o.seed);
  const t = (seconds: number) => Math.max(50, Math.round((seconds * 1000) / o.speed));
  const yymmdd = `${pad(o.day.getFullYear() % 100, 2)}${pad(o.day.getMonth() + 1, 2)}${pad(o.day.getDate(), 2)}`;
  let officer = pick(rng, o.officers);
  let ticketNo = 1 + Math.floor(rng() * 20);
  let dossierNo = 1 + Math.floor(rng() * 500);
  yield { kind: 'badge', officerId: officer, intent: 'sign-in' };
  for (;;) {
    yield { kind: 'wait', ms: Math.max(o.minGapMs ?? 1_600, t(between(rng, 20, 120))) };
    yield { kind: 'ticket', ticket: `${o.ticketPrefix}${pad(ticketNo++ % 1000, 3)}` };
    yield { kind: 'wait', ms: t(between(rng, 30, 90)) };
    if (rng() < 0.03)
      yield { kind: 'garbage-scan', text: pick(rng, ['HTTP://ZALO.ME/X', '8938505974192', 'SO-TAY']) };
    const dossiers = rng() < 0.15 ? 2 : rng() < 0.9 ? 1 : 0;
    for (let i = 0; i < dossiers; i++) {
      yield { kind: 'dossier', dossierId: `000.00.12.H26-${yymmdd}-${pad(dossierNo++ % 10_000, 4)}` };
      yield { kind: 'wait', ms: t(between(rng, 60, 240)) };
    }
    yield { kind: 'end-visit' };
    if (rng() < 0.12) {
      yield { kind: 'wait', ms: o.ratingTimeoutMs + 300 }; // walked away without pressing
    } else {
      yield { kind: 'wait', ms: Math.max(300, t(between(rng, 1, 6))) };
      const level = weighted(rng, LEVEL_WEIGHTS[o.scale]);
      yield { kind: 'press', level };
      if (rng() < 0.06) yield { kind: 'press', level }; // double press, collapsed by the agent
      if (o.touch && level === 1 && rng() < 0.7) {
        yield { kind: 'wait', ms: 1_500 };
        yield { kind: 'reasons', codes: [pick(rng, ['slow', 'attitude', 'unclear', 'extra_visits'])] };
      }
    }
    if (o.officers.length > 0 && rng() < 0.05) {
      yield { kind: 'badge', officerId: officer, intent: 'sign-out' }; // break
      yield { kind: 'wait', ms: t(between(rng, 120, 600)) };
      officer = pick(rng, o.officers);
      yield { kind: 'badge', officerId: officer, intent: 'sign-in' };
    }
  }
}
