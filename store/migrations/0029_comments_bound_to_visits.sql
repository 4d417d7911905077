ALTER TABLE "comments" ADD COLUMN "visit_id" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "device_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "comments_visit_idx" ON "comments" USING btree ("visit_id") WHERE "comments"."visit_id" is not null;