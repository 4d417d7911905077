import {
  type DeviceAddress,
  deviceSubscriptions,
  encodePayload,
  type RatingEvent,
  topicFor,
} from '@onestop/protocol';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

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
      reconnectPeriod: 300,
      connectTimeout: 5_000,
      keepalive: opts.keepalive ?? 30,
    };
    this.client = mqtt.connect(o);
    this.client.on('connect', () => {
      this.client.subscribe(deviceSubscriptions(a), { qos: 1 });
      this.resend(0);
    });
    this.client.on('error', () => {});
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
    if (this.client.connected) return Promise.resolve();
    return new Promise((r) => this.client.once('connect', () => r()));
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
    await this.client.endAsync(true);
  }
}
