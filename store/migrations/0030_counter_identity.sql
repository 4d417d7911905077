CREATE TABLE "counter_configs" (
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "counter_configs_unit_id_counter_id_pk" PRIMARY KEY("unit_id","counter_id")
);
--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "replaced_by" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "drain_until" timestamp with time zone;--> statement-breakpoint
-- custom: settings move from the board to its counter (set-wise, rerunnable). Per counter: the
-- settings of its live board (not revoked) that changed last, under the highest version any of
-- its boards had, so that no board sees its version go back. A revoked board's settings are left
-- behind: its roster was frozen at its revocation and its scale fits its own keypad, and a counter
-- whose live board runs on its file's settings keeps doing so.
INSERT INTO "counter_configs" ("unit_id", "counter_id", "version", "settings", "updated_at")
SELECT DISTINCT ON (d."unit_id", d."counter_id") d."unit_id", d."counter_id",
  (SELECT max(c2."version") FROM "device_configs" c2 JOIN "devices" d2 ON d2."id" = c2."device_id"
    WHERE d2."unit_id" = d."unit_id" AND d2."counter_id" = d."counter_id"),
  c."settings", c."updated_at"
FROM "device_configs" c JOIN "devices" d ON d."id" = c."device_id"
WHERE d."revoked_at" IS NULL
ORDER BY d."unit_id", d."counter_id", c."updated_at" DESC, c."device_id"
ON CONFLICT DO NOTHING;
