import { z } from 'zod';
import { SATISFIED_SHARE_TARGET } from './formulas/shares.js';

/**
 * A unit's evaluation settings: when its centre is open, the thresholds of the misuse filters
 * (see judgement.ts for what each rule does with them) and the satisfied-share target its own
 * pages colour figures against. Stored in `units.settings` as a versioned
 * document; `{}` means every default. Defaults are generous on purpose: a filter that catches a
 * real citizen's rating is worse than one that lets a doubtful press through to a leader's review.
 */
export const UNIT_SETTINGS_VERSION = 2 as const;

/** Weekdays in ISO order (Monday first), as Vietnamese offices count them: Thứ Hai … Chủ Nhật. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM` on a Vietnam wall clock; `24:00` is the end of the day. */
const Clock = z
  .string()
  .regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, 'must be HH:MM between 00:00 and 24:00');

/** Minutes after Vietnam midnight of an `HH:MM` clock reading. */
export function clockMinutes(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * One day's opening hours, `open` ≤ time < `close` in Vietnam time; `null`: closed all day.
 * Spans past midnight are not supported (no centre works through the night).
 */
const DayHours = z
  .strictObject({ open: Clock, close: Clock })
  .refine((h) => clockMinutes(h.close) > clockMinutes(h.open), { message: 'close must be after open' })
  .nullable();
export type DayHours = z.infer<typeof DayHours>;

/**
 * 06:00–22:00 every day, weekends included: centres open Saturday mornings, staff stay until
 * 20:00–21:00 at busy communes, and an officer serving late must not lose the ratings for it.
 */
const DEFAULT_DAY = { open: '06:00', close: '22:00' } as const;

const day = () => DayHours.default(DEFAULT_DAY);
const OpeningHours = z.strictObject({
  mon: day(),
  tue: day(),
  wed: day(),
  thu: day(),
  fri: day(),
  sat: day(),
  sun: day(),
});

const ALL_DAY = { open: '00:00', close: '24:00' } as const;
/** Opening hours that filter nothing: for simulated counters and tests that rate "now" at any hour. */
export const AROUND_THE_CLOCK = {
  mon: ALL_DAY,
  tue: ALL_DAY,
  wed: ALL_DAY,
  thu: ALL_DAY,
  fri: ALL_DAY,
  sat: ALL_DAY,
  sun: ALL_DAY,
} as const;

export const UnitSettings = z.strictObject({
  version: z
    .literal(UNIT_SETTINGS_VERSION, { message: `version must be ${UNIT_SETTINGS_VERSION}` })
    .default(UNIT_SETTINGS_VERSION),
  /** Presses outside these hours are filtered `outside_hours`. */
  openingHours: OpeningHours.prefault({}),
  rapidRepeat: z
    .strictObject({
      /**
       * A press this soon after an earlier press on the same device is filtered `rapid_repeat`
       * (a double press, a child, someone hammering the key). 10 s is far longer than a device's
       * own debounce and far shorter than serving the next citizen. 0 turns the rule off.
       */
      windowSeconds: z.int().min(0).max(600).default(10),
    })
    .prefault({}),
  burst: z
    .strictObject({
      /**
       * More than `maxPresses` presses with no visit on one device within `windowMinutes`: the
       * presses beyond the limit are filtered `burst_without_visit`. Ten in ten minutes is more
       * than any counter serves; a visit-less stream that dense is a stuck key or a campaign.
       */
      maxPresses: z.int().min(1).max(1000).default(10),
      /** 0 turns the rule off. */
      windowMinutes: z.int().min(0).max(240).default(10),
    })
    .prefault({}),
  targets: z
    .strictObject({
      /**
       * The satisfied share (0–1) the unit's own pages mark figures good or bad against and draw
       * as the target line. Below one half a "target" would call a majority of unsatisfied
       * citizens a success. The city compares units against the one default target.
       */
      satisfiedShare: z.number().min(0.5).max(1).default(SATISFIED_SHARE_TARGET),
    })
    .prefault({}),
});
export type UnitSettings = z.infer<typeof UnitSettings>;
export type UnitSettingsInput = z.input<typeof UnitSettings>;

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Documents stored before settings carried a version (what migration 0008 left, `{}`, or fields
 * written by hand) had exactly version 1's fields: stamping the version is the whole step.
 */
const v0ToV1 = (doc: Doc): Doc => ({ ...doc, version: 1 });

/** Version 2 added `targets`; a version-1 document takes the default target it was judged by. */
const v1ToV2 = (doc: Doc): Doc => ({ ...doc, version: 2 });

/** Step `n` turns a version-`n` document into version `n + 1`, keeping what it does not know. */
const MIGRATIONS: Record<number, (doc: Doc) => Doc> = { 0: v0ToV1, 1: v1ToV2 };

/**
 * Brings a stored settings document up to the current version one step at a time (as device
 * config files are, firmware-config/src/migrate.ts). A document without `version` is version 0.
 * A version it cannot read (from the future, not a number) is left for validation to name.
 */
export function migrateUnitSettings(input: unknown): { doc: unknown; from: number } {
  if (!isDoc(input)) return { doc: input, from: UNIT_SETTINGS_VERSION };
  let version = input.version === undefined ? 0 : input.version;
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < 0 ||
    version > UNIT_SETTINGS_VERSION
  )
    return { doc: input, from: UNIT_SETTINGS_VERSION };
  const from = version;
  let doc = input;
  while (version < UNIT_SETTINGS_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from unit settings version ${version}`);
    doc = step(doc);
    version++;
  }
  return { doc, from };
}

/** Parses `units.settings` (any stored version; `{}` = all defaults); throws a ZodError naming the field. */
export function parseUnitSettings(stored: unknown): UnitSettings {
  return UnitSettings.parse(migrateUnitSettings(stored ?? {}).doc);
}

/** Every default: what a unit with `units.settings = '{}'` is judged with. */
export const DEFAULT_UNIT_SETTINGS: UnitSettings = UnitSettings.parse({});
