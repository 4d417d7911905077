CREATE INDEX "ratings_stored_idx" ON "ratings" USING btree ("server_ts");--> statement-breakpoint
CREATE INDEX "ratings_unit_stored_idx" ON "ratings" USING btree ("unit_id","server_ts");