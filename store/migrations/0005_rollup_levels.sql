ALTER TABLE "hourly_rollups" ADD COLUMN "levels" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- Backfill the distribution of roll-ups written before this column existed (one pass over ratings).
UPDATE "hourly_rollups" h SET "levels" = agg."levels"
FROM (
  SELECT "unit_id", "counter_id", "officer_id", "hour", jsonb_object_agg("k", "n") AS "levels"
  FROM (
    SELECT "unit_id", "counter_id", coalesce("officer_id", '') AS "officer_id",
      to_timestamp(floor(extract(epoch FROM "device_ts") / 3600) * 3600) AS "hour",
      "scale" || ':' || "level" AS "k", count(*)::int AS "n"
    FROM "ratings"
    GROUP BY 1, 2, 3, 4, 5
  ) per_level
  GROUP BY 1, 2, 3, 4
) agg
WHERE h."unit_id" = agg."unit_id" AND h."counter_id" = agg."counter_id"
  AND h."officer_id" = agg."officer_id" AND h."hour" = agg."hour";
