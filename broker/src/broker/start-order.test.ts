import { silentLogger } from '@onestop/service/testing';
import type { Notifications, Subscription } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerHandle, startBroker } from './start-broker.js';

describe('a starting broker', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(() => store?.close());

  it('opens no listener before it hears revocations and has caught up once', async () => {
    // The store's signals, with the broker's first catch-up held back until released.
    const subs: Subscription[] = [];
    const notifications: Notifications = {
      subscribe: (sub) => {
        subs.push(sub);
        return () => {};
      },
      close: async () => {},
    };
    let broker: BrokerHandle | null = null;
    const starting = startBroker({
      store: { db: store.db, notifications },
      mqttPort: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: silentLogger,
      serviceCredentials: [],
    }).then((b) => {
      broker = b;
      return b;
    });
    try {
      // Had the listeners opened first, a device could log in while no revocation is heard.
      await new Promise((r) => setTimeout(r, 300));
      expect(subs.map((s) => Object.keys(s.on))).toEqual([
        ['device_revoked', 'device_changed', 'update_offers_changed', 'command_queued', 'config_changed'],
      ]);
      expect(broker).toBeNull();
      await subs[0]?.resync();
      expect((await starting).port).toBeGreaterThan(0);
    } finally {
      await (await starting).close();
    }
  });
});
