ALTER TABLE "comments" ADD COLUMN "status" text DEFAULT 'new' NOT NULL;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "handled_by" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "handled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "reply" text;--> statement-breakpoint
CREATE INDEX "comments_new_unit_idx" ON "comments" USING btree ("unit_id") WHERE "comments"."status" = 'new';