ALTER TABLE "daily_rollups" ADD COLUMN "reasons" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "hourly_rollups" ADD COLUMN "reasons" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_daily_rollups" ADD COLUMN "reasons" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
-- Two count maps added key by key, keys whose total falls to 0 dropped (a roll-up row never holds a
-- 0 key): how a day takes in a signed change of its hours' reasons, and a unit's day of its days'.
CREATE FUNCTION "counts_merged"(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, total), '{}'::jsonb)
  FROM (
    SELECT k, sum(v::int) AS total
    FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS both_sides(k, v)
    GROUP BY k
  ) AS merged
  WHERE total <> 0
$$;
--> statement-breakpoint
-- A count map times a sign (a change taken back is the map negated).
CREATE FUNCTION "counts_signed"(m jsonb, sign integer) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce((SELECT jsonb_object_agg(k, sign * v::int) FROM jsonb_each_text(m) AS l(k, v)), '{}'::jsonb)
$$;
--> statement-breakpoint
-- As in 0019, with the reasons carried to the day.
CREATE OR REPLACE FUNCTION "daily_rollups_add"(h "hourly_rollups", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "daily_rollups" AS d ("unit_id", "counter_id", "officer_id", "day", "hours", "ratings", "very_satisfied",
    "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "levels", "reasons", "visits", "unrated_visits",
    "expressions", "expression_index_sum", "expression_index_sq_sum")
  VALUES (h.unit_id, h.counter_id, h.officer_id, (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, sign,
    sign * h.ratings, sign * h.very_satisfied, sign * h.satisfied, sign * h.unsatisfied, sign * h.score_sum,
    sign * h.unverified, sign * h.filtered, "counts_signed"(h.levels, sign), "counts_signed"(h.reasons, sign),
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
    "levels" = "counts_merged"(d.levels, excluded.levels),
    "reasons" = "counts_merged"(d.reasons, excluded.reasons),
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
-- As in 0020, with the reasons carried to the unit's day.
CREATE OR REPLACE FUNCTION "unit_daily_rollups_add"(r "daily_rollups", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "unit_daily_rollups" AS u ("unit_id", "day", "days", "ratings", "very_satisfied", "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "reasons", "visits", "unrated_visits", "expressions", "expression_index_sum", "expression_index_sq_sum")
  VALUES (r.unit_id, r.day, sign, sign * r.ratings, sign * r.very_satisfied, sign * r.satisfied, sign * r.unsatisfied, sign * r.score_sum, sign * r.unverified, sign * r.filtered, "counts_signed"(r.reasons, sign), sign * r.visits, sign * r.unrated_visits, sign * r.expressions, sign * r.expression_index_sum, sign * r.expression_index_sq_sum)
  ON CONFLICT ("unit_id", "day") DO UPDATE SET
    "days" = u.days + excluded.days,
    "ratings" = u.ratings + excluded.ratings,
    "very_satisfied" = u.very_satisfied + excluded.very_satisfied,
    "satisfied" = u.satisfied + excluded.satisfied,
    "unsatisfied" = u.unsatisfied + excluded.unsatisfied,
    "score_sum" = u.score_sum + excluded.score_sum,
    "unverified" = u.unverified + excluded.unverified,
    "filtered" = u.filtered + excluded.filtered,
    "reasons" = "counts_merged"(u.reasons, excluded.reasons),
    "visits" = u.visits + excluded.visits,
    "unrated_visits" = u.unrated_visits + excluded.unrated_visits,
    "expressions" = u.expressions + excluded.expressions,
    "expression_index_sum" = u.expression_index_sum + excluded.expression_index_sum,
    "expression_index_sq_sum" = u.expression_index_sq_sum + excluded.expression_index_sq_sum;
  IF sign < 0 THEN
    DELETE FROM "unit_daily_rollups" u WHERE u.unit_id = r.unit_id AND u.day = r.day AND u.days <= 0;
  END IF;
END
$$;
--> statement-breakpoint
-- The reasons of the ratings judged before this migration, by the rule of judge/rollups.ts
-- (`contributionsSql`): a judged, placed rating adds to its officer's row when it counts, else to
-- the unit's '' row; its reasons count when no misuse filter caught it. Written with the row
-- triggers off: through them a city's year (~1 M hourly rows with reasons) took four upserts a row
-- and over ten minutes; the days and unit days are then summed set-wise below, to the same counts
-- the triggers keep (the migration's transaction holds the tables meanwhile).
ALTER TABLE "hourly_rollups" DISABLE TRIGGER USER;
--> statement-breakpoint
WITH "judged" AS (
  SELECT r.unit_id, r.counter_id,
    -- The hour as ratingHourSql computes it (judge/rollups.ts), rounding included.
    to_timestamp(((extract(epoch from r.at) * 1000)::bigint / 3600000) * 3600) AS hour,
    CASE WHEN r.attribution = 'verified' THEN r.officer_id ELSE '' END AS officer_id, reason
  FROM "ratings" r CROSS JOIN LATERAL unnest(r.reasons) AS reason
  WHERE r.at IS NOT NULL AND r.attribution <> 'pending' AND r.filter_reason IS NULL
),
"per_reason" AS (
  SELECT unit_id, counter_id, officer_id, hour, reason, count(*)::int AS n FROM "judged" GROUP BY 1, 2, 3, 4, 5
),
"per_row" AS (
  SELECT unit_id, counter_id, officer_id, hour, jsonb_object_agg(reason, n) AS reasons FROM "per_reason" GROUP BY 1, 2, 3, 4
)
UPDATE "hourly_rollups" h SET "reasons" = p.reasons
FROM "per_row" p
WHERE h.unit_id = p.unit_id AND h.counter_id = p.counter_id AND h.officer_id = p.officer_id AND h.hour = p.hour;
--> statement-breakpoint
ALTER TABLE "hourly_rollups" ENABLE TRIGGER USER;
--> statement-breakpoint
ALTER TABLE "daily_rollups" DISABLE TRIGGER USER;
--> statement-breakpoint
UPDATE "daily_rollups" d SET "reasons" = s.reasons
FROM (
  SELECT unit_id, counter_id, officer_id, day, jsonb_object_agg(k, n) AS reasons
  FROM (
    SELECT h.unit_id, h.counter_id, h.officer_id, (h.hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, r.k,
      sum(r.v::int) AS n
    FROM "hourly_rollups" h CROSS JOIN LATERAL jsonb_each_text(h.reasons) AS r(k, v)
    GROUP BY 1, 2, 3, 4, 5
  ) AS per_reason
  WHERE n <> 0
  GROUP BY 1, 2, 3, 4
) AS s
WHERE d.unit_id = s.unit_id AND d.counter_id = s.counter_id AND d.officer_id = s.officer_id AND d.day = s.day;
--> statement-breakpoint
ALTER TABLE "daily_rollups" ENABLE TRIGGER USER;
--> statement-breakpoint
UPDATE "unit_daily_rollups" u SET "reasons" = s.reasons
FROM (
  SELECT unit_id, day, jsonb_object_agg(k, n) AS reasons
  FROM (
    SELECT d.unit_id, d.day, r.k, sum(r.v::int) AS n
    FROM "daily_rollups" d CROSS JOIN LATERAL jsonb_each_text(d.reasons) AS r(k, v)
    GROUP BY 1, 2, 3
  ) AS per_reason
  WHERE n <> 0
  GROUP BY 1, 2
) AS s
WHERE u.unit_id = s.unit_id AND u.day = s.day;
