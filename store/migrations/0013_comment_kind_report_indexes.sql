ALTER TABLE "comments" ADD COLUMN "kind" text;--> statement-breakpoint
CREATE INDEX "comments_complaint_dossier_idx" ON "comments" USING btree ("unit_id","dossier_id") WHERE "comments"."kind" = 'complaint';--> statement-breakpoint
CREATE INDEX "ratings_rated_at_idx" ON "ratings" USING btree ("at") WHERE "ratings"."at" is not null and "ratings"."filter_reason" is null;--> statement-breakpoint
CREATE INDEX "visits_started_idx" ON "visits" USING btree ("started_at");