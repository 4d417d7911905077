-- The 0-100 index now weighs the official level (protocol OFFICIAL_INDEX_POINTS, as of this
-- migration: very_satisfied 100, satisfied 50, unsatisfied 0) instead of the pressed level.
-- Rows stored before keep the old linear score; rescore them so ratings.score and the roll-ups'
-- score_sum agree with what ingest now stores. Data only, no schema change.
UPDATE "ratings" SET "score" = CASE "official" WHEN 'very_satisfied' THEN 100 WHEN 'satisfied' THEN 50 ELSE 0 END;
--> statement-breakpoint
UPDATE "hourly_rollups" SET "score_sum" = 100 * "very_satisfied" + 50 * "satisfied";
