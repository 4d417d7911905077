CREATE TABLE "device_update_status" (
	"device_id" text PRIMARY KEY NOT NULL,
	"rollout_id" uuid,
	"version" text NOT NULL,
	"running" text NOT NULL,
	"state" text NOT NULL,
	"progress" real,
	"reason" text,
	"ts" bigint NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "release_keys" (
	"key_id" text PRIMARY KEY NOT NULL,
	"public_pem" text NOT NULL,
	"name" text NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"version" text PRIMARY KEY NOT NULL,
	"components" jsonb NOT NULL,
	"manifest" jsonb NOT NULL,
	"models" jsonb NOT NULL,
	"sha256" text NOT NULL,
	"size" bigint NOT NULL,
	"key_id" text NOT NULL,
	"path" text NOT NULL,
	"published_by" text NOT NULL,
	"published_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rollout_devices" (
	"rollout_id" uuid NOT NULL,
	"device_id" text NOT NULL,
	"stage" text NOT NULL,
	"offered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "rollout_devices_rollout_id_device_id_pk" PRIMARY KEY("rollout_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "rollouts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"unit_id" text,
	"canary" jsonb NOT NULL,
	"stage" text NOT NULL,
	"percent" smallint DEFAULT 0 NOT NULL,
	"state" text NOT NULL,
	"halt_reason" text,
	"health_deadline_s" integer DEFAULT 300 NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "expression_summaries" ADD COLUMN "models" jsonb;--> statement-breakpoint
ALTER TABLE "device_update_status" ADD CONSTRAINT "device_update_status_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_devices" ADD CONSTRAINT "rollout_devices_rollout_id_rollouts_id_fk" FOREIGN KEY ("rollout_id") REFERENCES "public"."rollouts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollout_devices" ADD CONSTRAINT "rollout_devices_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rollouts" ADD CONSTRAINT "rollouts_version_releases_version_fk" FOREIGN KEY ("version") REFERENCES "public"."releases"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "device_update_status_rollout_idx" ON "device_update_status" USING btree ("rollout_id");--> statement-breakpoint
CREATE INDEX "rollout_devices_device_idx" ON "rollout_devices" USING btree ("device_id");--> statement-breakpoint
CREATE INDEX "rollouts_state_idx" ON "rollouts" USING btree ("state");