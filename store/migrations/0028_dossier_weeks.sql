CREATE TABLE "dossier_weeks" (
	"unit_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"week" date NOT NULL,
	"dossiers" integer DEFAULT 0 NOT NULL,
	"rated_unsatisfied" integer DEFAULT 0 NOT NULL,
	"complained" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "dossier_weeks_unit_id_officer_id_week_pk" PRIMARY KEY("unit_id","officer_id","week")
);
--> statement-breakpoint
CREATE INDEX "dossier_weeks_officer_week_idx" ON "dossier_weeks" USING btree ("officer_id","week");--> statement-breakpoint
CREATE INDEX "dossier_weeks_week_idx" ON "dossier_weeks" USING btree ("week");--> statement-breakpoint
-- dossier_weeks follows dossier_days in the same statement, as dossier_days follows
-- dossier_outcomes: each statement's day rows summed per (unit, officer, ISO week), the new rows
-- added first, the old taken off, a week gone at 0.
CREATE FUNCTION "dossier_weeks_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "dossier_weeks" AS w ("unit_id", "officer_id", "week", "dossiers", "rated_unsatisfied", "complained", "failed")
    SELECT n.unit_id, n.officer_id, "iso_week_start"(n.day), sum(n.dossiers), sum(n.rated_unsatisfied), sum(n.complained), sum(n.failed)
    FROM new_rows n GROUP BY 1, 2, 3
    ON CONFLICT ("unit_id", "officer_id", "week") DO UPDATE SET
      "dossiers" = w.dossiers + excluded.dossiers,
      "rated_unsatisfied" = w.rated_unsatisfied + excluded.rated_unsatisfied,
      "complained" = w.complained + excluded.complained,
      "failed" = w.failed + excluded.failed;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "dossier_weeks" w SET
      "dossiers" = w.dossiers - o.dossiers,
      "rated_unsatisfied" = w.rated_unsatisfied - o.rated_unsatisfied,
      "complained" = w.complained - o.complained,
      "failed" = w.failed - o.failed
    FROM (
      SELECT x.unit_id, x.officer_id, "iso_week_start"(x.day) AS week, sum(x.dossiers) AS dossiers,
        sum(x.rated_unsatisfied) AS rated_unsatisfied, sum(x.complained) AS complained, sum(x.failed) AS failed
      FROM old_rows x GROUP BY 1, 2, 3
    ) o
    WHERE w.unit_id = o.unit_id AND w.officer_id = o.officer_id AND w.week = o.week;
    DELETE FROM "dossier_weeks" w USING (SELECT DISTINCT x.unit_id, x.officer_id, "iso_week_start"(x.day) AS week FROM old_rows x) o
    WHERE w.unit_id = o.unit_id AND w.officer_id = o.officer_id AND w.week = o.week AND w.dossiers <= 0;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "dossier_days_inserted" AFTER INSERT ON "dossier_days" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_weeks_apply"();
--> statement-breakpoint
CREATE TRIGGER "dossier_days_updated" AFTER UPDATE ON "dossier_days" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_weeks_apply"();
--> statement-breakpoint
CREATE TRIGGER "dossier_days_deleted" AFTER DELETE ON "dossier_days" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_weeks_apply"();
--> statement-breakpoint
-- The weeks of the days derived before this migration.
INSERT INTO "dossier_weeks" ("unit_id", "officer_id", "week", "dossiers", "rated_unsatisfied", "complained", "failed")
SELECT unit_id, officer_id, "iso_week_start"(day), sum(dossiers), sum(rated_unsatisfied), sum(complained), sum(failed)
FROM "dossier_days" GROUP BY 1, 2, 3;
--> statement-breakpoint
ANALYZE "dossier_weeks";
