ALTER TABLE "unit_day_hours" ADD COLUMN "h00" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h01" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h02" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h03" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h04" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h05" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h06" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h07" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h08" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h09" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h10" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h11" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h12" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h13" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h14" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h15" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h16" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h17" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h18" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h19" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h20" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h21" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h22" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "unit_day_hours" ADD COLUMN "h23" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- The cells of the days stored before this migration, from the array they replace.
UPDATE "unit_day_hours" SET "h00" = "ratings"[1], "h01" = "ratings"[2], "h02" = "ratings"[3], "h03" = "ratings"[4], "h04" = "ratings"[5], "h05" = "ratings"[6], "h06" = "ratings"[7], "h07" = "ratings"[8], "h08" = "ratings"[9], "h09" = "ratings"[10], "h10" = "ratings"[11], "h11" = "ratings"[12], "h12" = "ratings"[13], "h13" = "ratings"[14], "h14" = "ratings"[15], "h15" = "ratings"[16], "h16" = "ratings"[17], "h17" = "ratings"[18], "h18" = "ratings"[19], "h19" = "ratings"[20], "h20" = "ratings"[21], "h21" = "ratings"[22], "h22" = "ratings"[23], "h23" = "ratings"[24];
--> statement-breakpoint
ALTER TABLE "unit_day_hours" DROP COLUMN "ratings";
--> statement-breakpoint
-- As in 0022, a column per hour: `delta` counted ratings added to the unit's day at the Vietnam
-- hour of `at` (h00 is 00:00). Every cell of the row is written (the others with + 0): one static
-- statement, no dynamic SQL per row.
CREATE OR REPLACE FUNCTION "unit_day_hours_add"(unit text, at timestamptz, delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  local timestamp := at AT TIME ZONE 'Asia/Ho_Chi_Minh';
  slot integer := extract(hour from local)::int;
BEGIN
  IF delta = 0 THEN
    RETURN;
  END IF;
  INSERT INTO "unit_day_hours" AS u ("unit_id", "day", "h00", "h01", "h02", "h03", "h04", "h05", "h06", "h07", "h08", "h09", "h10", "h11", "h12", "h13", "h14", "h15", "h16", "h17", "h18", "h19", "h20", "h21", "h22", "h23")
  VALUES (unit, local::date, CASE WHEN slot = 0 THEN delta ELSE 0 END, CASE WHEN slot = 1 THEN delta ELSE 0 END, CASE WHEN slot = 2 THEN delta ELSE 0 END, CASE WHEN slot = 3 THEN delta ELSE 0 END, CASE WHEN slot = 4 THEN delta ELSE 0 END, CASE WHEN slot = 5 THEN delta ELSE 0 END, CASE WHEN slot = 6 THEN delta ELSE 0 END, CASE WHEN slot = 7 THEN delta ELSE 0 END, CASE WHEN slot = 8 THEN delta ELSE 0 END, CASE WHEN slot = 9 THEN delta ELSE 0 END, CASE WHEN slot = 10 THEN delta ELSE 0 END, CASE WHEN slot = 11 THEN delta ELSE 0 END, CASE WHEN slot = 12 THEN delta ELSE 0 END, CASE WHEN slot = 13 THEN delta ELSE 0 END, CASE WHEN slot = 14 THEN delta ELSE 0 END, CASE WHEN slot = 15 THEN delta ELSE 0 END, CASE WHEN slot = 16 THEN delta ELSE 0 END, CASE WHEN slot = 17 THEN delta ELSE 0 END, CASE WHEN slot = 18 THEN delta ELSE 0 END, CASE WHEN slot = 19 THEN delta ELSE 0 END, CASE WHEN slot = 20 THEN delta ELSE 0 END, CASE WHEN slot = 21 THEN delta ELSE 0 END, CASE WHEN slot = 22 THEN delta ELSE 0 END, CASE WHEN slot = 23 THEN delta ELSE 0 END)
  ON CONFLICT ("unit_id", "day") DO UPDATE SET
    "h00" = u.h00 + excluded.h00,
    "h01" = u.h01 + excluded.h01,
    "h02" = u.h02 + excluded.h02,
    "h03" = u.h03 + excluded.h03,
    "h04" = u.h04 + excluded.h04,
    "h05" = u.h05 + excluded.h05,
    "h06" = u.h06 + excluded.h06,
    "h07" = u.h07 + excluded.h07,
    "h08" = u.h08 + excluded.h08,
    "h09" = u.h09 + excluded.h09,
    "h10" = u.h10 + excluded.h10,
    "h11" = u.h11 + excluded.h11,
    "h12" = u.h12 + excluded.h12,
    "h13" = u.h13 + excluded.h13,
    "h14" = u.h14 + excluded.h14,
    "h15" = u.h15 + excluded.h15,
    "h16" = u.h16 + excluded.h16,
    "h17" = u.h17 + excluded.h17,
    "h18" = u.h18 + excluded.h18,
    "h19" = u.h19 + excluded.h19,
    "h20" = u.h20 + excluded.h20,
    "h21" = u.h21 + excluded.h21,
    "h22" = u.h22 + excluded.h22,
    "h23" = u.h23 + excluded.h23;
END
$$;
