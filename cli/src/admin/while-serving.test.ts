import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestBroker } from '@onestop/broker/testing';
import { decodePayload, encodePayload, topicFor } from '@onestop/protocol';
import { connectDevice, waitFor } from '@onestop/service/testing';
import { openStore, type ProvisionedDevice, recentAudit } from '@onestop/store';
import { openTestStore, STORE_BACKENDS } from '@onestop/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCentre } from '../test-support/centre.js';
import { runCliFromSource } from '../test-support/run-cli.js';
import { controlSocketPath, embeddedDatabaseDir } from '../with-store.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'onestop-admin-'));
  dirs.push(d);
  return d;
};

type Cli = (...args: string[]) => ReturnType<typeof runCliFromSource>;

/** A counter that answers every self-test it is sent, as the agent does. */
function answeringDevice(mqttUrl: string, creds: ProvisionedDevice) {
  return connectDevice(mqttUrl, creds, creds.deviceId, (topic, payload, client) => {
    if (topic !== topicFor(creds, 'cmd/self-test')) return;
    const m = decodePayload('cmd/self-test', payload);
    if (!m.ok) return;
    const answer = {
      v: 1 as const,
      cmdId: m.value.cmdId,
      ts: Date.now(),
      ok: true,
      result: { keypad: true },
      error: null,
    };
    void client.publishAsync(
      topicFor(creds, 'cmd/self-test/res'),
      encodePayload('cmd/self-test/res', answer),
      {
        qos: 1,
      },
    );
  });
}

/**
 * What a technician does at the console while the centre runs: add a device and an account, list,
 * command the connected device (waiting for its answer by default), revoke it: the broker drops
 * it at once and refuses it afterwards.
 */
async function adminWhileRunning(cli: Cli, mqttUrl: string, unitId: string): Promise<void> {
  const add = await cli('device', 'add', '--unit', unitId, '--counter', 'q01');
  expect(add.code, add.stderr).toBe(0);
  const creds = JSON.parse(add.stdout) as ProvisionedDevice;
  const list = await cli('device', 'list');
  expect(list.code, list.stderr).toBe(0);
  expect(list.stdout).toContain(`"deviceId":"${creds.deviceId}"`);
  const user = await cli('user', 'add', '--name', `lead-${unitId}`, '--role', 'ward', '--unit', unitId);
  expect(user.code, user.stderr).toBe(0);
  expect(JSON.parse(user.stdout)).toMatchObject({ role: 'ward', unitId, password: expect.any(String) });

  const device = await answeringDevice(mqttUrl, creds);
  let dropped = false;
  device.client.once('close', () => {
    dropped = true;
  });
  // No --wait: the centre runs, so the command is sent and its answer awaited.
  const cmd = await cli('device', 'command', creds.deviceId, 'self-test');
  expect(cmd.code, cmd.stderr).toBe(0);
  expect(JSON.parse(cmd.stdout)).toMatchObject({
    sent: true,
    answered: true,
    ok: true,
    result: { keypad: true },
  });

  const revoke = await cli('device', 'revoke', creds.deviceId);
  expect(revoke.code, revoke.stderr).toBe(0);
  expect(JSON.parse(revoke.stdout)).toEqual({ deviceId: creds.deviceId, revoked: true });
  await waitFor(() => dropped, 5_000, 'the revoked device to be disconnected');
  await expect(connectDevice(mqttUrl, creds)).rejects.toThrow();
  await device.close();
  // A refusal reads the same through the centre as from the database.
  const again = await cli('device', 'revoke', creds.deviceId);
  expect(again).toMatchObject({ code: 2, stderr: `onestop: no active device '${creds.deviceId}'\n` });

  // Taken back, given a new password (the old one refused at once), then replaced by a new board.
  const restore = await cli('device', 'restore', creds.deviceId);
  expect(restore.code, restore.stderr).toBe(0);
  const rotate = await cli('device', 'rotate', creds.deviceId);
  expect(rotate.code, rotate.stderr).toBe(0);
  const rotated = { ...creds, password: (JSON.parse(rotate.stdout) as ProvisionedDevice).password };
  await expect(connectDevice(mqttUrl, creds)).rejects.toThrow();
  await (await connectDevice(mqttUrl, rotated)).close();
  const replace = await cli('device', 'replace', creds.deviceId, `${unitId}-q01-new`, '--drain-days', '0');
  expect(replace.code, replace.stderr).toBe(0);
  const fresh = JSON.parse(replace.stdout) as ProvisionedDevice & { replaced: string };
  expect(fresh).toMatchObject({ counterId: 'q01', replaced: creds.deviceId });
  await (await connectDevice(mqttUrl, fresh)).close();
  // `--drain-days 0`: the old board is revoked at once.
  await expect(connectDevice(mqttUrl, rotated)).rejects.toThrow();
}

describe('admin commands while onestop serve runs on its embedded database', () => {
  it('go through the centre’s control socket', { timeout: 180_000 }, async () => {
    const data = tempDir();
    // DATABASE_URL emptied: the commands must find the centre, not a PostgreSQL of the machine.
    const cli: Cli = (...args) => runCliFromSource([...args, '--data', data], { env: { DATABASE_URL: '' } });
    const centre = await startTestCentre(data);
    try {
      expect(centre.controlSocket).toBe(controlSocketPath(data));
      expect(statSync(centre.controlSocket).mode & 0o777).toBe(0o600);
      await adminWhileRunning(cli, `mqtt://127.0.0.1:${centre.mqttPort}`, 'ward-sock');
    } finally {
      await centre.close();
    }
    expect(existsSync(controlSocketPath(data))).toBe(false);

    // The folder held by a process that does not answer on the socket: both are named.
    const holder = await openStore({ kind: 'pglite', dataDir: embeddedDatabaseDir(data) });
    try {
      const [revoked] = await recentAudit(holder.db, 1, 'device.revoke');
      expect(revoked?.actor).toBe('cli');
      const stuck = await cli('device', 'list');
      expect(stuck.code).toBe(2);
      expect(stuck.stderr).toContain(`is in use by process ${process.pid}`);
      expect(stuck.stderr).toContain(`its control socket ${controlSocketPath(data)} does not answer`);
    } finally {
      await holder.close();
    }
    // Nobody holds it now: the command opens it itself.
    expect((await cli('user', 'list')).code).toBe(0);
  });
});

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('admin commands with DATABASE_URL', () => {
  it('reach a broker running on the same PostgreSQL', { timeout: 180_000 }, async () => {
    const store = await openTestStore('postgres');
    const broker = await startTestBroker(store);
    try {
      const data = tempDir(); // no centre there: DATABASE_URL alone decides
      const cli: Cli = (...args) =>
        runCliFromSource([...args, '--data', data], { env: { DATABASE_URL: store.url ?? '' } });
      await adminWhileRunning(cli, `mqtt://127.0.0.1:${broker.port}`, 'ward-pg');
    } finally {
      await broker.close();
      await store.close();
    }
  });
});
