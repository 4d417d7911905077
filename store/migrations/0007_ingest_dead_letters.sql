CREATE TABLE "ingest_dead_letters" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"topic" text NOT NULL,
	"error_code" text,
	"error" text NOT NULL,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "ingest_dead_letters_device_idx" ON "ingest_dead_letters" USING btree ("device_id","received_at");