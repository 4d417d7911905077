CREATE TABLE "alert_deliveries" (
	"id" serial PRIMARY KEY NOT NULL,
	"alert_id" integer NOT NULL,
	"unit_id" text NOT NULL,
	"event" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"abandoned_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "alert_history" (
	"id" serial PRIMARY KEY NOT NULL,
	"alert_id" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "unit_alert_hooks" (
	"unit_id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered" integer DEFAULT 0 NOT NULL,
	"failures" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"last_failure_at" timestamp with time zone,
	"last_delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "acknowledged_by" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "assignee" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "cleared_by" text;--> statement-breakpoint
ALTER TABLE "alerts" ADD COLUMN "clear_comment" text;--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "alert_history" ADD CONSTRAINT "alert_history_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_deliveries_due_idx" ON "alert_deliveries" USING btree ("next_attempt_at") WHERE "alert_deliveries"."delivered_at" is null and "alert_deliveries"."abandoned_at" is null;--> statement-breakpoint
CREATE INDEX "alert_history_alert_idx" ON "alert_history" USING btree ("alert_id","at");--> statement-breakpoint
CREATE INDEX "alerts_unit_created_idx" ON "alerts" USING btree ("unit_id","created_at");--> statement-breakpoint
-- custom: a table trigger's signal naming the units a statement touched. PostgreSQL refuses a
-- NOTIFY payload of 8000 bytes or more and would roll back the writer's whole statement (one
-- DeviceStateWriter UPDATE covers up to 1,000 devices), so past MAX_NOTIFY_BYTES (7900, notify.ts)
-- the signal says "every unit" ({"unitIds":null}) and the listeners re-read everything.
CREATE FUNCTION "notify_units"(channel text, units json) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  payload text := json_build_object('unitIds', coalesce(units, '[]'::json))::text;
BEGIN
  IF octet_length(payload) >= 7900 THEN
    payload := '{"unitIds":null}';
  END IF;
  PERFORM pg_notify(channel, payload);
END
$$;
--> statement-breakpoint
-- custom: every writer of alerts (broker, ingest's time placement, revocation) gets history, hook
-- deliveries and the `alerts_changed` signal from the table itself, in the writer's transaction.
CREATE FUNCTION "alerts_opened"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "alert_history" ("alert_id", "at", "actor", "action", "comment")
    SELECT n.id, n.created_at, 'system', 'opened', n.message FROM new_rows n;
  INSERT INTO "alert_deliveries" ("alert_id", "unit_id", "event")
    SELECT n.id, n.unit_id, 'opened' FROM new_rows n JOIN "unit_alert_hooks" h ON h.unit_id = n.unit_id;
  PERFORM "notify_units"('alerts_changed', (SELECT json_agg(DISTINCT n.unit_id) FROM new_rows n))
  WHERE EXISTS (SELECT 1 FROM new_rows);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "alerts_opened" AFTER INSERT ON "alerts" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "alerts_opened"();
--> statement-breakpoint
CREATE FUNCTION "alerts_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Cleared in this statement: by hand (cleared_by set with it) or on recovery ('system').
  INSERT INTO "alert_history" ("alert_id", "actor", "action", "comment")
    SELECT n.id, coalesce(n.cleared_by, 'system'), 'cleared', n.clear_comment
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE o.resolved_at IS NULL AND n.resolved_at IS NOT NULL;
  INSERT INTO "alert_deliveries" ("alert_id", "unit_id", "event")
    SELECT n.id, n.unit_id, 'cleared'
    FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN "unit_alert_hooks" h ON h.unit_id = n.unit_id
    WHERE o.resolved_at IS NULL AND n.resolved_at IS NOT NULL;
  PERFORM "notify_units"('alerts_changed', (SELECT json_agg(DISTINCT n.unit_id) FROM new_rows n))
  WHERE EXISTS (SELECT 1 FROM new_rows);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "alerts_changed" AFTER UPDATE ON "alerts" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "alerts_changed"();
--> statement-breakpoint
-- custom: the alerts already there get their history (opened, and cleared on recovery).
INSERT INTO "alert_history" ("alert_id", "at", "actor", "action", "comment")
  SELECT id, created_at, 'system', 'opened', message FROM "alerts"
  UNION ALL
  SELECT id, resolved_at, 'system', 'cleared', NULL FROM "alerts" WHERE resolved_at IS NOT NULL;
