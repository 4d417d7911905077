ALTER TABLE "device_boots" ADD COLUMN "anchor" text DEFAULT 'event' NOT NULL;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "birth_received_at" timestamp with time zone;