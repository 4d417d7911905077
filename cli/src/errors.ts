/** An error the user can fix: printed as one line, exit code 2, no stack trace. */
export class UsageError extends Error {}

/**
 * For `.catch()`: the store's input errors name the flag to fix, so they become usage errors.
 * The store is imported here, not at the top, so that `onestop --help` never loads it; by the
 * time a store call has failed it is loaded anyway.
 */
export async function asUsage(err: unknown): Promise<never> {
  const { StoreInputError } = await import('@onestop/store');
  if (err instanceof StoreInputError) throw new UsageError(err.message);
  throw err;
}

/** Maps a listen failure to one line naming the flag that changes the port. */
export function explainListenError(err: unknown, port: number, flag: string): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE')
    return new UsageError(`port ${port} is already in use: choose another with ${flag} <port>`);
  if (code === 'EACCES')
    return new UsageError(
      `not allowed to listen on port ${port}: choose a port above 1023 with ${flag} <port>`,
    );
  return err instanceof Error ? err : new Error(String(err));
}

export function parsePort(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0 || n > 65_535)
      throw new UsageError(`${flag} must be a port number 0–65535, got '${value}'`);
    return n;
  };
}

export function parsePositiveInt(flag: string, max: number, min = 0) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`${flag} must be a whole number ${min}–${max}, got '${value}'`);
    return n;
  };
}
