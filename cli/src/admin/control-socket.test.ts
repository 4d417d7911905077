import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@onestop/service/testing';
import { recentAudit } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToCentre } from './client.js';
import { startControlSocket } from './control-socket.js';
import { socketAnswers } from './socket-file.js';

const dir = mkdtempSync(join(tmpdir(), 'onestop-ctl-'));
let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('pglite');
});
afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const start = (path = join(dir, `c${n++}.sock`)) =>
  startControlSocket({ path, db: store.db, logger: silentLogger });

/** A socket file as a crashed centre leaves it: bound, then the process killed with no cleanup. */
async function crashedSocket(path: string): Promise<void> {
  const child = spawn(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  await new Promise((r) => child.on('exit', r));
  expect(statSync(path).isSocket()).toBe(true);
  expect(await socketAnswers(path)).toBe(false);
}

describe('the control socket of a running centre', () => {
  it('is reachable by its owner only (mode 0600) and gone once closed', async () => {
    const ctl = await start();
    expect(statSync(ctl.path).mode & 0o777).toBe(0o600);
    await ctl.close();
    expect(existsSync(ctl.path)).toBe(false);
  });

  it('runs an operation on the store, audited as the command line', async () => {
    const ctl = await start();
    try {
      const added = await postToCentre(ctl.path, 'device.add', { unitId: 'ctl-ward', counterId: 'q01' });
      expect(added.status).toBe(200);
      expect(added.body).toMatchObject({
        unitId: 'ctl-ward',
        counterId: 'q01',
        password: expect.any(String),
      });
      const [entry] = await recentAudit(store.db, 1, 'device.add');
      expect(entry).toMatchObject({ actor: 'cli', target: (added.body as { deviceId: string }).deviceId });
      // Dates cross as ISO strings, as the command prints them.
      const listed = await postToCentre(ctl.path, 'device.list', {});
      expect(listed.body).toEqual([expect.objectContaining({ unitId: 'ctl-ward', revokedAt: null })]);
    } finally {
      await ctl.close();
    }
  });

  it('refuses bad input with 400 naming the field, an unknown operation with 404', async () => {
    const ctl = await start();
    try {
      expect(await postToCentre(ctl.path, 'device.add', { unitId: 7, counterId: 'q01' })).toEqual({
        status: 400,
        body: { error: 'device.add: unitId: Invalid input: expected string, received number' },
      });
      const extra = await postToCentre(ctl.path, 'device.revoke', { deviceId: 'x', force: true });
      expect(extra).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/^device\.revoke: .*force/) },
      });
      expect(await postToCentre(ctl.path, 'device.reboot', {})).toEqual({
        status: 404,
        body: { error: "no admin operation 'device.reboot'" },
      });
      // The store's own refusals keep their message, which names the flag to fix.
      const badUnit = await postToCentre(ctl.path, 'device.add', { unitId: 'Trung Van', counterId: 'q01' });
      expect(badUnit).toMatchObject({ status: 400, body: { error: expect.stringMatching(/^--unit: /) } });
      expect(await postToCentre(ctl.path, 'device.revoke', { deviceId: 'nobody' })).toEqual({
        status: 400,
        body: { error: "no active device 'nobody'" },
      });
    } finally {
      await ctl.close();
    }
  });

  it('replaces a socket file left by a crash', async () => {
    const path = join(dir, 'crashed.sock');
    await crashedSocket(path);
    const ctl = await start(path);
    try {
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect((await postToCentre(path, 'user.list', {})).status).toBe(200);
    } finally {
      await ctl.close();
    }
  });

  it('never takes over a socket that answers, nor a file that is not a socket', async () => {
    const path = join(dir, 'live.sock');
    const other = createServer();
    await new Promise<void>((r) => other.listen(path, () => r()));
    try {
      await expect(start(path)).rejects.toThrow(`another centre already answers on ${path}`);
    } finally {
      await new Promise((r) => other.close(r));
    }
    const file = join(dir, 'plain.sock');
    writeFileSync(file, 'notes');
    await expect(start(file)).rejects.toThrow('exists and is not a socket');
  });
});

describe('the admin client', () => {
  it('says so when the centre dies mid-answer, rather than hang', async () => {
    const path = join(dir, `dying-${n++}.sock`);
    // Headers and half a body, then the connection cut, as a centre killed while answering.
    const dying = createServer((socket) => {
      socket.once('data', () => {
        socket.write(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"deviceId":',
        );
        setTimeout(() => socket.destroy(), 20);
      });
    });
    await new Promise<void>((r) => dying.listen(path, r));
    try {
      await expect(postToCentre(path, 'device.add', { unitId: 'u', counterId: 'q' })).rejects.toThrow(
        /closed the connection mid-answer: 'device.add' may have been applied/,
      );
    } finally {
      await new Promise((r) => dying.close(r));
    }
  });
});
