CREATE INDEX "comments_dossier_idx" ON "comments" USING btree ("dossier_id");--> statement-breakpoint
CREATE INDEX "ratings_dossier_ids_idx" ON "ratings" USING gin ("dossier_ids");--> statement-breakpoint
CREATE INDEX "ratings_ticket_idx" ON "ratings" USING btree ("ticket","at");--> statement-breakpoint
CREATE INDEX "visits_dossier_ids_idx" ON "visits" USING gin ("dossier_ids");--> statement-breakpoint
CREATE INDEX "visits_ticket_idx" ON "visits" USING btree ("ticket","started_at");