-- The dossier ID indexes keep no pending list. With one (GIN's default `fastupdate`), new entries
-- wait in an unsorted list until a vacuum or 4 MB flushes it, and every probe scans all of it:
-- each ingest batch derives its dossiers' outcomes by probing these indexes, and at 1,000
-- counters those probes cost ~11 ms per batch. Set in place (no rebuild), then the list flushed.
ALTER INDEX "ratings_dossier_ids_idx" SET (fastupdate = false);--> statement-breakpoint
ALTER INDEX "visits_dossier_ids_idx" SET (fastupdate = false);--> statement-breakpoint
SELECT gin_clean_pending_list('ratings_dossier_ids_idx'::regclass);--> statement-breakpoint
SELECT gin_clean_pending_list('visits_dossier_ids_idx'::regclass);
