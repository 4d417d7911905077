import { EVENT_CHANNELS, encodePayload, type PayloadOf, parseTopic, topicFor } from '@onestop/protocol';
import mqtt, { type MqttClient } from 'mqtt';

export const MQTT_URL = process.env.ONESTOP_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

export interface Received {
  channel: string;
  deviceId: string;
  payload: Record<string, unknown>;
  retained: boolean;
}

/**
 * Plays the centre's ingest in tests: records everything a device publishes and (optionally) acks
 * events by eventId, as the real ingest does once they are stored.
 */
export class TestIngest {
  readonly received: Received[] = [];
  autoAck = true;
  private constructor(private readonly client: MqttClient) {}

  static async connect(unitId: string): Promise<TestIngest> {
    const client = await mqtt.connectAsync(MQTT_URL, {
      clientId: `test-ingest-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 200,
    });
    const ingest = new TestIngest(client);
    client.on('message', (topic, payload, packet) => ingest.onMessage(topic, payload, packet.retain));
    await client.subscribeAsync(`onestop/v1/${unitId}/+/+/#`, { qos: 1 });
    return ingest;
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    const t = parseTopic(topic);
    if (!t.ok) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    } catch {
      return;
    }
    this.received.push({ channel: t.topic.channel, deviceId: t.topic.deviceId, payload: body, retained });
    if (this.autoAck && (EVENT_CHANNELS as readonly string[]).includes(t.topic.channel)) {
      void this.ack(t.topic, [body.eventId as string]);
    }
  }

  async ack(
    addr: { unitId: string; counterId: string; deviceId: string },
    eventIds: string[],
  ): Promise<void> {
    await this.client.publishAsync(
      topicFor(addr, 'ack'),
      encodePayload('ack', { v: 1, ts: Date.now(), eventIds }),
      { qos: 1 },
    );
  }

  async send<C extends 'config' | 'ack' | 'update' | 'cmd/restart' | 'cmd/reload-config' | 'cmd/self-test'>(
    addr: { unitId: string; counterId: string; deviceId: string },
    channel: C,
    payload: PayloadOf<C> | string,
    retain = false,
  ): Promise<void> {
    const buf = typeof payload === 'string' ? Buffer.from(payload) : encodePayload(channel, payload);
    await this.client.publishAsync(topicFor(addr, channel), buf, { qos: 1, retain });
  }

  /** Clears retained messages left under this unit (tests share one broker). */
  async clearRetained(addr: { unitId: string; counterId: string; deviceId: string }): Promise<void> {
    for (const ch of ['status', 'birth', 'config'] as const) {
      await this.client.publishAsync(topicFor(addr, ch), Buffer.alloc(0), { qos: 1, retain: true });
    }
  }

  of(channel: string): Received[] {
    return this.received.filter((r) => r.channel === channel);
  }

  async waitFor(pred: (r: Received[]) => boolean, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!pred(this.received)) {
      if (Date.now() > end)
        throw new Error(`timed out; received: ${this.received.map((r) => r.channel).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export const uniqueUnit = (prefix: string) =>
  `${prefix}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
