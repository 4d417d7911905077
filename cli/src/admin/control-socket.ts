import { chmodSync, lstatSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import type { Database } from '@onestop/store';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { UsageError } from '../errors.js';
import type { AdminContext } from './operation.js';
import { performAdmin } from './operations.js';
import { socketAnswers } from './socket-file.js';

/** Audited as the command line did before the socket existed: the operator at the console. */
const ACTOR = 'cli';
/** sun_path: 108 bytes with the final NUL on Linux, 104 on macOS and the BSDs. */
const MAX_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

export interface ControlSocket {
  path: string;
  close(): Promise<void>;
}

export function controlApp(db: Database, logger: Logger, context: AdminContext): Hono {
  const app = new Hono();
  app.post('/admin/:operation', async (c) => {
    const name = c.req.param('operation');
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: `${name}: the body must be a JSON object` }, 400);
    }
    const outcome = await performAdmin(db, name, body, ACTOR, context);
    logger.info({ operation: name, status: outcome.status }, 'admin operation');
    return outcome.status === 200 ? c.json(outcome.value) : c.json({ error: outcome.error }, outcome.status);
  });
  app.notFound((c) => c.json({ error: `not found: ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    logger.error({ err }, 'admin operation failed');
    return c.json({ error: err.message }, 500);
  });
  return app;
}

/** A socket file left by a centre that crashed is replaced; a live one means a second centre. */
async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch {
    return; // nothing there
  }
  if (!isSocket) throw new UsageError(`${path} exists and is not a socket: move it out of the data folder`);
  if (await socketAnswers(path)) throw new UsageError(`another centre already answers on ${path}`);
  rmSync(path, { force: true });
}

/**
 * The running centre's door for `onestop device|user|officer|unit …`: the embedded database
 * admits one process, so the commands ask the centre that holds it. A Unix socket, not a TCP
 * port: only the operator's user (mode 0600) can reach it, with no password to manage, and
 * nothing on the network can.
 */
export async function startControlSocket(o: {
  path: string;
  db: Database;
  logger: Logger;
  /** Default: the releases folder beside the socket, in the data folder. */
  context?: AdminContext;
}): Promise<ControlSocket> {
  if (Buffer.byteLength(o.path) > MAX_PATH_BYTES)
    throw new UsageError(
      `the control socket path ${o.path} is longer than ${MAX_PATH_BYTES} bytes: use a shorter --data folder`,
    );
  await clearStaleSocket(o.path);
  const server = createAdaptorServer({
    fetch: controlApp(o.db, o.logger, o.context ?? { releasesDir: join(dirname(o.path), 'releases') }).fetch,
  }) as Server;
  // The socket file is created inside listen() with the process umask: a umask of 0177 for that
  // call makes it 0600 from its first instant (a chmod afterwards would leave a window). For a
  // path the bind happens synchronously within listen(), so the umask is restored before any
  // other code (or the database thread) creates a file.
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const umask = process.umask(0o177);
  try {
    server.listen(o.path);
  } finally {
    process.umask(umask);
  }
  await listening;
  chmodSync(o.path, 0o600); // belt and braces on platforms that ignore the umask for sockets
  return {
    path: o.path,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(o.path, { force: true });
          resolve();
        });
        // Idle ones only: an operation under way finishes and answers (its write may commit
        // whatever happens to the connection), then its connection closes too.
        server.closeIdleConnections();
      }),
  };
}
