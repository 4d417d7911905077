CREATE TABLE "unit_weekly_rollups" (
	"unit_id" text NOT NULL,
	"week" date NOT NULL,
	"days" integer DEFAULT 0 NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	"unverified" integer DEFAULT 0 NOT NULL,
	"filtered" integer DEFAULT 0 NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	"unrated_visits" integer DEFAULT 0 NOT NULL,
	"expressions" integer DEFAULT 0 NOT NULL,
	"expression_index_sum" double precision DEFAULT 0 NOT NULL,
	"expression_index_sq_sum" double precision DEFAULT 0 NOT NULL,
	"reasons" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "unit_weekly_rollups_unit_id_week_pk" PRIMARY KEY("unit_id","week")
);
--> statement-breakpoint
CREATE INDEX "unit_weekly_rollups_week_idx" ON "unit_weekly_rollups" USING btree ("week");--> statement-breakpoint
-- The Monday of a Vietnam date's ISO week: one definition for the trigger and the backfill.
CREATE FUNCTION "iso_week_start"(d date) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT d - (extract(isodow from d)::int - 1)
$$;
--> statement-breakpoint
-- Adds a signed change of one unit day to its week, as unit_daily_rollups_add does for a day.
CREATE FUNCTION "unit_weekly_rollups_add"(r "unit_daily_rollups", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "unit_weekly_rollups" AS w ("unit_id", "week", "days", "ratings", "very_satisfied", "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "reasons", "visits", "unrated_visits", "expressions", "expression_index_sum", "expression_index_sq_sum")
  VALUES (r.unit_id, "iso_week_start"(r.day), sign, sign * r.ratings, sign * r.very_satisfied, sign * r.satisfied, sign * r.unsatisfied, sign * r.score_sum, sign * r.unverified, sign * r.filtered, "counts_signed"(r.reasons, sign), sign * r.visits, sign * r.unrated_visits, sign * r.expressions, sign * r.expression_index_sum, sign * r.expression_index_sq_sum)
  ON CONFLICT ("unit_id", "week") DO UPDATE SET
    "days" = w.days + excluded.days,
    "ratings" = w.ratings + excluded.ratings,
    "very_satisfied" = w.very_satisfied + excluded.very_satisfied,
    "satisfied" = w.satisfied + excluded.satisfied,
    "unsatisfied" = w.unsatisfied + excluded.unsatisfied,
    "score_sum" = w.score_sum + excluded.score_sum,
    "unverified" = w.unverified + excluded.unverified,
    "filtered" = w.filtered + excluded.filtered,
    "reasons" = "counts_merged"(w.reasons, excluded.reasons),
    "visits" = w.visits + excluded.visits,
    "unrated_visits" = w.unrated_visits + excluded.unrated_visits,
    "expressions" = w.expressions + excluded.expressions,
    "expression_index_sum" = w.expression_index_sum + excluded.expression_index_sum,
    "expression_index_sq_sum" = w.expression_index_sq_sum + excluded.expression_index_sq_sum;
  IF sign < 0 THEN
    DELETE FROM "unit_weekly_rollups" w WHERE w.unit_id = r.unit_id AND w.week = "iso_week_start"(r.day) AND w.days <= 0;
  END IF;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "unit_weekly_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The new row first, as the other levels: an update never empties the week on the way.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "unit_weekly_rollups_add"(NEW, 1);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "unit_weekly_rollups_add"(OLD, -1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Chained after daily_rollups_to_unit: an hourly change reaches the unit's week in the same statement.
CREATE TRIGGER "unit_daily_rollups_to_week" AFTER INSERT OR UPDATE OR DELETE ON "unit_daily_rollups"
  FOR EACH ROW EXECUTE FUNCTION "unit_weekly_rollups_apply"();
--> statement-breakpoint
-- The weeks of the unit days stored before this migration, set-wise.
INSERT INTO "unit_weekly_rollups" ("unit_id", "week", "days", "ratings", "very_satisfied", "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "visits", "unrated_visits", "expressions", "expression_index_sum", "expression_index_sq_sum")
SELECT unit_id, "iso_week_start"(day), count(*), sum(ratings), sum(very_satisfied), sum(satisfied), sum(unsatisfied), sum(score_sum), sum(unverified), sum(filtered), sum(visits), sum(unrated_visits), sum(expressions), sum(expression_index_sum), sum(expression_index_sq_sum)
FROM "unit_daily_rollups" GROUP BY 1, 2;
--> statement-breakpoint
UPDATE "unit_weekly_rollups" w SET "reasons" = s.reasons
FROM (
  SELECT unit_id, week, jsonb_object_agg(k, n) AS reasons
  FROM (
    SELECT u.unit_id, "iso_week_start"(u.day) AS week, r.k, sum(r.v::int) AS n
    FROM "unit_daily_rollups" u CROSS JOIN LATERAL jsonb_each_text(u.reasons) AS r(k, v)
    GROUP BY 1, 2, 3
  ) AS per_reason
  WHERE n <> 0
  GROUP BY 1, 2
) AS s
WHERE w.unit_id = s.unit_id AND w.week = s.week;
--> statement-breakpoint
ANALYZE "unit_weekly_rollups";
