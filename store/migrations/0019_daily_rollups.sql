CREATE TABLE "daily_rollups" (
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"day" date NOT NULL,
	"hours" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	"unverified" integer DEFAULT 0 NOT NULL,
	"filtered" integer DEFAULT 0 NOT NULL,
	"levels" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	"unrated_visits" integer DEFAULT 0 NOT NULL,
	"expressions" integer DEFAULT 0 NOT NULL,
	"expression_index_sum" double precision DEFAULT 0 NOT NULL,
	"expression_index_sq_sum" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "daily_rollups_unit_id_counter_id_officer_id_day_pk" PRIMARY KEY("unit_id","counter_id","officer_id","day")
);
--> statement-breakpoint
CREATE INDEX "daily_rollups_unit_day_idx" ON "daily_rollups" USING btree ("unit_id","day");--> statement-breakpoint
CREATE INDEX "daily_rollups_officer_day_idx" ON "daily_rollups" USING btree ("officer_id","day");--> statement-breakpoint
CREATE INDEX "daily_rollups_day_idx" ON "daily_rollups" USING btree ("day");--> statement-breakpoint
-- Adds a signed change of one hourly roll-up row to its Vietnam day. Levels are merged key by key
-- and keys whose total falls to 0 are dropped, as an hourly row never holds a 0 key. The time
-- zone is protocol's VIETNAM_TIME_ZONE (rollups-over.test.ts checks this text against it). `hours`
-- counts the hourly rows of the day; the day's row goes when its last hour goes.
CREATE FUNCTION "daily_rollups_add"(h "hourly_rollups", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "daily_rollups" AS d ("unit_id", "counter_id", "officer_id", "day", "hours", "ratings", "very_satisfied",
    "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "levels", "visits", "unrated_visits",
    "expressions", "expression_index_sum", "expression_index_sq_sum")
  VALUES (h.unit_id, h.counter_id, h.officer_id, (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign,
    sign * h.ratings, sign * h.very_satisfied, sign * h.satisfied, sign * h.unsatisfied, sign * h.score_sum,
    sign * h.unverified, sign * h.filtered,
    coalesce((SELECT jsonb_object_agg(k, sign * v::int) FROM jsonb_each_text(h.levels) AS l(k, v)), '{}'::jsonb),
    sign * h.visits, sign * h.unrated_visits, sign * h.expressions, sign * h.expression_index_sum,
    sign * h.expression_index_sq_sum)
  ON CONFLICT ("unit_id", "counter_id", "officer_id", "day") DO UPDATE SET
    "hours" = d.hours + excluded.hours,
    "ratings" = d.ratings + excluded.ratings,
    "very_satisfied" = d.very_satisfied + excluded.very_satisfied,
    "satisfied" = d.satisfied + excluded.satisfied,
    "unsatisfied" = d.unsatisfied + excluded.unsatisfied,
    "score_sum" = d.score_sum + excluded.score_sum,
    "unverified" = d.unverified + excluded.unverified,
    "filtered" = d.filtered + excluded.filtered,
    "levels" = (
      SELECT coalesce(jsonb_object_agg(k, total), '{}'::jsonb)
      FROM (
        SELECT k, sum(v::int) AS total
        FROM (SELECT * FROM jsonb_each_text(d.levels) UNION ALL SELECT * FROM jsonb_each_text(excluded.levels)) AS b(k, v)
        GROUP BY k
      ) AS merged
      WHERE total <> 0
    ),
    "visits" = d.visits + excluded.visits,
    "unrated_visits" = d.unrated_visits + excluded.unrated_visits,
    "expressions" = d.expressions + excluded.expressions,
    "expression_index_sum" = d.expression_index_sum + excluded.expression_index_sum,
    "expression_index_sq_sum" = d.expression_index_sq_sum + excluded.expression_index_sq_sum;
  IF sign < 0 THEN
    DELETE FROM "daily_rollups" d WHERE d.unit_id = h.unit_id AND d.counter_id = h.counter_id
      AND d.officer_id = h.officer_id AND d.day = (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AND d.hours <= 0;
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "daily_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The new row first: an update then never takes a day's hours to 0 on the way (no delete
  -- and re-insert of the day).
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "daily_rollups_add"(NEW, 1);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "daily_rollups_add"(OLD, -1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Every write to an hourly row, whichever code path makes it (ingest, judge, recompute, seed),
-- reaches its day in the same statement and transaction.
CREATE TRIGGER "hourly_rollups_to_daily" AFTER INSERT OR UPDATE OR DELETE ON "hourly_rollups"
  FOR EACH ROW EXECUTE FUNCTION "daily_rollups_apply"();
--> statement-breakpoint
-- The days of the hours stored before this migration.
WITH "per_level" AS (
  SELECT h.unit_id, h.counter_id, h.officer_id, (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, l.k,
    sum(l.v::int) AS total
  FROM "hourly_rollups" h CROSS JOIN LATERAL jsonb_each_text(h.levels) AS l(k, v)
  GROUP BY 1, 2, 3, 4, 5
),
"levels" AS (
  SELECT unit_id, counter_id, officer_id, day, jsonb_object_agg(k, total) AS levels
  FROM "per_level" WHERE total <> 0 GROUP BY 1, 2, 3, 4
),
"sums" AS (
  SELECT h.unit_id, h.counter_id, h.officer_id, (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
    count(*) AS hours, sum(h.ratings) AS ratings, sum(h.very_satisfied) AS very_satisfied, sum(h.satisfied) AS satisfied,
    sum(h.unsatisfied) AS unsatisfied, sum(h.score_sum) AS score_sum, sum(h.unverified) AS unverified,
    sum(h.filtered) AS filtered, sum(h.visits) AS visits, sum(h.unrated_visits) AS unrated_visits,
    sum(h.expressions) AS expressions, sum(h.expression_index_sum) AS expression_index_sum,
    sum(h.expression_index_sq_sum) AS expression_index_sq_sum
  FROM "hourly_rollups" h
  GROUP BY 1, 2, 3, 4
)
INSERT INTO "daily_rollups" ("unit_id", "counter_id", "officer_id", "day", "hours", "ratings", "very_satisfied",
  "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "levels", "visits", "unrated_visits",
  "expressions", "expression_index_sum", "expression_index_sq_sum")
SELECT s.unit_id, s.counter_id, s.officer_id, s.day, s.hours, s.ratings, s.very_satisfied, s.satisfied, s.unsatisfied,
  s.score_sum, s.unverified, s.filtered, coalesce(l.levels, '{}'::jsonb), s.visits, s.unrated_visits,
  s.expressions, s.expression_index_sum, s.expression_index_sq_sum
FROM "sums" s LEFT JOIN "levels" l USING (unit_id, counter_id, officer_id, day);
--> statement-breakpoint
-- Plans over the filled table need its statistics before autovacuum gets to it.
ANALYZE "daily_rollups";
