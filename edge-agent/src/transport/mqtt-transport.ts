import { readFileSync } from 'node:fs';
import { type Backoff, keepReconnecting, type ReconnectHandle } from '@onestop/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { PublishOptions, Transport, TransportHandlers } from './transport.js';

export interface MqttTransportOptions {
  url: string;
  clientId: string;
  username: string;
  password: string;
  tlsCaFile?: string | undefined;
  /** A client certificate and its key (PEM files), presented when the broker asks. */
  tlsClient?: { certFile: string; keyFile: string } | undefined;
  will: { topic: string; payload: Buffer };
  /** The shared retry policy (`RECONNECT_BACKOFF`) unless a test shortens it. */
  backoff?: Backoff;
  logger: Logger;
}

/**
 * mqtt.js behind the Transport interface. Reconnects forever, whatever the broker said: mqtt.js 5
 * alone stops for good after a refused CONNACK (mqtt.js #1947), so its own retry is off
 * (`reconnectPeriod: 0`) and the shared policy `keepReconnecting` retries with backoff and jitter.
 */
export class MqttTransport implements Transport {
  private readonly client: MqttClient;
  private readonly retry: ReconnectHandle;
  private stopping = false;

  constructor(opts: MqttTransportOptions, handlers: TransportHandlers) {
    this.client = mqtt.connect(opts.url, {
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      ...(opts.tlsCaFile ? { ca: readFileSync(opts.tlsCaFile) } : {}),
      ...(opts.tlsClient
        ? { cert: readFileSync(opts.tlsClient.certFile), key: readFileSync(opts.tlsClient.keyFile) }
        : {}),
      // MQTT 3.1.1: every broker speaks it (the embedded one of `onestop serve` does not speak 5).
      protocolVersion: 4,
      // Connect only once the agent's extensions listen, so that no `connect` is missed.
      manualConnect: true,
      clean: true,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      // The outbox is our queue; mqtt.js must not buffer a second copy while offline.
      queueQoSZero: false,
      will: { topic: opts.will.topic, payload: opts.will.payload, qos: 1, retain: true },
    });
    this.client.on('connect', (ack) => handlers.onConnect(ack.sessionPresent));
    this.client.on('close', () => {
      if (!this.stopping) handlers.onDisconnect('connection closed');
    });
    this.client.on('error', (e) => opts.logger.warn({ err: e.message }, 'mqtt error'));
    this.retry = keepReconnecting(this.client, {
      ...(opts.backoff ? { policy: opts.backoff } : {}),
      onStatus: (status) => {
        if (!this.stopping) handlers.onLink(status);
      },
    });
    this.client.on('message', (topic, payload) => handlers.onMessage(topic, payload));
  }

  connect(): void {
    this.client.connect();
  }

  get connected(): boolean {
    return this.client.connected;
  }

  async publish(topic: string, payload: Buffer, opts: PublishOptions): Promise<void> {
    if (!this.client.connected) throw new Error('not connected');
    await this.client.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain });
  }

  async subscribe(topics: readonly string[]): Promise<void> {
    const granted = await this.client.subscribeAsync([...topics], { qos: 1 });
    const refused = granted.filter((g) => g.qos === 128);
    if (refused.length > 0)
      throw new Error(`broker refused subscription(s): ${refused.map((g) => g.topic).join(', ')}`);
  }

  async stop(last?: { topic: string; payload: Buffer; opts: PublishOptions }): Promise<void> {
    this.stopping = true;
    this.retry.stop();
    if (last && this.client.connected) {
      await Promise.race([this.publish(last.topic, last.payload, last.opts).catch(() => {}), sleep(2_000)]);
    }
    await Promise.race([this.client.endAsync(false), sleep(2_000)]);
    this.client.end(true);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
