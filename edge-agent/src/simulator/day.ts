import { DAY_MS, HOUR_MS, type RatingScale } from '@onestop/protocol';
import { between, createRng, pick } from './rng.js';
import type { ScenarioStep } from './scenario.js';

/** A one-stop centre's sessions in Vietnam time, as ms since local midnight (7:30–11:30, 13:30–17:00). */
export const OPENING_SESSIONS: ReadonlyArray<readonly [number, number]> = [
  [7.5 * HOUR_MS, 11.5 * HOUR_MS],
  [13.5 * HOUR_MS, 17 * HOUR_MS],
];

export interface DayOptions {
  seed: number;
  /** Time compression: real ms × speed = simulated ms. */
  speed: number;
  /**
   * The simulated time now, ms since midnight in Vietnam of the first day (the driver's compressed
   * clock); past 24 h it is the next day, so a soak runs day after day.
   */
  simNow: () => number;
  /** Where the simulation ends (on the `simNow` clock); the script signs out and returns. */
  endOfDay: number;
  /** The morning officer and the afternoon officer (the same person at small counters). */
  officers: readonly [string, string];
  scale: RatingScale;
  ticketPrefix: string;
  /** Real ms: an unanswered prompt cannot be compressed below the agent's timeout. */
  ratingTimeoutMs: number;
  /** A kiosk screen, on which a negative rating asks for reasons. */
  touch: boolean;
  /** Share of citizens pressing the lowest level (the brief: 1–3 %). */
  negativeShare: number;
  day: Date;
}

const gauss = (x: number, mu: number, sigma: number) => Math.exp(-(((x - mu) / sigma) ** 2) / 2);

/**
 * Citizens per simulated hour at a counter at time of day `ms`: queues peak mid-morning (9:00)
 * and mid-afternoon (14:30) and are thin at opening and before closing.
 */
export function arrivalsPerHour(ms: number): number {
  const h = (ms % DAY_MS) / HOUR_MS;
  return 3 + 7 * gauss(h, 9, 0.9) + 5 * gauss(h, 14.5, 0.8);
}

/** The session open at `ms` (on the day of `ms`), or null during lunch and outside hours. */
export function sessionAt(ms: number): readonly [number, number] | null {
  const day = ms - (ms % DAY_MS);
  const s = OPENING_SESSIONS.find(([a, b]) => ms - day >= a && ms - day < b);
  return s ? [day + s[0], day + s[1]] : null;
}

/** When the next session opens after `ms` (tomorrow morning after 17:00). */
function nextOpening(ms: number): number {
  const day = ms - (ms % DAY_MS);
  const today = OPENING_SESSIONS.find(([a]) => day + a > ms);
  return today ? day + today[0] : day + DAY_MS + OPENING_SESSIONS[0]![0];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
const POSITIVE: Record<RatingScale, number[]> = {
  keypad3: [3, 3, 2],
  keypad4: [4, 4, 3, 2],
  keypad5: [5, 5, 4, 4, 3, 2],
  stars5: [5, 5, 4, 4, 3, 2],
};

/**
 * One counter's working day on a compressed clock: the morning officer badges in at opening (a
 * few minutes late or early), citizens arrive at the rate of the hour, hand in dossiers and rate;
 * the officer badges out at 11:30, the afternoon officer in at 13:30 and out at 17:00. Unlike
 * `scenario`, it reads the clock at every step, so that every counter of a fleet keeps to the
 * same hours however long its own steps took.
 */
export function* workingDay(o: DayOptions): Generator<ScenarioStep> {
  const rng = createRng(o.seed);
  const real = (simMs: number) => Math.max(50, Math.round(simMs / o.speed));
  const yymmdd = `${pad(o.day.getFullYear() % 100, 2)}${pad(o.day.getMonth() + 1, 2)}${pad(o.day.getDate(), 2)}`;
  let ticketNo = 1 + Math.floor(rng() * 20);
  let dossierNo = 1 + Math.floor(rng() * 500);
  let signedIn: string | null = null;
  for (;;) {
    const now = o.simNow();
    if (now >= o.endOfDay) break;
    const session = sessionAt(now);
    if (!session) {
      if (signedIn) {
        yield { kind: 'badge', officerId: signedIn, intent: 'sign-out' };
        signedIn = null;
      }
      const next = nextOpening(now);
      yield { kind: 'wait', ms: real(Math.min(next, o.endOfDay) - now + between(rng, 0, 6) * 60_000) };
      continue;
    }
    const [, closes] = session;
    if (!signedIn) {
      signedIn = session[0] % DAY_MS < 12 * HOUR_MS ? o.officers[0] : o.officers[1];
      yield { kind: 'badge', officerId: signedIn, intent: 'sign-in' };
    }
    // Exponential gaps between citizens at the rate of the hour.
    const gap = (-Math.log(1 - rng()) / arrivalsPerHour(now)) * HOUR_MS;
    if (now + gap >= closes - 5 * 60_000) {
      yield { kind: 'wait', ms: real(closes - now) };
      continue;
    }
    yield { kind: 'wait', ms: real(gap) };
    yield { kind: 'ticket', ticket: `${o.ticketPrefix}${pad(ticketNo++ % 1000, 3)}` };
    yield { kind: 'wait', ms: real(between(rng, 30, 90) * 1000) };
    const dossiers = rng() < 0.15 ? 2 : rng() < 0.9 ? 1 : 0;
    for (let i = 0; i < dossiers; i++) {
      yield { kind: 'dossier', dossierId: `000.00.12.H26-${yymmdd}-${pad(dossierNo++ % 10_000, 4)}` };
      yield { kind: 'wait', ms: real(between(rng, 60, 300) * 1000) };
    }
    yield { kind: 'end-visit' };
    if (rng() < 0.1) {
      yield { kind: 'wait', ms: o.ratingTimeoutMs + 300 }; // walked away without pressing
      continue;
    }
    yield { kind: 'wait', ms: Math.max(300, real(between(rng, 1, 6) * 1000)) };
    if (rng() < o.negativeShare) {
      yield { kind: 'press', level: 1 };
      if (o.touch) {
        yield { kind: 'wait', ms: 1_500 };
        yield { kind: 'reasons', codes: [pick(rng, ['slow', 'attitude', 'unclear', 'extra_visits'])] };
      }
    } else yield { kind: 'press', level: pick(rng, POSITIVE[o.scale]) };
  }
  if (signedIn) yield { kind: 'badge', officerId: signedIn, intent: 'sign-out' };
}
