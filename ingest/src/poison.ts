/**
 * Wraps a batch commit so that one event the database refuses (a bug, a constraint we did not
 * foresee) cannot stall the ingest for ever: when a commit fails while the database answers a
 * health check, the batch is split in halves until the culprit stands alone, which is handed to
 * `onPoison` (the ingest dead-letters it) and awaited before the rest goes on. When the database
 * does not answer, or the error is one that passes by itself (`transient`: a deadlock, a
 * serialization failure), the error goes up and the whole batch is retried later, unsplit.
 */
export function isolatePoison<T>(
  commit: (items: T[]) => Promise<void>,
  healthy: () => Promise<boolean>,
  onPoison: (item: T, err: unknown) => Promise<void>,
  transient: (err: unknown) => boolean = () => false,
): (items: T[]) => Promise<void> {
  const run = async (items: T[]): Promise<void> => {
    try {
      await commit(items);
    } catch (err) {
      if (transient(err) || !(await healthy())) throw err;
      if (items.length === 1) {
        await onPoison(items[0] as T, err);
        return;
      }
      const mid = items.length >> 1;
      await run(items.slice(0, mid));
      await run(items.slice(mid));
    }
  };
  return run;
}
