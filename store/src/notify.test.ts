import { connect, createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db.js';
import { provisionDevice, revokeDevice } from './devices.js';
import {
  type Channel,
  chunkNotification,
  LISTEN_APPLICATION,
  NotificationHub,
  type NotificationPayload,
  notify,
  postgresListenTransport,
  type Subscription,
} from './notify.js';
import { openPgliteThread } from './pglite-thread.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

/** Records what a subscription hears: every payload of `channel`, and how many resyncs. */
function recorder<C extends Channel>(store: Store, channel: C) {
  const got: Array<NotificationPayload<C>> = [];
  const errors: Error[] = [];
  let resyncs = 0;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const sub = {
    on: {
      [channel]: (p: NotificationPayload<C>) => {
        got.push(p);
        wake();
      },
    },
    resync: () => {
      resyncs++;
      wake();
    },
    onError: (e: Error) => errors.push(e),
  } as Subscription;
  const unsubscribe = store.notifications.subscribe(sub);
  const until = async (ok: () => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error('timed out waiting for a notification');
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 50);
      });
    }
  };
  return { got, errors, resyncs: () => resyncs, until, unsubscribe };
}

describe('chunkNotification', () => {
  it('splits the ID list so that every part fits one NOTIFY, losing none', () => {
    const unitIds = Array.from({ length: 2_000 }, (_, i) => `unit-${i}`);
    const parts = chunkNotification({ unitIds, count: 2_000 }, 1_000);
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(Buffer.byteLength(JSON.stringify(p))).toBeLessThan(1_000);
    expect(parts.flatMap((p) => p.unitIds)).toEqual(unitIds);
  });
});

describe.each(STORE_BACKENDS)('notifications on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(() => store?.close());

  it('resyncs once listening, then delivers committed signals only', async () => {
    const r = recorder(store, 'command_queued');
    await r.until(() => r.resyncs() === 1);
    await expect(
      store.db.transaction(async (tx) => {
        await notify(tx, 'command_queued', { deviceId: 'rolled-back' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await store.db.transaction((tx) => notify(tx, 'command_queued', { deviceId: 'committed' }));
    await r.until(() => r.got.length > 0);
    // Notifications arrive in commit order: had the rolled-back one gone out, it would be first.
    expect(r.got).toEqual([{ deviceId: 'committed' }]);
    r.unsubscribe();
  });

  it('ignores a malformed signal, says so, and keeps delivering', async () => {
    const r = recorder(store, 'device_revoked');
    await r.until(() => r.resyncs() === 1);
    await store.db.execute(sql`select pg_notify('device_revoked', 'not json')`);
    await notify(store.db, 'device_revoked', { deviceId: 'd1' });
    await r.until(() => r.got.length > 0);
    expect(r.got).toEqual([{ deviceId: 'd1' }]);
    expect(r.errors.map((e) => e.message).join()).toMatch(/malformed 'device_revoked'/);
    r.unsubscribe();
  });

  it('signals a revocation made through another connection', async () => {
    const other = store.url ? await openStore({ kind: 'postgres', url: store.url, poolSize: 1 }) : store;
    try {
      const r = recorder(store, 'device_revoked');
      await r.until(() => r.resyncs() === 1);
      const d = await provisionDevice(other.db, { unitId: 'u1', counterId: 'q01', actor: 't' });
      expect(await revokeDevice(other.db, d.deviceId, 't')).toBe(true);
      await r.until(() => r.got.some((p) => p.deviceId === d.deviceId));
      r.unsubscribe();
    } finally {
      if (other !== store) await other.close();
    }
  });

  it('says "every unit" when one statement touches too many units to name in one NOTIFY', async () => {
    const devicesChanged = recorder(store, 'devices_changed');
    const alertsChanged = recorder(store, 'alerts_changed');
    await devicesChanged.until(() => devicesChanged.resyncs() === 1);
    await alertsChanged.until(() => alertsChanged.resyncs() === 1);
    // 400 units of ~35 bytes each: a list of ~14 kB, which PostgreSQL would refuse (and with
    // it the whole statement) were it sent as it is.
    await store.db.execute(sql`
      insert into devices (id, unit_id, counter_id, username, password_hash)
      select 'many-' || i, 'a-ward-with-a-long-identifier-' || i, 'q01', 'many-' || i, 'x'
      from generate_series(1, 400) as i`);
    await store.db.execute(sql`update devices set status = 'online' where id like 'many-%'`);
    await store.db.execute(sql`
      insert into alerts (unit_id, device_id, kind, message)
      select unit_id, id, 'offline', 'gone' from devices where id like 'many-%'`);
    await store.db.execute(sql`update alerts set resolved_at = now() where device_id like 'many-%'`);
    await devicesChanged.until(() => devicesChanged.got.length >= 2);
    await alertsChanged.until(() => alertsChanged.got.length >= 2);
    expect(devicesChanged.got).toEqual([{ unitIds: null }, { unitIds: null }]);
    expect(alertsChanged.got).toEqual([{ unitIds: null }, { unitIds: null }]);
    // A statement touching few units still names them.
    await store.db.execute(sql`update devices set status = 'offline' where id = 'many-7'`);
    await devicesChanged.until(() => devicesChanged.got.length >= 3);
    expect(devicesChanged.got[2]).toEqual({ unitIds: ['a-ward-with-a-long-identifier-7'] });
    devicesChanged.unsubscribe();
    alertsChanged.unsubscribe();
  });
});

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('the PostgreSQL listening connection', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('postgres');
  });
  afterAll(() => store?.close());

  it('comes back after its backend is terminated and resyncs, so nothing is missed', async () => {
    const r = recorder(store, 'command_queued');
    await r.until(() => r.resyncs() === 1);
    const killed = await store.db.execute(
      sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
          where application_name = ${LISTEN_APPLICATION} and datname = current_database()`,
    );
    expect((killed as unknown as { rows: unknown[] }).rows).toHaveLength(1);
    // Sent while no one listens: only the resync's catch-up read can find this change.
    await notify(store.db, 'command_queued', { deviceId: 'while-down' });
    await r.until(() => r.resyncs() === 2);
    expect(r.errors.map((e) => e.message).join()).toMatch(/listening connection lost/);
    await notify(store.db, 'command_queued', { deviceId: 'after' });
    await r.until(() => r.got.some((p) => p.deviceId === 'after'));
    r.unsubscribe();
  });
});

/**
 * A TCP proxy in front of PostgreSQL that can black-hole the connections it carries: bytes are
 * swallowed both ways and nothing is closed, as when a NAT forgets a link or a failover leaves
 * no one to send a reset. New connections still go through.
 */
class BlackHoleProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  port = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<void> {
    const server = createServer((down) => {
      const up = connect(Number(this.target.port || 5432), this.target.hostname);
      const pair: [Socket, Socket] = [down, up];
      this.pairs.add(pair);
      for (const s of pair) {
        this.sockets.add(s);
        s.on('error', () => s.destroy());
      }
      down.pipe(up).pipe(down);
      down.on('close', () => up.destroy());
      up.on('close', () => down.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  url(): string {
    const u = new URL(this.target);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Every connection open now goes silent, and stays open. */
  blackHole(): void {
    for (const [down, up] of this.pairs) {
      down.unpipe(up);
      up.unpipe(down);
      down.on('data', () => {});
      up.on('data', () => {});
    }
    this.pairs.clear();
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('a listening connection that goes silent', () => {
  let store: TestStore;
  let proxy: BlackHoleProxy;
  beforeAll(async () => {
    store = await openTestStore('postgres');
    proxy = new BlackHoleProxy(new URL(store.url!));
    await proxy.start();
  });
  afterAll(async () => {
    await proxy?.close();
    await store?.close();
  });

  it('is noticed by its heartbeat, remade and resynced, and the loss is reported', async () => {
    const hub = new NotificationHub(
      postgresListenTransport(proxy.url(), { intervalMs: 200, timeoutMs: 300 }),
    );
    try {
      const r = recorder({ ...store, notifications: hub }, 'command_queued');
      await r.until(() => r.resyncs() === 1);
      proxy.blackHole();
      // Sent while the link is silent: heard by no one; only the resync's catch-up read finds it.
      await notify(store.db, 'command_queued', { deviceId: 'while-silent' });
      await r.until(() => r.resyncs() === 2, 5_000);
      expect(r.errors.map((e) => e.message).join()).toMatch(/listening connection lost: heartbeat/);
      await notify(store.db, 'command_queued', { deviceId: 'after' });
      await r.until(() => r.got.some((p) => p.deviceId === 'after'));
    } finally {
      await hub.close();
    }
  });
});

describe('notifications from the PGlite thread', () => {
  it('are forwarded to the main thread, after the commit only', async () => {
    const store = await openPgliteThread(null);
    try {
      const r = recorder(store, 'config_changed');
      await r.until(() => r.resyncs() === 1);
      await expect(
        store.db.transaction(async (tx) => {
          await notify(tx, 'config_changed', { unitId: 'rolled-back' });
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      await store.db.transaction((tx) => notify(tx, 'config_changed', { deviceIds: ['a', 'b'] }));
      await r.until(() => r.got.length > 0);
      expect(r.got).toEqual([{ deviceIds: ['a', 'b'] }]);
    } finally {
      await store.close();
    }
  });
});
