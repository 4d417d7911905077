import {
  type DeviceAddress,
  deviceSubscriptions,
  encodePayload,
  keepReconnecting,
  type RatingEvent,
  type ReconnectHandle,
  topicFor,
} from '@onestop/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/** A client of ours that never gives up on its broker, as every real one must (the shared policy). */
export interface ReconnectingClient {
  client: MqttClient;
  link: ReconnectHandle;
  /** Resolves at the first connection, however many refusals come before it. */
  connected(): Promise<void>;
  /** Stops retrying, then ends the client. */
  end(force?: boolean): Promise<void>;
}

/**
 * `mqtt.connect` with mqtt.js's own retry off (it gives up after a refused CONNACK, mqtt.js #1947)
 * and `keepReconnecting` in its place: a simulated device or benchmark client refused by a busy
 * broker (3) or a throttle (4) comes back like a real counter, with the same backoff and jitter.
 */
export function connectReconnecting(url: string | undefined, options: IClientOptions): ReconnectingClient {
  const opts = { ...options, reconnectPeriod: 0 };
  const client = url === undefined ? mqtt.connect(opts) : mqtt.connect(url, opts);
  const link = keepReconnecting(client);
  return {
    client,
    link,
    connected: () =>
      client.connected ? Promise.resolve() : new Promise((r) => client.once('connect', () => r())),
    async end(force = false) {
      link.stop();
      await client.endAsync(force);
    },
  };
}

export interface SimDeviceOptions {
  /** One URL, or several for fail-over (tried in turn on reconnect). */
  urls: string[];
  username: string;
  password: string;
  clientId: string;
  address: DeviceAddress;
  /** Re-send an event not acknowledged this long after it was sent. */
  resendMs?: number;
  keepalive?: number;
}

/**
 * A counter device reduced to what exactly-once delivery needs: an outbox that keeps every event
 * until the server's `ack` names it, re-sending what is unacknowledged (the edge agent does the
 * same with its on-disk outbox).
 */
export class SimDevice {
  readonly client: MqttClient;
  private readonly connection: ReconnectingClient;
  readonly outbox = new Map<string, { payload: Buffer; sentAt: number; firstAt: number }>();
  readonly latenciesMs: number[] = [];
  acked = 0;
  resent = 0;
  /** Called after each ack message, e.g. to send more (a closed-loop load generator). */
  onAck: (() => void) | null = null;
  private readonly timer: NodeJS.Timeout;
  private readonly evtTopic: string;
  private readonly ackTopic: string;

  constructor(readonly opts: SimDeviceOptions) {
    const a = opts.address;
    this.evtTopic = topicFor(a, 'evt/rating');
    this.ackTopic = topicFor(a, 'ack');
    const servers = opts.urls.map((u) => {
      const url = new URL(u);
      return { host: url.hostname, port: Number(url.port), protocol: 'mqtt' as const };
    });
    const o: IClientOptions = {
      servers,
      clientId: opts.clientId,
      username: opts.username,
      password: opts.password,
      clean: true,
      protocolVersion: 4,
      connectTimeout: 5_000,
      keepalive: opts.keepalive ?? 30,
    };
    // Fail-over: mqtt.js takes the next of `servers` at every (re)connect.
    this.connection = connectReconnecting(undefined, o);
    this.client = this.connection.client;
    this.client.on('connect', () => {
      this.client.subscribe(deviceSubscriptions(a), { qos: 1 });
      this.resend(0);
    });
    this.client.on('message', (topic, payload) => {
      if (topic !== this.ackTopic) return;
      const now = Date.now();
      for (const id of (JSON.parse(payload.toString()) as { eventIds: string[] }).eventIds) {
        const e = this.outbox.get(id);
        if (!e) continue;
        this.outbox.delete(id);
        this.acked++;
        this.latenciesMs.push(now - e.firstAt);
      }
      this.onAck?.();
    });
    const resendMs = opts.resendMs ?? 3_000;
    this.timer = setInterval(() => this.resend(resendMs), Math.max(100, resendMs / 3));
  }

  ready(): Promise<void> {
    return this.connection.connected();
  }

  send(r: RatingEvent): void {
    const payload = encodePayload('evt/rating', r);
    const now = Date.now();
    this.outbox.set(r.eventId, { payload, sentAt: now, firstAt: now });
    if (this.client.connected) this.client.publish(this.evtTopic, payload, { qos: 1 });
  }

  private resend(olderThanMs: number): void {
    if (!this.client.connected) return;
    const now = Date.now();
    for (const e of this.outbox.values()) {
      if (now - e.sentAt < olderThanMs) continue;
      e.sentAt = now;
      this.resent++;
      this.client.publish(this.evtTopic, e.payload, { qos: 1 });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.connection.end(true);
  }
}
