CREATE TABLE "dossier_days" (
	"unit_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"day" date NOT NULL,
	"dossiers" integer DEFAULT 0 NOT NULL,
	"rated_unsatisfied" integer DEFAULT 0 NOT NULL,
	"complained" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "dossier_days_unit_id_officer_id_day_pk" PRIMARY KEY("unit_id","officer_id","day")
);
--> statement-breakpoint
CREATE TABLE "dossier_outcome_dirty" (
	"unit_id" text NOT NULL,
	"dossier_id" text NOT NULL,
	CONSTRAINT "dossier_outcome_dirty_unit_id_dossier_id_pk" PRIMARY KEY("unit_id","dossier_id")
);
--> statement-breakpoint
CREATE TABLE "dossier_outcomes" (
	"unit_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"dossier_id" text NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"day" date NOT NULL,
	"rated_unsatisfied" boolean NOT NULL,
	"complained" boolean NOT NULL,
	CONSTRAINT "dossier_outcomes_unit_id_dossier_id_officer_id_pk" PRIMARY KEY("unit_id","dossier_id","officer_id")
);
--> statement-breakpoint
CREATE INDEX "dossier_days_officer_day_idx" ON "dossier_days" USING btree ("officer_id","day");--> statement-breakpoint
CREATE INDEX "dossier_days_day_idx" ON "dossier_days" USING btree ("day");--> statement-breakpoint
CREATE INDEX "dossier_outcomes_first_idx" ON "dossier_outcomes" USING btree ("unit_id","officer_id","first_at");--> statement-breakpoint
CREATE INDEX "dossier_outcomes_first_at_idx" ON "dossier_outcomes" USING btree ("first_at");--> statement-breakpoint
-- Every change of a rating, visit or comment lists the (unit, dossier) pairs it touches, once per
-- statement (transition tables), for refreshDossierOutcomes (store/src/dossier-outcomes.ts) to
-- derive again: the rules of what a dossier's outcome is stay in one place, in TypeScript.
-- A pair already listed is updated in place, not skipped: the row lock makes a refresh that would
-- take it off the list wait for this transaction, so the refresh then sees what it wrote.
CREATE FUNCTION "dossier_outcome_dirty_from_arrays"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "dossier_outcome_dirty" ("unit_id", "dossier_id")
    SELECT DISTINCT n.unit_id, d.dossier_id FROM new_rows n CROSS JOIN LATERAL unnest(n.dossier_ids) AS d(dossier_id)
    WHERE d.dossier_id <> ''
    ON CONFLICT ("unit_id", "dossier_id") DO UPDATE SET "dossier_id" = excluded.dossier_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "dossier_outcome_dirty" ("unit_id", "dossier_id")
    SELECT DISTINCT o.unit_id, d.dossier_id FROM old_rows o CROSS JOIN LATERAL unnest(o.dossier_ids) AS d(dossier_id)
    WHERE d.dossier_id <> ''
    ON CONFLICT ("unit_id", "dossier_id") DO UPDATE SET "dossier_id" = excluded.dossier_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "dossier_outcome_dirty_from_comments"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "dossier_outcome_dirty" ("unit_id", "dossier_id")
    SELECT DISTINCT n.unit_id, n.dossier_id FROM new_rows n
    WHERE n.dossier_id IS NOT NULL AND n.dossier_id <> ''
    ON CONFLICT ("unit_id", "dossier_id") DO UPDATE SET "dossier_id" = excluded.dossier_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    INSERT INTO "dossier_outcome_dirty" ("unit_id", "dossier_id")
    SELECT DISTINCT o.unit_id, o.dossier_id FROM old_rows o
    WHERE o.dossier_id IS NOT NULL AND o.dossier_id <> ''
    ON CONFLICT ("unit_id", "dossier_id") DO UPDATE SET "dossier_id" = excluded.dossier_id;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "ratings_dossiers_inserted" AFTER INSERT ON "ratings" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "ratings_dossiers_updated" AFTER UPDATE ON "ratings" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "ratings_dossiers_deleted" AFTER DELETE ON "ratings" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "visits_dossiers_inserted" AFTER INSERT ON "visits" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "visits_dossiers_updated" AFTER UPDATE ON "visits" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "visits_dossiers_deleted" AFTER DELETE ON "visits" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_arrays"();
--> statement-breakpoint
CREATE TRIGGER "comments_dossiers_inserted" AFTER INSERT ON "comments" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_comments"();
--> statement-breakpoint
CREATE TRIGGER "comments_dossiers_updated" AFTER UPDATE ON "comments" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_comments"();
--> statement-breakpoint
CREATE TRIGGER "comments_dossiers_deleted" AFTER DELETE ON "comments" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_outcome_dirty_from_comments"();
--> statement-breakpoint
-- dossier_days follows dossier_outcomes in the same statement: each statement's rows counted per
-- (unit, officer, day), added for the new rows, taken off for the old, a day gone at 0.
CREATE FUNCTION "dossier_days_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "dossier_days" AS d ("unit_id", "officer_id", "day", "dossiers", "rated_unsatisfied", "complained", "failed")
    SELECT n.unit_id, n.officer_id, n.day, count(*), count(*) FILTER (WHERE n.rated_unsatisfied),
      count(*) FILTER (WHERE n.complained), count(*) FILTER (WHERE n.rated_unsatisfied OR n.complained)
    FROM new_rows n GROUP BY 1, 2, 3
    ON CONFLICT ("unit_id", "officer_id", "day") DO UPDATE SET
      "dossiers" = d.dossiers + excluded.dossiers,
      "rated_unsatisfied" = d.rated_unsatisfied + excluded.rated_unsatisfied,
      "complained" = d.complained + excluded.complained,
      "failed" = d.failed + excluded.failed;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "dossier_days" d SET
      "dossiers" = d.dossiers - o.dossiers,
      "rated_unsatisfied" = d.rated_unsatisfied - o.rated_unsatisfied,
      "complained" = d.complained - o.complained,
      "failed" = d.failed - o.failed
    FROM (
      SELECT x.unit_id, x.officer_id, x.day, count(*) AS dossiers, count(*) FILTER (WHERE x.rated_unsatisfied) AS rated_unsatisfied,
        count(*) FILTER (WHERE x.complained) AS complained, count(*) FILTER (WHERE x.rated_unsatisfied OR x.complained) AS failed
      FROM old_rows x GROUP BY 1, 2, 3
    ) o
    WHERE d.unit_id = o.unit_id AND d.officer_id = o.officer_id AND d.day = o.day;
    DELETE FROM "dossier_days" d USING (SELECT DISTINCT x.unit_id, x.officer_id, x.day FROM old_rows x) o
    WHERE d.unit_id = o.unit_id AND d.officer_id = o.officer_id AND d.day = o.day AND d.dossiers <= 0;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "dossier_outcomes_inserted" AFTER INSERT ON "dossier_outcomes" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_days_apply"();
--> statement-breakpoint
CREATE TRIGGER "dossier_outcomes_updated" AFTER UPDATE ON "dossier_outcomes" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_days_apply"();
--> statement-breakpoint
CREATE TRIGGER "dossier_outcomes_deleted" AFTER DELETE ON "dossier_outcomes" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "dossier_days_apply"();
--> statement-breakpoint
-- Every dossier stored before this migration: derived at the first refresh.
INSERT INTO "dossier_outcome_dirty" ("unit_id", "dossier_id") VALUES ('*', '*');
