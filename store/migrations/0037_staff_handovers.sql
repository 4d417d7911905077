CREATE TABLE "staff_handovers" (
	"session_hash" text PRIMARY KEY NOT NULL,
	"target" text NOT NULL,
	"secret" boolean NOT NULL,
	"sealed" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "staff_handovers" ADD CONSTRAINT "staff_handovers_session_hash_staff_sessions_token_hash_fk" FOREIGN KEY ("session_hash") REFERENCES "public"."staff_sessions"("token_hash") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_handovers_expires_idx" ON "staff_handovers" USING btree ("expires_at");