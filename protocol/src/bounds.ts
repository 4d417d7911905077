import { z } from 'zod';

/**
 * Numbers from a device end up in database columns (store/src/schema.ts): a value the schema lets
 * through but the column cannot hold would be found only by a failing SQL statement, after the
 * broker had already accepted it. Every numeric field is therefore bounded here, by its column
 * or, tighter, by what is real for a counter device.
 */

/** PostgreSQL `integer` (int4), e.g. `ratings.response_ms`, `devices.applied_config_version`. */
export const PG_INTEGER_MAX = 2_147_483_647;

/** seq/mono (`events.seq` is `bigint`): JavaScript integers are exact only up to 2^53 − 1. */
export const SafeCount = z.int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A count or version that lands in (or is compared with) an `integer` column. */
export const Count = z.int().min(0).max(PG_INTEGER_MAX);

/**
 * The smallest magnitude a non-zero measured number may have: the smallest normal float4 (2^-126,
 * about 1.2e-38). JavaScript parses far smaller numbers (5e-324), but a `real` column refuses them
 * as out of range instead of storing 0, and one such number made the database refuse the whole
 * batch it came in (the broker's device-state write, the ingest's events), honest devices' with it.
 * Above it, a float8 square (the expression index's uncertainty) cannot underflow either. No
 * device measures anything this small: the agent rounds its estimates to 4 decimals.
 */
export const MIN_MEASURED_MAGNITUDE = 2 ** -126;

/**
 * A measured (non-integer) number in [min, max] that every column can hold: 0, or at least
 * MIN_MEASURED_MAGNITUDE in magnitude. The bound is in the JSON Schema too (`not` the tiny
 * non-zero band), so the compiled validator refuses what zod refuses, and integrators see it.
 */
export function measured(min: number, max: number) {
  return z
    .number()
    .min(min)
    .max(max)
    .refine((v) => v === 0 || Math.abs(v) >= MIN_MEASURED_MAGNITUDE, {
      message: `non-zero number smaller in magnitude than ${MIN_MEASURED_MAGNITUDE}: no column holds it`,
    })
    .meta({
      not: {
        type: 'number',
        exclusiveMinimum: -MIN_MEASURED_MAGNITUDE,
        exclusiveMaximum: MIN_MEASURED_MAGNITUDE,
        not: { const: 0 },
      },
    });
}

/** Any other number in a free-form map (command args and results): finite and exact. */
export const SafeNumber = measured(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);

/** A visit is ended after at most 4 h idle (settings); 1,000,000 frames is over 4 h at 60 fps. */
export const MAX_VISIT_FRAMES = 1_000_000;
