import { decodePayload, encodePayload, topicFor } from '@onestop/protocol';
import { connectDevice, provision, uniqueUnit, waitFor } from '@onestop/service/testing';
import { getCommand, requestCommand, setDeviceConfig } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import { CommandSender } from './command-sender.js';
import type { BrokerHandle } from './start-broker.js';

/** What the centre stores for a device (settings, commands) reaches it through the broker. */
describe('server to device through the database', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      deviceStateFlushMs: 50,
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

  it('sends a queued command once, and stores the device’s answer', async () => {
    const creds = await provision(store, uniqueUnit('cmd'), 'q01');
    // Queued before the device is connected: it waits for it.
    const cmd = await requestCommand(store.db, {
      deviceId: creds.deviceId,
      name: 'self-test',
      actor: 'test',
    });
    const got: string[] = [];
    // Listening from before the subscription: the command goes out as soon as the device subscribes.
    const device = await connectDevice(
      `mqtt://127.0.0.1:${broker.port}`,
      creds,
      creds.deviceId,
      (topic, payload, client) => {
        if (topic !== topicFor(creds, 'cmd/self-test')) return;
        const m = decodePayload('cmd/self-test', payload);
        if (!m.ok) return;
        got.push(m.value.cmdId);
        void client.publishAsync(
          topicFor(creds, 'cmd/self-test/res'),
          encodePayload('cmd/self-test/res', {
            v: 1,
            cmdId: m.value.cmdId,
            ts: Date.now(),
            ok: false,
            result: { keypad: false },
            error: 'keypad: missing',
          }),
          { qos: 1 },
        );
      },
    );
    await waitFor(async () => (await getCommand(store.db, cmd.cmdId))?.answeredAt != null, 5_000, 'answer');
    expect(await getCommand(store.db, cmd.cmdId)).toMatchObject({
      ok: false,
      result: { keypad: false },
      error: 'keypad: missing',
    });
    // Sent exactly once, however many signals and resyncs came meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    expect(got).toEqual([cmd.cmdId]);
    await device.close();
  });

  it('reads the queued commands once per connection, however often the device subscribes', async () => {
    const creds = await provision(store, uniqueUnit('sub'), 'q01');
    const reads = vi.spyOn(CommandSender.prototype, 'sendPending');
    try {
      const device = await connectDevice(`mqtt://127.0.0.1:${broker.port}`, creds);
      const cmdTopic = topicFor(creds, 'cmd/restart');
      // A device looping SUBSCRIBE must not turn each one into a database read.
      await Promise.all(
        Array.from({ length: 1_000 }, () => device.client.subscribeAsync(cmdTopic, { qos: 1 })),
      );
      const forDevice = () => reads.mock.calls.filter(([among]) => among?.includes(creds.deviceId)).length;
      expect(forDevice()).toBeGreaterThanOrEqual(1);
      expect(forDevice()).toBeLessThanOrEqual(2);
      // And commands still go out.
      const got: string[] = [];
      device.client.on('message', (topic, payload) => {
        const m = topic === cmdTopic ? decodePayload('cmd/restart', payload) : null;
        if (m?.ok) got.push(m.value.cmdId);
      });
      const cmd = await requestCommand(store.db, { deviceId: creds.deviceId, name: 'restart', actor: 't' });
      await waitFor(() => got.includes(cmd.cmdId), 5_000, 'the command');
      await device.close();
    } finally {
      reads.mockRestore();
    }
  });

  it('refuses unknown commands and unknown devices with a reason', async () => {
    await expect(
      requestCommand(store.db, { deviceId: 'ghost', name: 'restart', actor: 't' }),
    ).rejects.toThrow("no active device 'ghost'");
    const creds = await provision(store, uniqueUnit('cmd'), 'q02');
    await expect(
      requestCommand(store.db, { deviceId: creds.deviceId, name: 'format-disk', actor: 't' }),
    ).rejects.toThrow(/command: one of restart, reload-config, self-test, retry-dead-letters/);
  });
});
