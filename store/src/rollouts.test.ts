import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { type ReleaseManifest, releaseKeyId, type UpdateStatus } from '@onestop/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreInputError } from './devices.js';
import { replaceDevice } from './lifecycle.js';
import {
  listReleaseKeys,
  removeReleaseKey,
  storeRelease,
  trustedReleasePems,
  trustReleaseKey,
} from './releases.js';
import {
  changeRollout,
  currentOffers,
  isOfferedRelease,
  isTargeted,
  offerToNewDevices,
  recordUpdateStatus,
  rolloutBucket,
  rolloutProgress,
  startRollout,
  widenRollout,
} from './rollouts.js';
import { auditLog, devices } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const SHA = 'a'.repeat(64);

export function manifestOf(version: string): ReleaseManifest {
  return {
    format: 1,
    version,
    createdAt: 1_764_000_000_000,
    components: ['agent'],
    platform: null,
    minConfigSchema: 1,
    files: [{ path: 'main.js', size: 1, sha256: SHA, mode: 0o644 }],
    models: [{ name: 'expr', sha256: 'b'.repeat(64) }],
    notes: '',
  };
}

/** Devices without scrypt: the targeting test needs hundreds. */
async function addDevices(store: TestStore, unitId: string, n: number, prefix = unitId): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}-d${String(i).padStart(3, '0')}`);
  await store.db.insert(devices).values(
    ids.map((id, i) => ({
      id,
      unitId,
      counterId: `q${String(i).padStart(3, '0')}`,
      username: `dev-${id}`,
      passwordHash: 'x',
    })),
  );
  return ids;
}

function status(
  deviceId: string,
  rolloutId: string,
  state: UpdateStatus['state'],
  reason: string | null = null,
): UpdateStatus {
  return {
    v: 1,
    deviceId,
    bootId: randomUUID(),
    ts: Date.now(),
    rolloutId,
    version: '1.2.0',
    running: state === 'healthy' ? '1.2.0' : '1.1.0',
    state,
    progress: null,
    reason,
  };
}

describe.each(STORE_BACKENDS)('releases and rollouts on %s', (backend) => {
  let store: TestStore;
  let a: string[];
  let b: string[];
  beforeAll(async () => {
    store = await openTestStore(backend);
    a = await addDevices(store, 'ward-a', 300);
    b = await addDevices(store, 'ward-b', 20);
    for (const v of ['1.2.0', '1.3.0'])
      await storeRelease(store.db, {
        manifest: manifestOf(v),
        keyId: '0123456789abcdef',
        sha256: SHA,
        size: 1234,
        path: `/data/releases/${v}.tar.gz`,
        actor: 'test',
      });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('trusts Ed25519 keys only, once each, and audits adding and removing', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const k = await trustReleaseKey(store.db, { publicPem: pem, name: 'ci', actor: 'tech' });
    // The one rule of key ids, as `onestop release verify` prints it.
    expect(k.keyId).toBe(releaseKeyId(createPublicKey(pem)));
    expect((await trustReleaseKey(store.db, { publicPem: pem, name: 'again', actor: 'tech' })).keyId).toBe(
      k.keyId,
    );
    expect(await trustedReleasePems(store.db)).toEqual([pem]);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    await expect(
      trustReleaseKey(store.db, { publicPem: rsa.toString(), name: 'r', actor: 't' }),
    ).rejects.toThrow(/Ed25519/);
    await expect(trustReleaseKey(store.db, { publicPem: 'nope', name: 'r', actor: 't' })).rejects.toThrow(
      StoreInputError,
    );
    expect(await removeReleaseKey(store.db, k.keyId, 'tech')).toBe(true);
    expect(await listReleaseKeys(store.db)).toEqual([]);
    const audit = await store.db.select().from(auditLog).where(eq(auditLog.target, k.keyId));
    expect(audit.map((x) => x.action)).toEqual(['release.key.add', 'release.key.remove']);
  });

  it('publishes a version once', async () => {
    await expect(
      storeRelease(store.db, {
        manifest: manifestOf('1.2.0'),
        keyId: 'x',
        sha256: SHA,
        size: 1,
        path: '/elsewhere',
        actor: 't',
      }),
    ).rejects.toThrow(/published already/);
  });

  it('reaches exactly the targeted devices at each stage, never other units, revoked or draining boards', async () => {
    // One board of ward-a revoked, one draining (replaced): neither may be offered anything.
    const revoked = a[5]!;
    const draining = a[6]!;
    await store.db.update(devices).set({ revokedAt: new Date() }).where(eq(devices.id, revoked));
    await replaceDevice(store.db, { deviceId: draining, newDeviceId: 'ward-a-new', actor: 't' });
    const live = a.filter((id) => id !== revoked && id !== draining).concat('ward-a-new');

    await expect(
      startRollout(store.db, { version: '1.2.0', unitId: 'ward-a', canary: [b[0]!], actor: 't' }),
    ).rejects.toThrow(/not a live device of unit:ward-a/);
    await expect(
      startRollout(store.db, { version: '1.2.0', unitId: 'ward-a', canary: [revoked], actor: 't' }),
    ).rejects.toThrow(/not a live device/);

    const r = await startRollout(store.db, {
      version: '1.2.0',
      unitId: 'ward-a',
      canary: [a[0]!, a[1]!],
      actor: 'tech',
    });
    const offered = async () =>
      (await currentOffers(store.db))
        .filter((o) => o.offer?.rolloutId === r.id)
        .map((o) => o.deviceId)
        .sort();
    expect(await offered()).toEqual([a[0], a[1]].sort());

    // Another rollout over the same counters (or the whole city) is refused while this one lives.
    await expect(
      startRollout(store.db, { version: '1.3.0', unitId: null, canary: [b[0]!], actor: 't' }),
    ).rejects.toThrow(/still live/);

    await recordUpdateStatus(store.db, a[0]!, status(a[0]!, r.id, 'healthy'));
    const w = await widenRollout(store.db, { rolloutId: r.id, percent: 25, actor: 'tech' });
    const expected = live
      .filter((id) => id === a[0] || id === a[1] || rolloutBucket(r.id, id) < 2_500)
      .sort();
    expect(await offered()).toEqual(expected);
    expect(w.offered).toBe(expected.length - 2);
    // The share is near the percentage (300 boards: far from 0 and from all).
    expect(expected.length).toBeGreaterThan(40);
    expect(expected.length).toBeLessThan(110);
    for (const id of live) expect(isTargeted(w, id)).toBe(expected.includes(id));

    // Paused: widening is refused and nobody new is offered; resumed: it goes on.
    await changeRollout(store.db, { rolloutId: r.id, action: 'pause', actor: 'tech' });
    await expect(widenRollout(store.db, { rolloutId: r.id, percent: 100, actor: 'tech' })).rejects.toThrow(
      /resume it first/,
    );
    expect(await offered()).toEqual(expected);
    await changeRollout(store.db, { rolloutId: r.id, action: 'resume', actor: 'tech' });
    await expect(widenRollout(store.db, { rolloutId: r.id, percent: 20, actor: 'tech' })).rejects.toThrow(
      /widen to more/,
    );
    const inPercent = expected.find((id) => id !== a[0] && id !== a[1])!;
    await recordUpdateStatus(store.db, inPercent, status(inPercent, r.id, 'healthy'));
    await widenRollout(store.db, { rolloutId: r.id, percent: 100, actor: 'tech' });
    expect(await offered()).toEqual([...live].sort());
    const everyone = await currentOffers(store.db);
    expect(everyone.some((o) => o.deviceId.startsWith('ward-b'))).toBe(false);
    expect(everyone.find((o) => o.deviceId === revoked)).toBeUndefined();
    expect(everyone.find((o) => o.deviceId === draining)).toBeUndefined();
    expect(await isOfferedRelease(store.db, a[0]!, '1.2.0')).toBe(true);
    expect(await isOfferedRelease(store.db, a[0]!, '1.3.0')).toBe(false);
    expect(await isOfferedRelease(store.db, b[0]!, '1.2.0')).toBe(false);

    // Withdrawn: every offer is cleared (null: an empty retained message), downloads refused.
    await changeRollout(store.db, { rolloutId: r.id, action: 'withdraw', actor: 'tech' });
    const cleared = await currentOffers(store.db, { rolloutId: r.id });
    expect(cleared.length).toBe(live.length);
    expect(cleared.every((o) => o.offer === null)).toBe(true);
    expect(await isOfferedRelease(store.db, a[0]!, '1.2.0')).toBe(false);
    const actions = (
      await store.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.target, `rollout:${r.id}`))
    ).map((x) => x.action);
    expect(actions).toEqual([
      'rollout.start',
      'rollout.widen',
      'rollout.pause',
      'rollout.resume',
      'rollout.widen',
      'rollout.withdraw',
    ]);
  });

  it('counts progress per stage and halts by itself when a stage fails too often', async () => {
    const r = await startRollout(store.db, {
      version: '1.3.0',
      unitId: 'ward-b',
      canary: [b[0]!, b[1]!],
      actor: 't',
    });
    const wider = { ...r, stage: 'percent' as const, percent: 50 };
    // Reports of a rollout that never offered the board move nothing.
    expect(await recordUpdateStatus(store.db, b[2]!, status(b[2]!, r.id, 'failed', 'boom'))).toEqual({});
    expect(await recordUpdateStatus(store.db, b[0]!, status(b[0]!, r.id, 'downloading'))).toEqual({});
    expect(await recordUpdateStatus(store.db, b[0]!, status(b[0]!, r.id, 'healthy'))).toEqual({});
    await widenRollout(store.db, { rolloutId: r.id, percent: 50, actor: 't' });
    const inPercent = b.filter((id) => !wider.canary.includes(id) && isTargeted(wider, id));
    expect(inPercent.length).toBeGreaterThanOrEqual(2);
    let p = (await rolloutProgress(store.db, r.id))!;
    expect(p.stages.canary).toMatchObject({ healthy: 1, offered: 1 });
    expect(p.stages.percent.offered).toBe(inPercent.length);
    // One failure of many in the stage: not yet (unless it is over 20 % of the stage).
    const first = await recordUpdateStatus(
      store.db,
      inPercent[0]!,
      status(inPercent[0]!, r.id, 'rolled-back', 'no MQTT'),
    );
    if (inPercent.length >= 5) expect(first).toEqual({});
    const second = await recordUpdateStatus(
      store.db,
      inPercent[1]!,
      status(inPercent[1]!, r.id, 'failed', 'crash loop'),
    );
    const halted = first.halted ?? second.halted;
    expect(halted).toMatch(/boards failed or rolled back \(rollout at stage percent/);
    p = (await rolloutProgress(store.db, r.id))!;
    expect(p.rollout.state).toBe('paused');
    expect(p.rollout.haltReason).toBe(halted);
    expect(p.stages.percent['rolled-back'] + p.stages.percent.failed).toBeGreaterThanOrEqual(1);
    expect(p.devices.find((d) => d.deviceId === inPercent[0])?.reason).toBe('no MQTT');
    const halt = await store.db.select().from(auditLog).where(eq(auditLog.action, 'rollout.halt'));
    expect(halt.map((x) => [x.actor, x.target])).toEqual([['centre', `rollout:${r.id}`]]);
    // Resuming clears the halt (audited with what it cleared).
    const resumed = await changeRollout(store.db, { rolloutId: r.id, action: 'resume', actor: 'tech' });
    expect(resumed.haltReason).toBeNull();
    await changeRollout(store.db, { rolloutId: r.id, action: 'withdraw', actor: 'tech' });
  });

  it('is done once every board of the last stage reports healthy', async () => {
    const ids = await addDevices(store, 'ward-c', 3);
    const r = await startRollout(store.db, {
      version: '1.3.0',
      unitId: 'ward-c',
      canary: [ids[0]!],
      actor: 't',
    });
    await recordUpdateStatus(store.db, ids[0]!, status(ids[0]!, r.id, 'healthy'));
    await widenRollout(store.db, { rolloutId: r.id, percent: 100, actor: 't' });
    await recordUpdateStatus(store.db, ids[0]!, status(ids[0]!, r.id, 'healthy'));
    await recordUpdateStatus(store.db, ids[1]!, status(ids[1]!, r.id, 'healthy'));
    expect(await recordUpdateStatus(store.db, ids[2]!, status(ids[2]!, r.id, 'healthy'))).toEqual({
      done: true,
    });
    expect((await rolloutProgress(store.db, r.id))!.rollout.state).toBe('done');
    // A done rollout's offers stand (the boards run it), and it no longer blocks a new one.
    expect(await isOfferedRelease(store.db, ids[0]!, '1.3.0')).toBe(true);
  });

  it('offers an active rollout to a board that joined its scope after the stage was set', async () => {
    const ids = await addDevices(store, 'ward-d', 2);
    const r = await startRollout(store.db, {
      version: '1.3.0',
      unitId: 'ward-d',
      canary: [ids[0]!],
      actor: 't',
    });
    await recordUpdateStatus(store.db, ids[0]!, status(ids[0]!, r.id, 'healthy'));
    await widenRollout(store.db, { rolloutId: r.id, percent: 100, actor: 't' });
    expect(await offerToNewDevices(store.db)).toEqual([]);
    const [late] = await addDevices(store, 'ward-d', 1, 'ward-d-late');
    expect(await offerToNewDevices(store.db)).toEqual([r.id]);
    expect(await isOfferedRelease(store.db, late!, '1.3.0')).toBe(true);
    await changeRollout(store.db, { rolloutId: r.id, action: 'pause', actor: 't' });
    await addDevices(store, 'ward-d', 1, 'ward-d-later');
    // Paused: nobody new.
    expect(await offerToNewDevices(store.db)).toEqual([]);
  });

  it('withdrawing the newest rollout clears the offer; it never re-offers an older release', async () => {
    const [e] = await addDevices(store, 'ward-e', 1);
    const r1 = await startRollout(store.db, { version: '1.2.0', unitId: 'ward-e', canary: [e!], actor: 't' });
    await recordUpdateStatus(store.db, e!, status(e!, r1.id, 'healthy'));
    await widenRollout(store.db, { rolloutId: r1.id, percent: 100, actor: 't' });
    expect(await recordUpdateStatus(store.db, e!, status(e!, r1.id, 'healthy'))).toEqual({ done: true });
    const r2 = await startRollout(store.db, { version: '1.3.0', unitId: 'ward-e', canary: [e!], actor: 't' });
    expect((await currentOffers(store.db, { deviceIds: [e!] }))[0]?.offer?.rolloutId).toBe(r2.id);
    await changeRollout(store.db, { rolloutId: r2.id, action: 'withdraw', actor: 't' });
    expect(await currentOffers(store.db, { deviceIds: [e!] })).toMatchObject([{ deviceId: e, offer: null }]);
    expect(await isOfferedRelease(store.db, e!, '1.2.0')).toBe(false);
  });

  it('widens only past a healthy stage, and counts failures over the whole rollout for the halt', async () => {
    const ids = await addDevices(store, 'ward-f', 60);
    const canary = ids.slice(0, 6);
    const r = await startRollout(store.db, { version: '1.3.0', unitId: 'ward-f', canary, actor: 't' });
    const widen = (percent: number) => widenRollout(store.db, { rolloutId: r.id, percent, actor: 't' });
    await expect(widen(50)).rejects.toThrow(/no board of stage canary reports healthy yet/);
    await recordUpdateStatus(store.db, canary[0]!, status(canary[0]!, r.id, 'healthy'));
    await widen(50);
    // One canary of six fails after the widening: alone, not enough to halt.
    expect(await recordUpdateStatus(store.db, canary[1]!, status(canary[1]!, r.id, 'rolled-back'))).toEqual(
      {},
    );
    await expect(widen(100)).rejects.toThrow(/no board of stage percent reports healthy yet/);
    const inPercent = ids.filter(
      (id) => !canary.includes(id) && isTargeted({ ...r, stage: 'percent', percent: 50 }, id),
    );
    expect(inPercent.length).toBeGreaterThanOrEqual(5);
    // One failure in the percent stage: with the canary's, two in the rollout: halted.
    const second = await recordUpdateStatus(
      store.db,
      inPercent[0]!,
      status(inPercent[0]!, r.id, 'failed', 'boom'),
    );
    expect(second.halted).toMatch(/^2 of \d+ boards failed or rolled back/);
    await changeRollout(store.db, { rolloutId: r.id, action: 'resume', actor: 't' });
    await recordUpdateStatus(store.db, inPercent[1]!, status(inPercent[1]!, r.id, 'healthy'));
    await expect(widen(100)).rejects.toThrow(/1 board\(s\) of stage percent failed or rolled back/);
    await changeRollout(store.db, { rolloutId: r.id, action: 'withdraw', actor: 't' });
  });

  it('offers an agent release to no board that reports another platform', async () => {
    const ids = await addDevices(store, 'ward-g', 3);
    const birth = (arch: string) => ({ platform: { arch, nodeAbi: '127' } });
    await store.db
      .update(devices)
      .set({ birth: birth('arm64') })
      .where(eq(devices.id, ids[0]!));
    await store.db
      .update(devices)
      .set({ birth: birth('x64') })
      .where(eq(devices.id, ids[1]!));
    await storeRelease(store.db, {
      manifest: { ...manifestOf('1.5.0'), platform: { os: 'linux', arch: 'arm64', nodeAbi: '127' } },
      keyId: '0123456789abcdef',
      sha256: SHA,
      size: 1234,
      path: '/data/releases/1.5.0.tar.gz',
      actor: 'test',
    });
    await expect(
      startRollout(store.db, { version: '1.5.0', unitId: 'ward-g', canary: [ids[1]!], actor: 't' }),
    ).rejects.toThrow(/not a live device/);
    const r = await startRollout(store.db, {
      version: '1.5.0',
      unitId: 'ward-g',
      canary: [ids[0]!],
      actor: 't',
    });
    await recordUpdateStatus(store.db, ids[0]!, status(ids[0]!, r.id, 'healthy'));
    await widenRollout(store.db, { rolloutId: r.id, percent: 100, actor: 't' });
    // Same platform, and unknown platform (an older agent): offered; another platform: not.
    expect(await isOfferedRelease(store.db, ids[0]!, '1.5.0')).toBe(true);
    expect(await isOfferedRelease(store.db, ids[1]!, '1.5.0')).toBe(false);
    expect(await isOfferedRelease(store.db, ids[2]!, '1.5.0')).toBe(true);
    await changeRollout(store.db, { rolloutId: r.id, action: 'withdraw', actor: 't' });
  });
});
