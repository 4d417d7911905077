import { connectDevice, metricValue, provision, uniqueUnit, waitFor } from '@onestop/service/testing';
import {
  claimPairingCode,
  type Notifications,
  type ProvisionedDevice,
  reissuePairingCode,
  restoreDevice,
  revokeDevice,
  rotateDevicePassword,
  type Subscription,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

/** The CONNACK return code a login gets (0 accepted), or -1 when the connection just closed. */
const tryConnect = (url: string, d: ProvisionedDevice) =>
  new Promise<number>((resolve) => {
    const c = mqtt.connect(url, {
      clientId: d.deviceId,
      username: d.username,
      password: d.password,
      reconnectPeriod: 0,
      connectTimeout: 30_000,
    });
    // Settled by the first event: ending the client closes it, and that close is not a refusal.
    c.once('connect', () => {
      resolve(0);
      c.end(true);
    });
    c.once('error', (e: Error & { code?: number }) => {
      resolve(typeof e.code === 'number' ? e.code : -1);
      c.end(true);
    });
    c.once('close', () => resolve(-1));
  });

/**
 * Whether a login lasts: accepted, and its subscriptions granted. A node may accept the CONNECT
 * and close the connection right after it (a revocation it holds): that is no login either.
 */
async function staysIn(url: string, d: ProvisionedDevice): Promise<boolean> {
  let dev: Awaited<ReturnType<typeof connectDevice>>;
  try {
    dev = await connectDevice(url, d);
  } catch {
    return false;
  }
  await dev.close();
  return true;
}

/** A connected board, and whether the broker has closed it since. */
async function liveBoard(url: string, d: ProvisionedDevice) {
  const dev = await connectDevice(url, d);
  const board = { dev, dropped: false };
  dev.client.once('close', () => {
    board.dropped = true;
  });
  return board;
}

/**
 * The store's real signals, with a switch that makes the broker miss them (as while its listening
 * connection is down) and a way to run the catch-up its reconnect would run.
 */
function deafenable(real: Notifications) {
  const state = { deaf: false, subs: [] as Subscription[] };
  const notifications: Notifications = {
    subscribe(sub) {
      const on = Object.fromEntries(
        Object.entries(sub.on).map(([channel, handler]) => [
          channel,
          (payload: never) => (state.deaf ? undefined : (handler as (p: never) => unknown)(payload)),
        ]),
      );
      state.subs.push(sub);
      return real.subscribe({ ...sub, on });
    },
    close: () => real.close(),
  };
  return { state, notifications, resync: () => Promise.all(state.subs.map((s) => s.resync())) };
}

describe('a board whose credentials change while it is connected', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let signals: ReturnType<typeof deafenable>;
  const registry = new Registry();
  const url = () => `mqtt://127.0.0.1:${broker.port}`;
  const refused = (reason: string) => metricValue(registry, 'onestop_events_rejected_total', { reason });

  beforeAll(async () => {
    store = await openTestStore('pglite');
    signals = deafenable(store.notifications);
    broker = await startTestBroker({ db: store.db, notifications: signals.notifications }, { registry });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('is cut when revoked, and refused as withdrawn when it dials again', async () => {
    const d = await provision(store, uniqueUnit('cut'), 'q01');
    const board = await liveBoard(url(), d);
    await revokeDevice(store.db, d.deviceId, 'test');
    await waitFor(() => board.dropped, 5_000, 'the revoked board to be cut');
    const before = await refused('revoked');
    // 5, "not authorized": the kiosk then says it was withdrawn.
    expect(await tryConnect(url(), d)).toBe(5);
    expect(await refused('revoked')).toBe(before + 1);
    await board.dev.close();
  });

  it('is cut when re-paired, its old password refused and the new board let in', async () => {
    const d = await provision(store, uniqueUnit('repair'), 'q01');
    const board = await liveBoard(url(), d);
    const issued = await reissuePairingCode(store.db, { deviceId: d.deviceId, actor: 'test' });
    // Issuing a code changes nothing yet: the board in place keeps working until it is claimed.
    expect(board.dev.client.connected).toBe(true);
    const claim = await claimPairingCode(store.db, { code: issued.code, address: '10.0.0.9' });
    if (!claim.ok) throw new Error(`claim refused: ${claim.reason}`);
    await waitFor(() => board.dropped, 5_000, 'the old board to be cut');
    const before = await refused('auth_failed');
    expect(await tryConnect(url(), d)).toBe(4);
    expect(await refused('auth_failed')).toBe(before + 1);
    const fresh = await connectDevice(url(), { ...d, password: claim.device.password });
    expect(fresh.client.connected).toBe(true);
    await fresh.close();
    await board.dev.close();
  });

  it('is cut when its password is rotated, the old one refused from then on', async () => {
    const d = await provision(store, uniqueUnit('rotate'), 'q01');
    const board = await liveBoard(url(), d);
    const rotated = await rotateDevicePassword(store.db, d.deviceId, 'test');
    await waitFor(() => board.dropped, 5_000, 'the board to be cut');
    expect(await tryConnect(url(), d)).toBe(4);
    expect(await staysIn(url(), rotated)).toBe(true);
    await board.dev.close();
  });

  it('is cut on catch-up when the broker missed the re-pair or the revocation', async () => {
    const repaired = await provision(store, uniqueUnit('missed'), 'q01');
    const revoked = await provision(store, uniqueUnit('missed'), 'q02');
    const kept = await provision(store, uniqueUnit('missed'), 'q03');
    const boards = await Promise.all([repaired, revoked, kept].map((d) => liveBoard(url(), d)));
    signals.state.deaf = true;
    try {
      await rotateDevicePassword(store.db, repaired.deviceId, 'test');
      await revokeDevice(store.db, revoked.deviceId, 'test');
      // Nothing heard: both still connected (this is what the catch-up is for).
      await new Promise((r) => setTimeout(r, 200));
      expect(boards.map((b) => b.dropped)).toEqual([false, false, false]);
    } finally {
      signals.state.deaf = false;
    }
    await signals.resync();
    await waitFor(() => boards[0]!.dropped && boards[1]!.dropped, 5_000, 'the catch-up to cut both');
    // A board whose standing did not change is left alone.
    expect(boards[2]!.dropped).toBe(false);
    expect(boards[2]!.dev.client.connected).toBe(true);
    await Promise.all(boards.map((b) => b.dev.close()));
  });

  it('is let in after a restore the broker missed, once it catches up', async () => {
    const d = await provision(store, uniqueUnit('restore'), 'q01');
    const board = await liveBoard(url(), d);
    await revokeDevice(store.db, d.deviceId, 'test');
    await waitFor(() => board.dropped, 5_000, 'the revoked board to be cut');
    await board.dev.close();
    signals.state.deaf = true;
    try {
      await restoreDevice(store.db, d.deviceId, 'test');
      // The node still holds the revocation it heard: the restored board is turned away.
      expect(await staysIn(url(), d)).toBe(false);
    } finally {
      signals.state.deaf = false;
    }
    await signals.resync();
    expect(await staysIn(url(), d)).toBe(true);
  });

  it('is let in by a broker that was down while it was restored, when that broker starts', async () => {
    const d = await provision(store, uniqueUnit('down'), 'q01');
    const first = await startTestBroker(store);
    const board = await liveBoard(`mqtt://127.0.0.1:${first.port}`, d);
    await revokeDevice(store.db, d.deviceId, 'test');
    await waitFor(() => board.dropped, 5_000, 'the revoked board to be cut');
    await board.dev.close();
    await first.close();
    await restoreDevice(store.db, d.deviceId, 'test');
    const second = await startTestBroker(store);
    try {
      expect(await staysIn(`mqtt://127.0.0.1:${second.port}`, d)).toBe(true);
    } finally {
      await second.close();
    }
  });
});
