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
-- Events stored before the centre placed times keep the device's clock, as they were counted.
UPDATE "events" SET "at" = "device_ts";--> statement-breakpoint
UPDATE "ratings" SET "at" = "device_ts";
