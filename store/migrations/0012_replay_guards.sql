ALTER TABLE "device_boots" ADD COLUMN "claimed_boot_ms" bigint;--> statement-breakpoint
CREATE INDEX "events_device_seq_idx" ON "events" USING btree ("device_id","seq");