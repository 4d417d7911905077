CREATE TABLE "device_telemetry" (
	"device_id" text NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"cpu_temp_c" real,
	"load1" real,
	"camera_fps" real,
	"outbox_depth" integer,
	CONSTRAINT "device_telemetry_device_id_minute_pk" PRIMARY KEY("device_id","minute")
);
--> statement-breakpoint
CREATE INDEX "device_telemetry_minute_idx" ON "device_telemetry" USING btree ("minute");--> statement-breakpoint
-- custom: each telemetry stored on a device's row also lands in its minute of the history
-- (the latest of the minute wins), in the writer's statement: no writer needs to know of it.
CREATE FUNCTION "device_telemetry_keep"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "device_telemetry" ("device_id", "minute", "cpu_temp_c", "load1", "camera_fps", "outbox_depth")
  VALUES (NEW.id, date_trunc('minute', now()),
    CASE WHEN jsonb_typeof(NEW.telemetry->'cpuTempC') = 'number' THEN (NEW.telemetry->>'cpuTempC')::real END,
    CASE WHEN jsonb_typeof(NEW.telemetry->'load1') = 'number' THEN (NEW.telemetry->>'load1')::real END,
    CASE WHEN jsonb_typeof(NEW.telemetry->'camera'->'fps') = 'number' THEN (NEW.telemetry->'camera'->>'fps')::real END,
    CASE WHEN jsonb_typeof(NEW.telemetry->'outbox'->'depth') = 'number' THEN (NEW.telemetry->'outbox'->>'depth')::integer END)
  ON CONFLICT ("device_id", "minute") DO UPDATE SET
    "cpu_temp_c" = excluded.cpu_temp_c, "load1" = excluded.load1,
    "camera_fps" = excluded.camera_fps, "outbox_depth" = excluded.outbox_depth;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "device_telemetry_keep" AFTER UPDATE OF "telemetry" ON "devices"
  FOR EACH ROW WHEN (NEW.telemetry IS NOT NULL AND NEW.telemetry IS DISTINCT FROM OLD.telemetry)
  EXECUTE FUNCTION "device_telemetry_keep"();
