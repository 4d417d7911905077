import type { Aedes, Client } from 'aedes';

/**
 * Closes every client and waits, at most `timeoutMs`, until each one has left: unsubscribed and
 * its disconnect announced. `aedes.close()` quits a cluster's Redis connections at once; a client
 * still leaving then writes after QUIT, and mqemitter-redis leaves that QUIT's rejection
 * unhandled (a clean-session ingest disconnecting while its broker stopped did it, in tests).
 */
export async function closeClients(aedes: Aedes, timeoutMs: number): Promise<void> {
  // Registered clients by ID: aedes keeps them there but does not declare the field.
  const registered = (aedes as unknown as { clients: Record<string, Client> }).clients;
  const waiting = new Set(Object.values(registered));
  if (waiting.size === 0) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      aedes.off('clientDisconnect', gone);
      clearTimeout(timer);
      resolve();
    };
    const gone = (c: Client) => {
      waiting.delete(c);
      if (waiting.size === 0) done();
    };
    aedes.on('clientDisconnect', gone);
    const timer = setTimeout(done, timeoutMs);
    // One already leaving (its DISCONNECT in hand) is only waited for.
    for (const c of [...waiting]) c.close();
  });
  // What the last one wrote as it left goes out before anything quits.
  await new Promise<void>((r) => setImmediate(r));
}
