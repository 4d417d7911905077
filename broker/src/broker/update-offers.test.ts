import { randomUUID } from 'node:crypto';
import { decodePayload, encodePayload, topicFor, type UpdateOffer } from '@onestop/protocol';
import { connectDevice, provision, uniqueUnit, waitFor } from '@onestop/service/testing';
import { changeRollout, rolloutProgress, startRollout, storeRelease } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

const SHA = 'c'.repeat(64);

/** Release offers: stored by any process, published retained to exactly the targeted boards. */
describe('release offers through the broker', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, { deviceStateFlushMs: 50 });
    await storeRelease(store.db, {
      manifest: {
        format: 1,
        version: '2.0.0',
        createdAt: Date.now(),
        components: ['agent', 'models'],
        platform: null,
        minConfigSchema: 1,
        files: [{ path: 'main.js', size: 1, sha256: SHA, mode: 0o644 }],
        models: [],
        notes: '',
      },
      keyId: '0123456789abcdef',
      sha256: SHA,
      size: 4096,
      path: '/nowhere/2.0.0.tar.gz',
      actor: 'test',
    });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('offers the canary only, stores its failure report, halts, and clears the offer on withdrawal', async () => {
    const unit = uniqueUnit('upd');
    const canary = await provision(store, unit, 'q01');
    const other = await provision(store, unit, 'q02');
    const elsewhere = await provision(store, uniqueUnit('upd-b'), 'q01');
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const seen = new Map<string, Array<UpdateOffer | null>>();
    const listen = async (creds: typeof canary) => {
      const list: Array<UpdateOffer | null> = [];
      seen.set(creds.deviceId, list);
      const topic = topicFor(creds, 'update');
      return connectDevice(url, creds, creds.deviceId, (t, payload) => {
        if (t !== topic) return;
        if (payload.length === 0) list.push(null);
        else {
          const m = decodePayload('update', payload);
          if (m.ok) list.push(m.value);
        }
      });
    };
    const devices = [await listen(other), await listen(elsewhere), await listen(canary)];

    // Stored straight in the database, as the dashboard or `onestop rollout start` would.
    const r = await startRollout(store.db, {
      version: '2.0.0',
      unitId: unit,
      canary: [canary.deviceId],
      actor: 't',
    });
    await waitFor(() => (seen.get(canary.deviceId)?.length ?? 0) > 0, 5_000, 'offer');
    expect(seen.get(canary.deviceId)).toEqual([
      expect.objectContaining({
        rolloutId: r.id,
        version: '2.0.0',
        url: '/api/releases/2.0.0/bundle',
        size: 4096,
        sha256: SHA,
        components: ['agent', 'models'],
      }),
    ]);
    // Retained: a board that (re)subscribes later gets it; the others, subscribed all along, got nothing.
    const again = await listen(canary);
    await waitFor(() => (seen.get(canary.deviceId)?.length ?? 0) > 0, 5_000, 'retained offer');
    expect(seen.get(other.deviceId)).toEqual([]);
    expect(seen.get(elsewhere.deviceId)).toEqual([]);

    // The canary reports a rollback over MQTT: stored, and one failure of one canary halts it.
    await again.client.publishAsync(
      topicFor(canary, 'update/status'),
      encodePayload('update/status', {
        v: 1,
        deviceId: canary.deviceId,
        bootId: randomUUID(),
        ts: Date.now(),
        rolloutId: r.id,
        version: '2.0.0',
        running: '1.0.0',
        state: 'rolled-back',
        progress: null,
        reason: 'not healthy within 300 s: no MQTT',
      }),
      { qos: 1, retain: true },
    );
    await waitFor(
      async () => (await rolloutProgress(store.db, r.id))?.rollout.state === 'paused',
      5_000,
      'halt',
    );
    const p = (await rolloutProgress(store.db, r.id))!;
    expect(p.rollout.haltReason).toMatch(/1 of 1 boards failed or rolled back \(rollout at stage canary/);
    expect(p.stages.canary['rolled-back']).toBe(1);

    await changeRollout(store.db, { rolloutId: r.id, action: 'withdraw', actor: 't' });
    await waitFor(() => seen.get(canary.deviceId)?.at(-1) === null, 5_000, 'cleared offer');
    expect(seen.get(other.deviceId)).toEqual([]);
    await Promise.all([...devices, again].map((d) => d.close()));
  });
});
