import { connect } from 'node:net';
import { metricValue, provision, uniqueUnit } from '@onestop/service/testing';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqttPacket from 'mqtt-packet';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

const gen = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);

/** Sends `frames` on one TCP connection and resolves when the broker has closed it. */
function sendUntilClosed(port: number, frames: Buffer[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the broker kept the connection open'));
    }, 10_000);
    socket.on('error', () => {});
    socket.on('data', () => {});
    socket.on('connect', async () => {
      for (const f of frames) {
        socket.write(f);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Frames aedes refuses by itself (its packet parser, its own topic checks) close the connection
 * before the gate sees a packet; found by the MQTT fuzz, they went uncounted.
 */
describe('connections closed by aedes are counted refusals', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  const registry = new Registry();
  const rejected = (reason: string) => metricValue(registry, 'onestop_events_rejected_total', { reason });
  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, { registry, rateLimit: null, flapping: null });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('counts a frame that is not MQTT as malformed', async () => {
    const before = await rejected('malformed');
    // A CONNECT naming protocol "MQTX": the parser refuses it.
    const connectFrame = gen({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: 'x',
      clean: true,
      keepalive: 30,
    });
    connectFrame[5] = 'X'.charCodeAt(0);
    await sendUntilClosed(broker.port, [connectFrame]);
    // A PUBLISH with both QoS bits set.
    await sendUntilClosed(broker.port, [Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01])]);
    expect(await rejected('malformed')).toBe(before + 2);
  });

  it('counts a topic aedes refuses (too many levels, a wildcard) as not a topic of the tree', async () => {
    const d = await provision(store, uniqueUnit('pe'), 'q01');
    const login = gen({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clientId: d.deviceId,
      clean: true,
      keepalive: 30,
      username: d.username,
      password: Buffer.from(d.password),
    });
    const before = await rejected('foreign_topic');
    const publish = (topic: string) => gen({ cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 0 });
    await sendUntilClosed(broker.port, [login, publish(`onestop/v1${'/x'.repeat(200)}`)]);
    await sendUntilClosed(broker.port, [login, publish('onestop/v1/#')]);
    expect(await rejected('foreign_topic')).toBe(before + 2);
  });

  it('does not count a connection cut at its header twice', async () => {
    const oversized = await rejected('oversized');
    const malformed = await rejected('malformed');
    await sendUntilClosed(broker.port, [Buffer.from([0x10, 0xff, 0xff, 0x7f])]);
    expect(await rejected('oversized')).toBe(oversized + 1);
    expect(await rejected('malformed')).toBe(malformed);
  });
});
