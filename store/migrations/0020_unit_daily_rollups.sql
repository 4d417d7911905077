CREATE TABLE "unit_daily_rollups" (
	"unit_id" text NOT NULL,
	"day" date NOT NULL,
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
	CONSTRAINT "unit_daily_rollups_unit_id_day_pk" PRIMARY KEY("unit_id","day")
);
--> statement-breakpoint
CREATE INDEX "unit_daily_rollups_day_idx" ON "unit_daily_rollups" USING btree ("day");--> statement-breakpoint
-- Adds a signed change of one daily roll-up row to its unit's day; `days` counts the daily rows
-- summed and the unit's day goes when its last daily row goes (as daily_rollups_add does).
CREATE FUNCTION "unit_daily_rollups_add"(r "daily_rollups", sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "unit_daily_rollups" AS u ("unit_id", "day", "days", "ratings", "very_satisfied", "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "visits", "unrated_visits", "expressions", "expression_index_sum", "expression_index_sq_sum")
  VALUES (r.unit_id, r.day, sign, sign * r.ratings, sign * r.very_satisfied, sign * r.satisfied, sign * r.unsatisfied, sign * r.score_sum, sign * r.unverified, sign * r.filtered, sign * r.visits, sign * r.unrated_visits, sign * r.expressions, sign * r.expression_index_sum, sign * r.expression_index_sq_sum)
  ON CONFLICT ("unit_id", "day") DO UPDATE SET
    "days" = u.days + excluded.days,
    "ratings" = u.ratings + excluded.ratings,
    "very_satisfied" = u.very_satisfied + excluded.very_satisfied,
    "satisfied" = u.satisfied + excluded.satisfied,
    "unsatisfied" = u.unsatisfied + excluded.unsatisfied,
    "score_sum" = u.score_sum + excluded.score_sum,
    "unverified" = u.unverified + excluded.unverified,
    "filtered" = u.filtered + excluded.filtered,
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
CREATE FUNCTION "unit_daily_rollups_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The new row first, as daily_rollups_apply: an update never empties the unit's day on the way.
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    PERFORM "unit_daily_rollups_add"(NEW, 1);
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    PERFORM "unit_daily_rollups_add"(OLD, -1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Chained after hourly_rollups_to_daily: an hourly change reaches the unit's day in the same statement.
CREATE TRIGGER "daily_rollups_to_unit" AFTER INSERT OR UPDATE OR DELETE ON "daily_rollups"
  FOR EACH ROW EXECUTE FUNCTION "unit_daily_rollups_apply"();
--> statement-breakpoint
-- The unit days of the days stored before this migration.
INSERT INTO "unit_daily_rollups" ("unit_id", "day", "days", "ratings", "very_satisfied", "satisfied", "unsatisfied", "score_sum", "unverified", "filtered", "visits", "unrated_visits", "expressions", "expression_index_sum", "expression_index_sq_sum")
SELECT unit_id, day, count(*), sum(ratings), sum(very_satisfied), sum(satisfied), sum(unsatisfied), sum(score_sum), sum(unverified), sum(filtered), sum(visits), sum(unrated_visits), sum(expressions), sum(expression_index_sum), sum(expression_index_sq_sum)
FROM "daily_rollups" GROUP BY 1, 2;
--> statement-breakpoint
ANALYZE "unit_daily_rollups";
