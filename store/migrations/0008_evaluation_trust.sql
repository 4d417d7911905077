CREATE TABLE "device_boots" (
	"device_id" text NOT NULL,
	"boot_id" uuid NOT NULL,
	"booted_at_ms" bigint NOT NULL,
	"clock_offset_ms" bigint DEFAULT 0 NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "device_boots_device_id_boot_id_pk" PRIMARY KEY("device_id","boot_id")
);
--> statement-breakpoint
DROP INDEX "ratings_unit_ts_idx";--> statement-breakpoint
DROP INDEX "ratings_officer_ts_idx";--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "time_source" text DEFAULT 'device' NOT NULL;--> statement-breakpoint
ALTER TABLE "hourly_rollups" ADD COLUMN "unverified" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "hourly_rollups" ADD COLUMN "filtered" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "ratings" ADD COLUMN "at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "ratings" ADD COLUMN "attribution" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "ratings" ADD COLUMN "attribution_reason" text;--> statement-breakpoint
ALTER TABLE "ratings" ADD COLUMN "filter_reason" text;--> statement-breakpoint
ALTER TABLE "units" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
CREATE INDEX "events_quarantined_idx" ON "events" USING btree ("device_id","received_at") WHERE "events"."at" is null;--> statement-breakpoint
CREATE INDEX "presence_device_started_idx" ON "presence_intervals" USING btree ("device_id","kind","started_at");--> statement-breakpoint
CREATE INDEX "ratings_unit_at_idx" ON "ratings" USING btree ("unit_id","at");--> statement-breakpoint
CREATE INDEX "ratings_officer_at_idx" ON "ratings" USING btree ("officer_id","at");--> statement-breakpoint
CREATE INDEX "ratings_device_at_idx" ON "ratings" USING btree ("device_id","at");--> statement-breakpoint
-- Events stored before the centre placed times keep the device's clock, as they were counted,
-- unless that clock cannot be defended by the rule store/src/time/placement.ts applies to an event
-- of a boot it never saw live: the claim is after the receipt, or before the device was
-- provisioned (2020-01-01, UNREGISTERED_PROVISIONED_AT_MS, for a device with no record), by more
-- than CLOCK_TOLERANCE_MS (2 minutes). Such rows are quarantined (at null): kept, never counted.
UPDATE "events" AS e SET
  "at" = CASE WHEN q."implausible" THEN NULL ELSE e."device_ts" END,
  "time_source" = CASE WHEN q."implausible" THEN 'quarantined' ELSE 'device' END
FROM (
  SELECT x."event_id",
    x."device_ts" > x."received_at" + interval '2 minutes'
      OR x."device_ts" < coalesce(d."created_at", timestamptz '2020-01-01 00:00:00+00') - interval '2 minutes'
      AS "implausible"
  FROM "events" x LEFT JOIN "devices" d ON d."id" = x."device_id"
) AS q
WHERE q."event_id" = e."event_id";--> statement-breakpoint
UPDATE "ratings" AS r SET "at" = r."device_ts"
WHERE r."device_ts" <= r."server_ts" + interval '2 minutes'
  AND r."device_ts" >= coalesce((SELECT d."created_at" FROM "devices" d WHERE d."id" = r."device_id"),
    timestamptz '2020-01-01 00:00:00+00') - interval '2 minutes';--> statement-breakpoint
-- The ratings just quarantined (every rating had at null before this migration) were counted in
-- the roll-ups, in the hour of their device clock, for whichever officer the device named ('' for
-- none). Judging at open (judge/pending.ts) recomputes only the hours of placed pending ratings, so
-- take them out here; the 0009 rescoring of score_sum then starts from the right counts.
WITH "gone" AS (
  SELECT "unit_id", "counter_id", coalesce("officer_id", '') AS "officer_id",
    to_timestamp(((extract(epoch from "device_ts") * 1000)::bigint / 3600000) * 3600) AS "hour",
    "scale" || ':' || "level" AS "level_key", "official", "score"
  FROM "ratings" WHERE "at" IS NULL
),
"per_level" AS (
  SELECT "unit_id", "counter_id", "officer_id", "hour", "level_key", count(*)::int AS "n"
  FROM "gone" GROUP BY 1, 2, 3, 4, 5
),
"sub" AS (
  SELECT g."unit_id", g."counter_id", g."officer_id", g."hour", count(*)::int AS "ratings",
    (count(*) FILTER (WHERE g."official" = 'very_satisfied'))::int AS "very_satisfied",
    (count(*) FILTER (WHERE g."official" = 'satisfied'))::int AS "satisfied",
    (count(*) FILTER (WHERE g."official" = 'unsatisfied'))::int AS "unsatisfied",
    sum(g."score")::int AS "score_sum",
    (SELECT jsonb_object_agg(p."level_key", p."n") FROM "per_level" p
      WHERE (p."unit_id", p."counter_id", p."officer_id", p."hour")
        = (g."unit_id", g."counter_id", g."officer_id", g."hour")) AS "levels"
  FROM "gone" g GROUP BY 1, 2, 3, 4
)
UPDATE "hourly_rollups" AS h SET
  "ratings" = greatest(h."ratings" - s."ratings", 0),
  "very_satisfied" = greatest(h."very_satisfied" - s."very_satisfied", 0),
  "satisfied" = greatest(h."satisfied" - s."satisfied", 0),
  "unsatisfied" = greatest(h."unsatisfied" - s."unsatisfied", 0),
  "score_sum" = greatest(h."score_sum" - s."score_sum", 0),
  "levels" = coalesce((
    SELECT jsonb_object_agg(k."key", k."left")
    FROM (
      SELECT l."key", (l."value")::int - coalesce((s."levels" ->> l."key")::int, 0) AS "left"
      FROM jsonb_each_text(h."levels") AS l
    ) AS k WHERE k."left" > 0
  ), '{}'::jsonb)
FROM "sub" AS s
WHERE (h."unit_id", h."counter_id", h."officer_id", h."hour")
  = (s."unit_id", s."counter_id", s."officer_id", s."hour");
