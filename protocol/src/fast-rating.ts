import { SLUG_PATTERN } from './ids.js';
import type { RatingEvent } from './payloads/events.js';
import { isValidLevel, RatingScale } from './rating-scale.js';

/*
 * The protocol's rating schema (protocol/src/payloads/events.ts, ids.ts) as straight-line checks.
 * zod's generic walk of every rating was ~5 % of the all-in-one's CPU at full load. This check
 * only ever ACCEPTS: whatever it does not recognise as valid goes on to zod, which stays the
 * authority and names the reason of a refusal. fast-rating.test.ts checks that nothing it accepts
 * is refused by zod, over mutations of every field.
 */
const UUID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/;
const UUID_V7 = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12})$/;
const OFFICER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DOSSIER = /^[A-Za-z0-9][A-Za-z0-9._/:-]{0,79}$/;
const TICKET = /^[A-Za-z0-9-]{1,16}$/;
const REASON = /^[a-z][a-z0-9_]{0,31}$/;
const EPOCH_MIN = 1_577_836_800_000;
const EPOCH_MAX = 4_102_444_800_000;
const SCALES: ReadonlySet<unknown> = new Set(RatingScale.options);
const KEYS: ReadonlySet<string> = new Set([
  'v',
  'eventId',
  'deviceId',
  'bootId',
  'seq',
  'ts',
  'mono',
  'visitId',
  'officerId',
  'dossierIds',
  'ticket',
  'scale',
  'level',
  'source',
  'reasons',
  'responseMs',
]);

const str = (x: unknown, re: RegExp): boolean => typeof x === 'string' && re.test(x);
const nullOr = (x: unknown, re: RegExp): boolean => x === null || str(x, re);
const uint = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
const strings = (x: unknown, max: number, re: RegExp): boolean =>
  Array.isArray(x) && x.length <= max && x.every((s) => str(s, re));

function isRating(o: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in o) {
    if (!KEYS.has(k)) return false;
    n++;
  }
  return (
    n === KEYS.size &&
    o.v === 1 &&
    str(o.eventId, UUID_V7) &&
    str(o.deviceId, SLUG_PATTERN) &&
    str(o.bootId, UUID) &&
    uint(o.seq) &&
    Number.isSafeInteger(o.ts) &&
    (o.ts as number) >= EPOCH_MIN &&
    (o.ts as number) <= EPOCH_MAX &&
    uint(o.mono) &&
    nullOr(o.visitId, UUID) &&
    nullOr(o.officerId, OFFICER) &&
    strings(o.dossierIds, 20, DOSSIER) &&
    nullOr(o.ticket, TICKET) &&
    SCALES.has(o.scale) &&
    Number.isSafeInteger(o.level) &&
    isValidLevel(o.scale as RatingScale, o.level as number) &&
    (o.source === 'keypad' || o.source === 'touch') &&
    strings(o.reasons, 8, REASON) &&
    (o.responseMs === null || uint(o.responseMs))
  );
}

/** The parsed rating when it is certainly valid; null means "ask zod" (it may still be valid). */
export function fastRating(data: unknown): RatingEvent | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  if (Object.getPrototypeOf(data) !== Object.prototype) return null;
  return isRating(data as Record<string, unknown>) ? (data as RatingEvent) : null;
}

/** JSON bytes → a certainly valid rating, or null ("ask zod"). Callers check the size first. */
export function decodeRatingFast(raw: Buffer): RatingEvent | null {
  let data: unknown;
  try {
    data = JSON.parse(raw.toString('utf8'));
  } catch {
    return null;
  }
  return fastRating(data);
}
