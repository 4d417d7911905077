import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import { decodeIngestState, encodeIngestState, INGEST_STATE, type IngestState } from '@onestop/protocol';
import {
  metricValue,
  provision,
  servicePassword,
  silentLogger,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** What a device hears on `INGEST_STATE.topic`, through the real broker's door and ACL. */
describe("the ingest's state, as devices hear it", () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let ingest: IngestHandle | null = null;
  let device: MqttClient;
  const heard: Array<IngestState & { retained: boolean }> = [];
  const password = servicePassword();
  const registry = new Registry();
  const unit = uniqueUnit('state');
  const startOurIngest = () =>
    startIngest({
      store,
      mqttUrl: `mqtt://127.0.0.1:${broker.port}`,
      username: 'ingest',
      password,
      clientId: `ingest-${unit}`,
      registry: new Registry(),
      logger: silentLogger,
    });

  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      registry,
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
    });
    const creds = await provision(store, unit, 'q01');
    device = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      clientId: creds.deviceId,
      username: creds.username,
      password: creds.password,
      reconnectPeriod: 0,
    });
    device.on('message', (topic, payload, packet) => {
      const s = topic === INGEST_STATE.topic ? decodeIngestState(payload) : null;
      if (s?.ok) heard.push({ ...s.value, retained: packet.retain });
    });
    const [granted] = await device.subscribeAsync(INGEST_STATE.topic, { qos: 1 });
    expect(granted?.qos).not.toBe(128);
  });
  afterAll(async () => {
    await device?.endAsync();
    await ingest?.close();
    await broker?.close();
    await store?.close();
  });

  it('says online once subscribed, with a new ts each time, and offline when it leaves', async () => {
    ingest = await startOurIngest();
    await waitFor(() => heard.some((s) => s.online), 5_000, 'online');
    await ingest.close();
    ingest = null;
    await waitFor(() => heard.at(-1)?.online === false, 5_000, 'offline on a graceful close');
    ingest = await startOurIngest();
    await waitFor(() => heard.at(-1)?.online === true, 5_000, 'online again');
    const onlines = heard.filter((s) => s.online);
    expect(new Set(onlines.map((s) => s.ts)).size).toBe(onlines.length);
  });

  const refusals = (reason: string) => metricValue(registry, 'onestop_events_rejected_total', { reason });

  it("keeps a device's will from speaking for the ingest", async () => {
    // Dropped at CONNECT: a node that dies takes the client with it, and another node says its
    // will later without any session to check it against.
    const creds = await provision(store, unit, 'q03');
    const before = { foreign: await refusals('foreign_topic'), heard: heard.length };
    const liar = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, {
      clientId: creds.deviceId,
      username: creds.username,
      password: creds.password,
      reconnectPeriod: 0,
      will: {
        topic: INGEST_STATE.topic,
        payload: encodeIngestState({ v: 1, online: false }),
        qos: 0,
        retain: true,
      },
    });
    expect(await refusals('foreign_topic')).toBe(before.foreign + 1);
    liar.stream.destroy();
    await new Promise((r) => setTimeout(r, 300));
    expect(heard.slice(before.heard)).toEqual([]);
  });

  it('refuses a device that claims to be the ingest', async () => {
    const before = { wrong: await refusals('wrong_direction'), heard: heard.length };
    await device.publishAsync(INGEST_STATE.topic, encodeIngestState({ v: 1, online: false }), {
      qos: 1,
      retain: true,
    });
    await waitFor(async () => (await refusals('wrong_direction')) === before.wrong + 1, 2_000, 'refusal');
    expect(heard.slice(before.heard)).toEqual([]);
  });
});
