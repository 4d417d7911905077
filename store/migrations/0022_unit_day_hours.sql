CREATE TABLE "unit_day_hours" (
	"unit_id" text NOT NULL,
	"day" date NOT NULL,
	"ratings" integer[] NOT NULL,
	CONSTRAINT "unit_day_hours_unit_id_day_pk" PRIMARY KEY("unit_id","day")
);
--> statement-breakpoint
CREATE INDEX "unit_day_hours_day_idx" ON "unit_day_hours" USING btree ("day");--> statement-breakpoint
-- Adds `delta` counted ratings to a unit's day at the Vietnam hour of `at` (ratings[1] is 00:00).
CREATE FUNCTION "unit_day_hours_add"(unit text, at timestamptz, delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  local timestamp := at AT TIME ZONE 'Asia/Ho_Chi_Minh';
  slot integer := extract(hour from local)::int + 1;
BEGIN
  IF delta = 0 THEN
    RETURN;
  END IF;
  INSERT INTO "unit_day_hours" AS u ("unit_id", "day", "ratings")
  VALUES (unit, local::date, array_fill(0, ARRAY[slot - 1]) || delta || array_fill(0, ARRAY[24 - slot]))
  ON CONFLICT ("unit_id", "day") DO UPDATE SET "ratings"[slot] = u.ratings[slot] + delta;
END
$$;
--> statement-breakpoint
CREATE FUNCTION "unit_day_hours_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "unit_day_hours_add"(NEW.unit_id, NEW.hour, NEW.very_satisfied + NEW.satisfied + NEW.unsatisfied);
  ELSIF TG_OP = 'UPDATE' AND NEW.unit_id = OLD.unit_id AND NEW.hour = OLD.hour THEN
    PERFORM "unit_day_hours_add"(NEW.unit_id, NEW.hour,
      (NEW.very_satisfied + NEW.satisfied + NEW.unsatisfied) - (OLD.very_satisfied + OLD.satisfied + OLD.unsatisfied));
  ELSE
    IF TG_OP = 'UPDATE' THEN
      PERFORM "unit_day_hours_add"(NEW.unit_id, NEW.hour, NEW.very_satisfied + NEW.satisfied + NEW.unsatisfied);
    END IF;
    PERFORM "unit_day_hours_add"(OLD.unit_id, OLD.hour, -(OLD.very_satisfied + OLD.satisfied + OLD.unsatisfied));
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "hourly_rollups_to_unit_day_hours" AFTER INSERT OR UPDATE OR DELETE ON "hourly_rollups"
  FOR EACH ROW EXECUTE FUNCTION "unit_day_hours_apply"();
--> statement-breakpoint
-- The hours stored before this migration.
INSERT INTO "unit_day_hours" ("unit_id", "day", "ratings")
SELECT d.unit_id, d.day, array_agg(coalesce(c.n, 0) ORDER BY s.h)
FROM (SELECT DISTINCT unit_id, (hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day FROM "hourly_rollups") d
CROSS JOIN generate_series(0, 23) AS s(h)
LEFT JOIN (
  SELECT unit_id, (hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
    extract(hour FROM hour AT TIME ZONE 'Asia/Ho_Chi_Minh')::int AS h,
    sum(very_satisfied + satisfied + unsatisfied)::int AS n
  FROM "hourly_rollups" GROUP BY 1, 2, 3
) c ON c.unit_id = d.unit_id AND c.day = d.day AND c.h = s.h
GROUP BY d.unit_id, d.day;
--> statement-breakpoint
ANALYZE "unit_day_hours";
