ALTER TABLE "officers" ADD COLUMN "badge" text;--> statement-breakpoint
ALTER TABLE "officers" ADD COLUMN "retired_at" timestamp with time zone;