CREATE INDEX "hourly_rollups_unit_hour_idx" ON "hourly_rollups" USING btree ("unit_id","hour");--> statement-breakpoint
CREATE INDEX "hourly_rollups_hour_idx" ON "hourly_rollups" USING btree ("hour");