CREATE TABLE "alerts" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"device_id" text,
	"kind" text NOT NULL,
	"message" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" serial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"target" text NOT NULL,
	"details" jsonb
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text,
	"officer_id" text,
	"dossier_id" text,
	"body" text NOT NULL,
	"contact" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "counters" (
	"unit_id" text NOT NULL,
	"id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "counters_unit_id_id_pk" PRIMARY KEY("unit_id","id")
);
--> statement-breakpoint
CREATE TABLE "device_configs" (
	"device_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"status" text DEFAULT 'never_seen' NOT NULL,
	"boot_id" uuid,
	"agent_version" text,
	"applied_config_version" integer,
	"birth" jsonb,
	"telemetry" jsonb,
	CONSTRAINT "devices_username_unique" UNIQUE("username")
);
--> statement-breakpoint
CREATE TABLE "events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"boot_id" uuid NOT NULL,
	"seq" bigint NOT NULL,
	"device_ts" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "expression_summaries" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"officer_id" text,
	"visit_id" uuid,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone NOT NULL,
	"frames" integer NOT NULL,
	"exit_frames" integer NOT NULL,
	"mean" jsonb NOT NULL,
	"exit" jsonb NOT NULL,
	"satisfaction_index" real NOT NULL,
	"confidence" real NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hourly_rollups" (
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"ratings" integer DEFAULT 0 NOT NULL,
	"very_satisfied" integer DEFAULT 0 NOT NULL,
	"satisfied" integer DEFAULT 0 NOT NULL,
	"unsatisfied" integer DEFAULT 0 NOT NULL,
	"score_sum" integer DEFAULT 0 NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	"unrated_visits" integer DEFAULT 0 NOT NULL,
	"expressions" integer DEFAULT 0 NOT NULL,
	"expression_index_sum" double precision DEFAULT 0 NOT NULL,
	"expression_index_sq_sum" double precision DEFAULT 0 NOT NULL,
	CONSTRAINT "hourly_rollups_unit_id_counter_id_officer_id_hour_pk" PRIMARY KEY("unit_id","counter_id","officer_id","hour")
);
--> statement-breakpoint
CREATE TABLE "officers" (
	"id" text PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "presence_intervals" (
	"id" serial PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"officer_id" text NOT NULL,
	"kind" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"start_event_id" uuid NOT NULL,
	"end_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"officer_id" text,
	"visit_id" uuid,
	"dossier_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"ticket" text,
	"scale" text NOT NULL,
	"level" smallint NOT NULL,
	"official" text NOT NULL,
	"score" smallint NOT NULL,
	"source" text NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"response_ms" integer,
	"device_ts" timestamp with time zone NOT NULL,
	"server_ts" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "units" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"province" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visits" (
	"id" uuid PRIMARY KEY NOT NULL,
	"unit_id" text NOT NULL,
	"counter_id" text NOT NULL,
	"device_id" text NOT NULL,
	"officer_id" text,
	"ticket" text,
	"dossier_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"trigger" text,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"rated" boolean
);
--> statement-breakpoint
ALTER TABLE "counters" ADD CONSTRAINT "counters_unit_id_units_id_fk" FOREIGN KEY ("unit_id") REFERENCES "public"."units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "device_configs" ADD CONSTRAINT "device_configs_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_unit_counter_idx" ON "devices" USING btree ("unit_id","counter_id");--> statement-breakpoint
CREATE INDEX "events_device_idx" ON "events" USING btree ("device_id","boot_id","seq");--> statement-breakpoint
CREATE INDEX "expr_unit_ended_idx" ON "expression_summaries" USING btree ("unit_id","ended_at");--> statement-breakpoint
CREATE INDEX "presence_open_idx" ON "presence_intervals" USING btree ("device_id","kind","ended_at");--> statement-breakpoint
CREATE INDEX "ratings_unit_ts_idx" ON "ratings" USING btree ("unit_id","device_ts");--> statement-breakpoint
CREATE INDEX "ratings_officer_ts_idx" ON "ratings" USING btree ("officer_id","device_ts");--> statement-breakpoint
CREATE INDEX "visits_unit_started_idx" ON "visits" USING btree ("unit_id","started_at");