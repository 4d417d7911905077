-- custom: the devices page's fleet summary is refreshed when a device's state, version, birth or
-- revocation changes (not on every telemetry or last-seen stamp), whichever part wrote it.
CREATE FUNCTION "devices_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  units json;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT json_agg(DISTINCT n.unit_id) INTO units FROM new_rows n;
  ELSE
    SELECT json_agg(DISTINCT n.unit_id) INTO units
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE n.status IS DISTINCT FROM o.status OR n.agent_version IS DISTINCT FROM o.agent_version
      OR n.birth IS DISTINCT FROM o.birth OR n.revoked_at IS DISTINCT FROM o.revoked_at
      OR n.unit_id IS DISTINCT FROM o.unit_id;
  END IF;
  IF units IS NOT NULL THEN
    PERFORM "notify_units"('devices_changed', units);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "devices_inserted" AFTER INSERT ON "devices" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "devices_changed"();
--> statement-breakpoint
CREATE TRIGGER "devices_updated" AFTER UPDATE ON "devices" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "devices_changed"();
