import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CHILD = fileURLToPath(new URL('./testing/link-child.ts', import.meta.url));

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('a process waiting for its broker', () => {
  // Under vitest the test process itself keeps the loop alive, so only a child can show this: a
  // keypad-only agent or an ingest whose broker is down must not exit 0 and lose what comes next.
  it('stays alive and keeps retrying while nothing else holds it', async () => {
    const port = await closedPort();
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', CHILD, `mqtt://127.0.0.1:${port}`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let retries = 0;
    child.stdout.on('data', (d: Buffer) => {
      retries += d
        .toString()
        .split('\n')
        .filter((l) => l === 'reconnecting').length;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const outcome = await Promise.race([exited, new Promise((r) => setTimeout(() => r('alive'), 3_000))]);
    child.kill('SIGKILL');
    expect(outcome).toBe('alive');
    expect(retries).toBeGreaterThanOrEqual(2);
  });
});
