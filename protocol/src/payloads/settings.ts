import { z } from 'zod';
import { RatingScale } from '../rating-scale.js';
import { ReasonCode } from './events.js';

/**
 * The reasons the touch screen offers after a negative rating unless a counter is configured
 * otherwise, with their words: the kiosk shows them, the dashboard names stored codes with them
 * (`reasonLabel`), so a citizen's choice reads the same on both sides.
 */
export const DEFAULT_REASONS = [
  { code: 'slow', vi: 'Chờ lâu', en: 'Long wait' },
  { code: 'attitude', vi: 'Thái độ chưa tốt', en: 'Poor attitude' },
  { code: 'unclear', vi: 'Hướng dẫn chưa rõ', en: 'Unclear guidance' },
  { code: 'extra_visits', vi: 'Phải đi lại nhiều lần', en: 'Had to come back' },
] as const satisfies readonly { code: string; vi: string; en: string }[];

/** A stored reason code in words; a code nobody described (a counter's own list) stays the code. */
export function reasonLabel(code: string, lang: 'vi' | 'en'): string {
  return DEFAULT_REASONS.find((r) => r.code === code)?.[lang] ?? code;
}

/** The longest undo window a counter may be given: a held rating never waits longer to leave. */
export const UNDO_WINDOW_MAX_MS = 15_000;

/**
 * The part of a counter's configuration that the centre may change remotely (retained `config`
 * topic) and the agent applies without a restart. Hardware wiring stays in the device's file.
 */
export const CounterSettings = z.strictObject({
  scale: RatingScale.default('keypad4'),
  /** How long the rating prompt stays open after a visit ends. */
  ratingTimeoutMs: z.int().min(3_000).max(300_000).default(20_000),
  /** Presses closer together than this are collapsed (double presses, children, misuse). */
  minPressIntervalMs: z.int().min(0).max(60_000).default(1_500),
  /**
   * After a rating the thanks screen lets the citizen change a slip for this long; the rating is
   * on disk at once but leaves the device only when the window ends. 0: no undo. The bound keeps
   * the centre's view of a rating close to real time (edge-agent outbox caps any hold to it).
   */
  undoWindowMs: z.int().min(0).max(UNDO_WINDOW_MAX_MS).default(5_000),
  /** A visit with no activity this long is ended on its own. */
  visitIdleTimeoutMs: z
    .int()
    .min(60_000)
    .max(4 * 3_600_000)
    .default(30 * 60_000),
  /** Reasons offered on the touch screen after a negative rating. */
  reasons: z
    .array(z.strictObject({ code: ReasonCode, vi: z.string().min(1).max(80), en: z.string().min(1).max(80) }))
    .max(8)
    .default(() => DEFAULT_REASONS.map((r) => ({ ...r }))),
  /**
   * Where the comment QR code points (ward leaders' feedback form). Web addresses only: a
   * `javascript:`, `data:` or `file:` URL in a QR code a citizen scans is an attack, not a form.
   * The pattern repeats the scheme rule for readers of the JSON Schema (it has no `protocol`).
   */
  commentUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// address' })
    .regex(/^https?:\/\//i, 'must be an http:// or https:// address')
    .nullable()
    .default(null),
  /** Officer display names for the kiosk, keyed by officerId (badge IDs map here too). */
  officers: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
      z.strictObject({ name: z.string().min(1).max(80), badge: z.string().max(64).nullable().default(null) }),
    )
    .default({}),
  telemetryIntervalMs: z.int().min(5_000).max(3_600_000).default(30_000),
});
export type CounterSettings = z.infer<typeof CounterSettings>;
export type CounterSettingsInput = z.input<typeof CounterSettings>;

const DEFAULT_SETTINGS_JSON: Record<string, string> = Object.fromEntries(
  Object.entries(CounterSettings.parse({})).map(([k, v]) => [k, JSON.stringify(v)]),
);

/**
 * Settings as the centre sends them on `config`: only what differs from the defaults. A board
 * parses them with the same defaults, so it applies exactly the same settings. What this buys:
 * CounterSettings is strict (a misspelt field must not be silently dropped), so a board whose
 * agent predates a setting would refuse a whole config that merely carries that setting's
 * default; sent sparse, it keeps taking configs until someone actually changes that setting for
 * its counter, and then refuses it visibly (its applied version stays behind) rather than run a
 * setting it cannot honour. Values come from the schema, so JSON text compares them exactly.
 */
export function settingsOnWire(settings: CounterSettings): Partial<CounterSettings> {
  return Object.fromEntries(
    Object.entries(settings).filter(([k, v]) => DEFAULT_SETTINGS_JSON[k] !== JSON.stringify(v)),
  ) as Partial<CounterSettings>;
}
