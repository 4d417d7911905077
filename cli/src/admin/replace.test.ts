import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startVirtualBoard, TcpProxy, type VirtualBoard } from '@onestop/edge-agent/testing';
import { silentLogger, waitFor } from '@onestop/service/testing';
import { openStore, type ProvisionedDevice, recentAudit, schema } from '@onestop/store';
import { inArray } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestCentre } from '../test-support/centre.js';
import { runCliFromSource } from '../test-support/run-cli.js';
import { embeddedDatabaseDir } from '../with-store.js';

const dirs: string[] = [];
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'onestop-replace-'));
  dirs.push(d);
  return d;
};

async function board(creds: ProvisionedDevice, url: string): Promise<VirtualBoard> {
  const b = await startVirtualBoard({
    device: { unitId: creds.unitId, counterId: creds.counterId, deviceId: creds.deviceId },
    mqtt: { url, username: creds.username, password: creds.password },
    dataDir: tempDir(),
    logger: silentLogger,
  });
  cleanups.push(() => b.agent.stop());
  return b;
}

/**
 * A technician swaps a counter's board while the centre runs: the new board runs on the counter's
 * settings at once, and the old one, back on the network, delivers the ratings it queued while
 * offline (kept on the counter, as before) and is then revoked. Restore and rotate, too.
 */
describe('replace keeps settings and drains the old outbox', () => {
  it('with real agents, through the running centre', { timeout: 240_000 }, async () => {
    const data = tempDir();
    const cli = async (...args: string[]) => {
      const r = await runCliFromSource([...args, '--data', data], { env: { DATABASE_URL: '' } });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    };
    const centre = await startTestCentre(data);
    let closed = false;
    cleanups.push(() => (closed ? Promise.resolve() : centre.close()));
    const direct = `mqtt://127.0.0.1:${centre.mqttPort}`;

    const old = (await cli(
      'device',
      'add',
      '--unit',
      'ward-rep',
      '--counter',
      'q01',
      '--id',
      'old-board',
    )) as unknown as ProvisionedDevice;
    const file = join(data, 'settings.yaml');
    writeFileSync(
      file,
      'scale: keypad4\nratingTimeoutMs: 15000\ntelemetryIntervalMs: 5000\nminPressIntervalMs: 0\n',
    );
    expect(await cli('device', 'config', 'set', 'old-board', '--file', file)).toEqual({
      deviceId: 'old-board',
      version: 1,
    });

    // The old board's uplink: cut to let its outbox fill while the counter keeps working.
    const link = new TcpProxy('127.0.0.1', centre.mqttPort);
    await link.start();
    const before = await board(old, link.url);
    await waitFor(() => before.agent.state().configVersion === 1, 30_000, 'the old board’s settings');
    // The uplink dies; citizens keep rating into the outbox.
    const queued: string[] = [];
    before.agent.bus.on('event.recorded', ({ entry, event }) => {
      if (event.channel === 'evt/rating') queued.push(entry.eventId);
    });
    await link.cut();
    await waitFor(() => !before.agent.state().connected, 15_000, 'the old board offline');
    for (let i = 0; i < 3; i++) before.rate(`L${i}`);
    expect(queued).toHaveLength(3);
    expect(before.agent.state().outbox.depth).toBeGreaterThanOrEqual(3);

    const replaced = await cli('device', 'replace', 'old-board', 'new-board');
    expect(replaced).toMatchObject({
      deviceId: 'new-board',
      unitId: 'ward-rep',
      counterId: 'q01',
      replaced: 'old-board',
      password: expect.any(String),
      drainUntil: expect.any(String),
    });
    const after = await board(replaced as unknown as ProvisionedDevice, direct);
    // The counter's settings, not the file's defaults: its version, at once.
    await waitFor(() => after.agent.state().configVersion === 1, 30_000, 'the new board’s settings');

    // The old board comes back: it delivers its queue, then is revoked.
    await link.restore();
    await waitFor(() => before.agent.state().outbox.depth === 0, 30_000, 'the old outbox to drain');
    await waitFor(
      async () => {
        const list = await runCliFromSource(['device', 'list', '--data', data], {
          env: { DATABASE_URL: '' },
        });
        return list.stdout
          .split('\n')
          .some((l) => l.includes('"deviceId":"old-board"') && !l.includes('"revokedAt":null'));
      },
      60_000,
      'the drained board to be revoked',
    );

    // Restore refused while the counter runs on the new board; rotate gives that one a new password.
    const refused = await runCliFromSource(['device', 'restore', 'old-board', '--data', data], {
      env: { DATABASE_URL: '' },
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("now runs on 'new-board'");
    const rotated = await cli('device', 'rotate', 'new-board');
    expect(rotated).toMatchObject({ deviceId: 'new-board', password: expect.any(String) });
    expect(rotated.password).not.toBe(replaced.password);
    // Cut off at once, and refused with its old password (CONNACK 4) from then on.
    await waitFor(
      () => {
        const link = after.agent.state().link;
        return link.state === 'reconnecting' && link.refusedCode === 4;
      },
      30_000,
      'the old password refused',
    );
    await cli('device', 'revoke', 'new-board');
    expect(await cli('device', 'restore', 'old-board')).toEqual({
      deviceId: 'old-board',
      unitId: 'ward-rep',
      counterId: 'q01',
      restored: true,
    });

    await centre.close();
    closed = true;
    const store = await openStore({ kind: 'pglite', dataDir: embeddedDatabaseDir(data) });
    try {
      // Every queued rating stored once, on the counter, from the board that recorded it.
      const ratings = await store.db
        .select({
          id: schema.ratings.eventId,
          counterId: schema.ratings.counterId,
          deviceId: schema.ratings.deviceId,
        })
        .from(schema.ratings)
        .where(inArray(schema.ratings.eventId, queued));
      expect(ratings.map((r) => [r.counterId, r.deviceId]).sort()).toEqual(
        queued.map(() => ['q01', 'old-board']),
      );
      expect((await recentAudit(store.db, 1, 'device.replace'))[0]).toMatchObject({
        actor: 'cli',
        target: 'old-board',
      });
      expect((await recentAudit(store.db, 1, 'device.drained'))[0]).toMatchObject({
        actor: 'broker',
        target: 'old-board',
      });
      expect((await recentAudit(store.db, 1, 'device.rotate'))[0]).toMatchObject({ target: 'new-board' });
      expect((await recentAudit(store.db, 1, 'device.restore'))[0]).toMatchObject({ target: 'old-board' });
    } finally {
      await store.close();
    }
  });
});
