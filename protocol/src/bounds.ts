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

/** Any other number in a free-form map (command args and results): finite and exact. */
export const SafeNumber = z.number().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);

/** A visit is ended after at most 4 h idle (settings); 1,000,000 frames is over 4 h at 60 fps. */
export const MAX_VISIT_FRAMES = 1_000_000;
