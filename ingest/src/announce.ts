import { decodeIngestState, encodeIngestState, INGEST_STATE, PROTOCOL_VERSION } from '@onestop/protocol';
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
 * does on its STATE topic, and with its rule: the host listens to its own topic and says "online"
 * again when it hears "offline" while it is up. In a cluster, a broker that dies takes our will
 * with it, and another node says it once the dead one misses its heartbeats: minutes after the
 * ingest has moved to that node and said "online". Left standing, the stale "offline" would make
 * every device think the centre away, and no event it refuses would ever be set aside.
 */
export class Announcer {
  constructor(
    private readonly client: MqttClient,
    private readonly log: Logger,
  ) {}

  /** After the event subscription is granted: from now on a device's event reaches us. */
  listening(): void {
    this.say(true);
    // Not waited for, and a refusal (a broker ACL that does not know the topic) costs only the
    // correction of a stale will.
    this.client.subscribe(INGEST_STATE.topic, { qos: 0 }, (err, granted) => {
      if (err || granted?.some((g) => g.qos === 128))
        this.log.warn(
          { err, topic: INGEST_STATE.topic },
          'cannot hear our own state; a stale will stays until we reconnect',
        );
    });
  }

  /** A message on `INGEST_STATE.topic`. Retained copies (our own, or a will from before) are old news. */
  heard(payload: Buffer, retained: boolean): void {
    if (retained) return;
    const state = decodeIngestState(payload);
    if (state.ok && !state.value.online && this.client.connected) {
      this.log.info('heard that the ingest is offline while it listens; saying online again');
      this.say(true);
    }
  }

  /** On a graceful end (which sends no will): the devices learn at once that nobody listens. */
  async leaving(): Promise<void> {
    if (this.client.connected) await this.publish(false);
  }

  private say(online: boolean): void {
    this.publish(online).catch((err: unknown) =>
      this.log.warn({ err, online }, 'ingest state not published; said again at the next connection'),
    );
  }

  private async publish(online: boolean): Promise<void> {
    const state = online
      ? { v: PROTOCOL_VERSION, online: true as const, ts: Date.now() }
      : { v: PROTOCOL_VERSION, online: false as const };
    await this.client.publishAsync(INGEST_STATE.topic, encodeIngestState(state), PUBLISH);
  }
}
