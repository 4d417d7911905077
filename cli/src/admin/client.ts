import { request } from 'node:http';
import { join, resolve } from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { controlSocketPath, embeddedDatabaseDir } from '../with-store.js';
import type { Wire } from './operation.js';
import type { AdminOperationName, AdminOperations } from './operations.js';
import { socketAnswers } from './socket-file.js';

// Only types from the operations at the top: a command that goes through the socket never loads
// the store, and `onestop --help` loads neither.

/** The `--data` flag every admin command takes. */
export const DATA_FLAG = [
  '--data <dir>',
  'data folder of `onestop serve` (its socket, or its embedded database)',
  './data',
] as const;

export type AdminInput<N extends AdminOperationName> = z.input<AdminOperations[N]['input']>;
export type AdminOutput<N extends AdminOperationName> = Wire<Awaited<ReturnType<AdminOperations[N]['run']>>>;

/**
 * How the command reaches the store: PostgreSQL directly (many clients may), the running centre
 * through its control socket (it holds the embedded database), or the embedded database opened by
 * the command itself (no centre running).
 */
export type AdminRoute = 'postgres' | 'centre' | 'embedded';

export interface AdminClient {
  route: AdminRoute;
  call<N extends AdminOperationName>(name: N, input: AdminInput<N>): Promise<AdminOutput<N>>;
  close(): Promise<void>;
}

/** A centre that takes this long over one operation is stuck: say so rather than hang. */
const SOCKET_TIMEOUT_MS = 60_000;

/** One `POST /admin/<name>` to the centre on `path`: the HTTP status and the parsed JSON body. */
export function postToCentre(
  path: string,
  name: string,
  input: unknown,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(input);
    const req = request(
      {
        socketPath: path,
        method: 'POST',
        path: `/admin/${name}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: SOCKET_TIMEOUT_MS,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        // A centre that dies mid-answer ends the response without 'end': said, not left hanging
        // (the operation may have been applied: a device added whose password was never shown).
        res.on('close', () => {
          if (!res.complete)
            reject(
              new Error(
                `the centre on ${path} closed the connection mid-answer: '${name}' may have been applied; check before repeating it`,
              ),
            );
        });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            reject(new Error(`the centre on ${path} answered HTTP ${res.statusCode}: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`the centre on ${path} did not answer within ${SOCKET_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function viaSocket(path: string): AdminClient {
  return {
    route: 'centre',
    async call(name, input) {
      const { status, body } = await postToCentre(path, name, input);
      if (status === 200) return body as never;
      const error = (body as { error?: string }).error ?? JSON.stringify(body);
      // 4xx: the operator's input or a refusal, said as the direct call would say it.
      throw status < 500 ? new UsageError(error) : new Error(`the running centre: ${error}`);
    },
    close: async () => {},
  };
}

async function direct(dataDir: string, env: NodeJS.ProcessEnv): Promise<AdminClient> {
  const [{ databaseOptionsFromEnv, DataDirInUseError, openStore }, { performAdmin }] = await Promise.all([
    import('@onestop/store'),
    import('./operations.js'),
  ]);
  const options = databaseOptionsFromEnv(embeddedDatabaseDir(dataDir), env);
  const store = await openStore(options).catch((err: unknown) => {
    if (err instanceof DataDirInUseError)
      throw new UsageError(
        `the embedded database in ${err.dataDir} is in use by process ${err.pid}, yet its control socket ${controlSocketPath(dataDir)} does not answer: ` +
          "if that is an 'onestop serve' of another user or an older version, run the command as its user or stop it first",
      );
    throw err;
  });
  return {
    route: options.kind === 'postgres' ? 'postgres' : 'embedded',
    async call(name, input) {
      // Without a running centre, bundles go where the centre keeps them: its data folder, or
      // ONESTOP_RELEASES_DIR (which a split dashboard must share).
      const releasesDir = env.ONESTOP_RELEASES_DIR || join(resolve(dataDir), 'releases');
      const outcome = await performAdmin(store.db, name, input, 'cli', { releasesDir });
      if (outcome.status !== 200) throw new UsageError(outcome.error);
      return outcome.value as never;
    },
    close: () => store.close(),
  };
}

/**
 * DATABASE_URL: the database itself (running brokers hear of changes through LISTEN/NOTIFY).
 * Else the centre that answers on `<data>/centre.sock`. Else the embedded database in `<data>`.
 */
export async function openAdminClient(dataDir: string, env = process.env): Promise<AdminClient> {
  if (env.DATABASE_URL) return direct(dataDir, env);
  const socket = controlSocketPath(dataDir);
  if (await socketAnswers(socket)) return viaSocket(socket);
  return direct(dataDir, env);
}

export async function withAdmin<T>(dataDir: string, fn: (admin: AdminClient) => Promise<T>): Promise<T> {
  const admin = await openAdminClient(dataDir);
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** One operation, one line of JSON on stdout: what most admin commands do. */
export async function adminCall<N extends AdminOperationName>(
  dataDir: string,
  name: N,
  input: AdminInput<N>,
): Promise<AdminOutput<N>> {
  return withAdmin(dataDir, (admin) => admin.call(name, input));
}
