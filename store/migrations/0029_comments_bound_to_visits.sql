ALTER TABLE "comments" ADD COLUMN "visit_id" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "device_id" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "visit_comment_no" smallint;--> statement-breakpoint
CREATE UNIQUE INDEX "comments_visit_idx" ON "comments" USING btree ("device_id","visit_id","visit_comment_no") WHERE "comments"."visit_id" is not null;