import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, listensOn } from './ports.js';

describe('listensOn', () => {
  it('tells the process listening on a port from any other', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as { port: number };
    try {
      expect(listensOn(process.pid, port)).toBe(true);
      // Another process, alive, that does not hold the port: the stranger's case.
      const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { stdio: 'ignore' });
      try {
        await new Promise((r) => other.once('spawn', r));
        expect(listensOn(other.pid!, port)).toBe(false);
      } finally {
        other.kill('SIGKILL');
      }
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // Nobody listens any more.
    expect(listensOn(process.pid, port)).toBe(false);
  });

  it('says no for a free port and for a process that is gone', async () => {
    const port = await freePort();
    expect(listensOn(process.pid, port)).toBe(false);
    expect(listensOn(2 ** 22 + 7, port)).toBe(false);
  });
});
