import type { Database } from '@onestop/store';
import type { z } from 'zod';

/**
 * What an operation may need beyond the store, from whichever process runs it: the running
 * centre's own folders, or the command's when it opens the database itself.
 */
export interface AdminContext {
  /** Where release bundles are kept (`<data>/releases`, or `ONESTOP_RELEASES_DIR`). */
  releasesDir: string;
}

/**
 * One admin operation, whatever carries it (the running centre's control socket, or the
 * database opened by the command itself): its input schema and what it does to the store.
 * `actor` goes into the audit log.
 */
export interface AdminOperation<S extends z.ZodType, O> {
  input: S;
  run(db: Database, input: z.output<S>, actor: string, context: AdminContext): Promise<O>;
}

export function operation<S extends z.ZodType, O>(
  input: S,
  run: (db: Database, input: z.output<S>, actor: string, context: AdminContext) => Promise<O>,
): AdminOperation<S, O> {
  return { input, run };
}

/**
 * What a result looks like once it has crossed JSON (dates become ISO strings). Direct calls
 * round-trip through JSON too, so a command prints the same whichever way it reached the store.
 */
export type Wire<T> = T extends Date
  ? string
  : T extends (infer E)[]
    ? Wire<E>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;
