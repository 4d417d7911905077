import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBundle, generateReleaseKeyPair } from '@onestop/release';
import { silentLogger } from '@onestop/service/testing';
import { currentOffers, provisionDevice, recentAudit, recordUpdateStatus } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postToCentre } from './client.js';
import { type ControlSocket, startControlSocket } from './control-socket.js';

const dir = mkdtempSync(join(tmpdir(), 'onestop-rel-'));
let store: TestStore;
let ctl: ControlSocket;
const keys = generateReleaseKeyPair();
const other = generateReleaseKeyPair();

beforeAll(async () => {
  store = await openTestStore('pglite');
  ctl = await startControlSocket({ path: join(dir, 'centre.sock'), db: store.db, logger: silentLogger });
  writeFileSync(join(dir, 'main.js'), 'console.log(1)\n');
  for (const [name, key] of [
    ['good', keys],
    ['foreign', other],
  ] as const)
    await createBundle(
      { version: '3.1.0', components: ['agent'], platform: null, minConfigSchema: 1, models: [] },
      [{ path: 'main.js', from: join(dir, 'main.js') }],
      key.privatePem,
      join(dir, `${name}.tar.gz`),
    );
});
afterAll(async () => {
  await ctl?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (name: string, input: unknown) => postToCentre(ctl.path, name, input);

/** `onestop release publish|trust` and `onestop rollout …` through the running centre's socket. */
describe('releases and rollouts through the control socket', () => {
  it('publishes only what a trusted key signed, then rolls it out stage by stage', async () => {
    const untrusted = await call('release.publish', { file: join(dir, 'good.tar.gz') });
    expect(untrusted).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/no release key is trusted/) },
    });
    expect((await call('release.trust', { publicPem: keys.publicPem, name: 'ci' })).status).toBe(200);
    const foreign = await call('release.publish', { file: join(dir, 'foreign.tar.gz') });
    expect(foreign.body).toEqual({ error: expect.stringMatching(/signature does not verify/) });
    expect((await call('release.publish', { file: 'good.tar.gz' })).body).toEqual({
      error: expect.stringMatching(/absolute path/),
    });
    const published = await call('release.publish', { file: join(dir, 'good.tar.gz') });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({ version: '3.1.0', publishedBy: 'cli' });
    // Kept in the centre's data folder (beside its socket), under a name of its own.
    expect(readdirSync(join(dir, 'releases'))).toEqual([expect.stringMatching(/^3\.1\.0-[0-9a-f]{12}-/)]);

    const d1 = await provisionDevice(store.db, { unitId: 'ward-x', counterId: 'q01', actor: 't' });
    const d2 = await provisionDevice(store.db, { unitId: 'ward-x', counterId: 'q02', actor: 't' });
    const started = await call('rollout.start', {
      version: '3.1.0',
      unitId: 'ward-x',
      canary: [d1.deviceId],
    });
    expect(started.status).toBe(200);
    const id = (started.body as { id: string }).id;
    expect((await currentOffers(store.db)).map((o) => o.deviceId)).toEqual([d1.deviceId]);
    // Widening waits for a healthy canary.
    expect((await call('rollout.widen', { rolloutId: id, percent: 100 })).body).toEqual({
      error: expect.stringMatching(/reports healthy yet/),
    });
    await recordUpdateStatus(store.db, d1.deviceId, {
      v: 1,
      deviceId: d1.deviceId,
      bootId: '00000000-0000-4000-8000-000000000001',
      ts: Date.now(),
      rolloutId: id,
      version: '3.1.0',
      running: '3.1.0',
      state: 'healthy',
      progress: null,
      reason: null,
    });
    expect((await call('rollout.widen', { rolloutId: id, percent: 100 })).status).toBe(200);
    expect((await currentOffers(store.db)).map((o) => o.deviceId).sort()).toEqual(
      [d1.deviceId, d2.deviceId].sort(),
    );
    const status = await call('rollout.status', { rolloutId: id });
    expect(status.body).toMatchObject({ stages: { canary: { healthy: 1 }, all: { offered: 1 } } });
    expect((await call('rollout.pause', { rolloutId: id })).body).toMatchObject({ state: 'paused' });
    expect((await call('rollout.pause', { rolloutId: id })).body).toEqual({
      error: expect.stringMatching(/is paused/),
    });
    expect((await call('rollout.withdraw', { rolloutId: id })).body).toMatchObject({ state: 'withdrawn' });
    expect((await call('rollout.status', { rolloutId: 'nope' })).status).toBe(400);
    const audit = (await recentAudit(store.db, 20)).map((a) => `${a.actor} ${a.action}`);
    expect(audit).toEqual(
      expect.arrayContaining([
        'cli release.publish',
        'cli release.key.add',
        'cli rollout.start',
        'cli rollout.withdraw',
      ]),
    );
  });
});
