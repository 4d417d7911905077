import { decodePayload, topicFor } from '@onestop/protocol';
import { setDeviceConfig } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDevice, provision, silentLogger, uniqueUnit, waitFor } from '../testing/harness.js';
import { type BrokerHandle, startBroker } from './start-broker.js';

describe('desired settings reach a connected device', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startBroker({
      store,
      mqttPort: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: silentLogger,
      serviceCredentials: [],
      configPollMs: 100,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('publishes settings stored by another process, retained, with the new version', async () => {
    const creds = await provision(store, uniqueUnit('cfg'), 'q01');
    const device = await connectDevice(`mqtt://127.0.0.1:${broker.port}`, creds);
    const seen: Array<{ version: number; scale: string }> = [];
    const configTopic = topicFor(creds, 'config');
    device.client.on('message', (topic, payload) => {
      if (topic !== configTopic || payload.length === 0) return;
      const m = decodePayload('config', payload);
      if (m.ok) seen.push({ version: m.value.version, scale: m.value.settings.scale });
    });
    // Stored straight in the database, as the dashboard or `onestop device config` would.
    await setDeviceConfig(store.db, { deviceId: creds.deviceId, settings: { scale: 'keypad5' }, actor: 't' });
    await waitFor(() => seen.length > 0, 5_000, 'config');
    expect(seen.at(-1)).toEqual({ version: 1, scale: 'keypad5' });
    await setDeviceConfig(store.db, { deviceId: creds.deviceId, settings: { scale: 'keypad3' }, actor: 't' });
    await waitFor(() => seen.some((s) => s.version === 2), 5_000, 'config v2');
    expect(seen.at(-1)).toEqual({ version: 2, scale: 'keypad3' });
    await device.close();
  });
});
