import { encodeIngestState, INGEST_STATE, PROTOCOL_VERSION } from '@onestop/protocol';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';

/**
 * QoS 0 (as acks): a retained state is only worth its latest word, which the next connection says
 * again; at QoS 1 mqtt.js would replay a stale "online" on the next connection.
 */
const PUBLISH: IClientPublishOptions = { qos: INGEST_STATE.qos, retain: INGEST_STATE.retain };

/** The will: the broker says it for us when our connection dies without a DISCONNECT. */
export const OFFLINE_WILL = {
  topic: INGEST_STATE.topic,
  payload: encodeIngestState({ v: PROTOCOL_VERSION, online: false }),
  qos: INGEST_STATE.qos,
  retain: INGEST_STATE.retain,
};

/**
 * Tells devices whether the ingest is listening (`INGEST_STATE`), as Sparkplug B's primary host
 * does on its STATE topic: "online" once the event subscription is granted, "offline" as the will
 * and when it leaves. Unlike Sparkplug's host it does not answer a stale "offline" (in a cluster,
 * a dead node's will of our earlier connection, said by another node minutes after we moved):
 * "online" again would carry a new `ts`, and every device would re-send its window at once. A
 * device takes its next ack as proof that we listen instead (edge-agent publisher).
 */
export class Announcer {
  constructor(
    private readonly client: MqttClient,
    private readonly log: Logger,
  ) {}

  /** After the event subscription is granted: from now on a device's event reaches us. */
  listening(): void {
    this.publish(true).catch((err: unknown) =>
      this.log.warn({ err }, 'ingest state not published; said again at the next connection'),
    );
  }

  /** On a graceful end (which sends no will): the devices learn at once that nobody listens. */
  async leaving(): Promise<void> {
    if (this.client.connected) await this.publish(false);
  }

  private async publish(online: boolean): Promise<void> {
    const state = online
      ? { v: PROTOCOL_VERSION, online: true as const, ts: Date.now() }
      : { v: PROTOCOL_VERSION, online: false as const };
    await this.client.publishAsync(INGEST_STATE.topic, encodeIngestState(state), PUBLISH);
  }
}
