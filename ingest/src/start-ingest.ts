import {
  backoffDelay,
  CHANNELS,
  channelsFrom,
  type DeviceAddress,
  type ParsedTopic,
  prepareDecoders,
  SERVICE_BACKOFF,
  TOPIC_ROOT,
  topicFor,
} from '@onestop/protocol';
import { counter, histogram, LogThrottle } from '@onestop/service';
import {
  type Database,
  describeDatabaseError,
  type IngestEvent,
  ingestBatch,
  isTransientDatabaseError,
  type Notifications,
  notify,
  schema,
  storeDeadLetter,
} from '@onestop/store';
import { eq, isNotNull, sql } from 'drizzle-orm';
import type { IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ackPayloads } from './acks.js';
import { Announcer, OFFLINE_WILL } from './announce.js';
import { decodeEvent } from './decode.js';
import type { IngestEndpoint } from './endpoint.js';
import { GroupCommit } from './group-commit.js';
import { HealthTracker, type IngestHealth } from './health.js';
import { CommitLanes } from './lanes.js';
import { openLink } from './link.js';
import { isolatePoison } from './poison.js';

export type IngestOptions = IngestEndpoint & {
  /**
   * `kind`: PGlite has one connection, so it always commits in one lane; with `notifications`,
   * events a device sends after it was revoked are not stored.
   */
  store: { db: Database; kind?: 'pglite' | 'postgres'; notifications?: Notifications };
  username?: string;
  password?: string;
  /** Unique per ingest process; fixed, so that a persistent session is found again after a restart. */
  clientId: string;
  /**
   * Ask the broker to keep this subscriber's session and queue events for it while it is away
   * (default false: a clean session). Only where queuing is cheap (Mosquitto, EMQX); see `clean`
   * below for why the default does without.
   */
  persistentSession?: boolean;
  registry: Registry;
  logger: Logger;
  /**
   * Shared-subscription group (`$share/{group}/…`) so several ingest processes split the load.
   * Only for brokers that support it (Mosquitto ≥ 2, EMQX); aedes does not, so the default is none.
   */
  sharedGroup?: string | null;
  /** Narrower event filter than every device's `evt/#` (e.g. one unit per ingest, or tests on a shared broker). */
  filter?: string;
  /** Most events per transaction (default 1,000). */
  batchSize?: number;
  /**
   * Transactions in flight at once on PostgreSQL, units pinned to one each (default 1). More lanes
   * only pay where the database has cores to spare: on a 2-vCPU machine carrying the whole centre,
   * four lanes made smaller batches whose fixed costs (judging, roll-up and dossier statements)
   * cost PostgreSQL 3.5 ms of CPU per event against 2.3 ms in one lane, and ack p95 was 2.7 s
   * against 1.55 s (BENCHMARKS.md, "The faulted split day drains again; one commit lane").
   */
  commitLanes?: number;
  flushMs?: number;
  /** Extra mqtt.js options, e.g. `ca` for mqtts. */
  mqttOptions?: IClientOptions;
  /**
   * true (default): `startIngest` resolves once the broker has accepted the ingest and granted its
   * subscription, however many refusals that takes (each retried, none fatal): what an in-process
   * caller such as `onestop serve` wants before it says it is up. false: resolves at once and the
   * link is reported by `health()`; what a supervised `onestop ingest` wants, so that its
   * `/healthz` answers (503, with the broker's reason) while the broker refuses it.
   */
  awaitBroker?: boolean;
};

export interface IngestHandle {
  /** Commits whatever is pending and waits for its acks to be handed to the client. */
  flush(): Promise<void>;
  /** Whether events can arrive and whether they are being stored (see `judgeIngest`). */
  health(): IngestHealth;
  close(): Promise<void>;
}

interface Item {
  topic: ParsedTopic;
  event: IngestEvent;
}

export const EVENT_FILTER = `${TOPIC_ROOT}/+/+/+/evt/#`;

/**
 * Subscribes to every device's events at QoS 1 (a clean session unless asked), validates them again,
 * stores them in group-committed transactions and, only after commit, tells each device which of
 * its events are stored (its `ack` topic) so it may drop them from its outbox.
 *
 * PUBACK to the broker goes out on receipt, not after commit: mqtt.js handles incoming packets
 * strictly one at a time and sends PUBACK when its per-message hook returns, so holding it until
 * commit would mean one transaction per message. A crash between receipt and commit therefore
 * loses nothing: the device keeps every event until its `ack` arrives and re-sends it.
 */
export async function startIngest(opts: IngestOptions): Promise<IngestHandle> {
  const { logger, registry } = opts;
  prepareDecoders(channelsFrom('device').filter((c) => c.startsWith('evt/')));
  const log = logger.child({ component: 'ingest' });
  const ingested = counter(registry, 'onestop_events_ingested_total', 'Events newly stored, by type', [
    'type',
  ]);
  const duplicates = counter(
    registry,
    'onestop_events_duplicate_total',
    'Events received again (already stored)',
  );
  const invalid = counter(registry, 'onestop_ingest_rejected_total', 'Messages the ingest refused to store', [
    'reason',
  ]);
  const acksDropped = counter(
    registry,
    'onestop_ingest_acks_dropped_total',
    'Stored events whose ack was not sent because the broker link was down (their devices re-send)',
  );
  const batchSize = histogram(
    registry,
    'onestop_ingest_batch_size',
    'Events per ingest transaction',
    [1, 5, 20, 50, 100, 200, 500, 1000],
  );
  const batchSeconds = histogram(
    registry,
    'onestop_ingest_batch_seconds',
    'Time to commit one ingest transaction',
    [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );

  // Under a backlog, bigger batches share each statement's fixed cost and mean fewer `ack`
  // messages per event.
  const max = opts.batchSize ?? 1_000;
  const base = opts.filter ?? EVENT_FILTER;
  const filter = opts.sharedGroup ? `$share/${opts.sharedGroup}/${base}` : base;
  const clientOptions: IClientOptions = {
    ...opts.mqttOptions,
    clientId: opts.clientId,
    username: opts.username,
    password: opts.password,
    // The devices' outboxes are the queue of record: an event not acknowledged is sent again
    // (edge-agent publisher), so a broker-side queue for the ingest only shortens the wait after
    // an outage, and never completely: brokers cap it (Mosquitto's max_queued_messages, EMQX's
    // max_mqueue_len, and aedes-persistence-redis replays at most 1,000 per reconnect, leaving the
    // rest in Redis). On the clustered aedes it also cost ~6 Redis round trips per event on the
    // ingest's one connection, whose packets aedes handles one at a time: after a broker kill at
    // 1,000 counters its replay ran at ~20 events/s, and the city waited 50-90 s for any ack.
    clean: !opts.persistentSession,
    // Said by the broker when this connection dies: devices stop counting missing acks against events.
    will: OFFLINE_WILL,
    protocolVersion: 4,
    connectTimeout: 10_000,
    // mqtt.js logs every packet through `debug` (a few % of the CPU at full load), even when off.
    log: () => {},
  };
  // Devices revoked, as far as this process has heard (signals, and a catch-up read after every
  // (re)connect of the listening connection). Read before the first event may arrive.
  const revoked = new Set<string>();
  let revokedKnown: () => void = () => {};
  const firstRevokedRead = new Promise<void>((r) => (revokedKnown = r));
  const stopHearing =
    opts.store.notifications?.subscribe({
      on: {
        device_revoked: ({ deviceId }) => void revoked.add(deviceId),
        // Restored (or otherwise changed): its revocation is read again, so a device taken back
        // is heard again at once instead of after this process restarts.
        device_changed: async ({ deviceId }) => {
          const [row] = await opts.store.db
            .select({ revokedAt: schema.devices.revokedAt })
            .from(schema.devices)
            .where(eq(schema.devices.id, deviceId));
          if (row && row.revokedAt === null) revoked.delete(deviceId);
          else revoked.add(deviceId);
        },
      },
      resync: async () => {
        try {
          const rows = await opts.store.db
            .select({ id: schema.devices.id })
            .from(schema.devices)
            .where(isNotNull(schema.devices.revokedAt));
          // Rebuilt, not added to: a restore missed while the signals were down is caught up too.
          revoked.clear();
          for (const r of rows) revoked.add(r.id);
        } finally {
          revokedKnown();
        }
      },
      onError: (err) => log.warn({ err: err.message }, 'database signals'),
    }) ?? (() => {});
  if (!opts.store.notifications) revokedKnown();
  // A supervised start (awaitBroker false) must answer /healthz even while the database is away.
  if (opts.awaitBroker ?? true) await firstRevokedRead;

  // Never gives up: every refusal or lost connection is retried with SERVICE_BACKOFF.
  const health = new HealthTracker<Item>(() => link.status(), registry);
  const link = openLink(opts, clientOptions, {
    name: 'ingest',
    registry,
    logger: log,
    onStatus: (s) => {
      if (s.state !== 'connected') health.setSubscribed(false);
    },
  });
  const client = link.client;
  const announcer = new Announcer(client, log);
  const acking = new Set<Promise<unknown>>();

  const sendAcks = (items: Item[]) => {
    // Not queued while the link is down (mqtt.js queues even QoS 0 for the next connection):
    // a device that missed its ack sends the event again and is answered as a duplicate.
    if (!client.connected) {
      acksDropped.inc(items.length);
      return;
    }
    const perDevice = new Map<string, { address: DeviceAddress; ids: string[] }>();
    for (const { topic, event } of items) {
      let d = perDevice.get(topic.deviceId);
      if (!d) {
        d = { address: topic, ids: [] };
        perDevice.set(topic.deviceId, d);
      }
      d.ids.push(event.payload.eventId);
    }
    const ts = Date.now();
    for (const { address, ids } of perDevice.values()) {
      for (const payload of ackPayloads(ids, ts)) {
        const p = client
          .publishAsync(topicFor(address, 'ack'), payload, { qos: CHANNELS.ack.qos })
          .catch((err: unknown) =>
            log.warn({ err, deviceId: address.deviceId }, 'ack not sent; the device will re-send'),
          )
          .finally(() => acking.delete(p));
        acking.add(p);
      }
    }
  };

  // One signal per committed batch, for live views (the dashboard's feed), sent after the commit
  // and apart from it: when one is lost, the next batch's signal brings the view up to date.
  // While one is on its way, later batches are merged into the next, so that under a burst
  // the signals cost one round trip at a time, not one per lane and batch.
  let signalling = false;
  const waiting = { unitIds: new Set<string>(), count: 0 };
  const signalStored = (inserted: readonly IngestEvent[]) => {
    for (const e of inserted) waiting.unitIds.add(e.unitId);
    waiting.count += inserted.length;
    if (signalling) return;
    signalling = true;
    const unitIds = [...waiting.unitIds];
    const count = waiting.count;
    waiting.unitIds.clear();
    waiting.count = 0;
    notify(opts.store.db, 'events_stored', { unitIds, count })
      .catch((err: unknown) => log.warn({ err }, 'events_stored signal not sent'))
      .finally(() => {
        signalling = false;
        if (waiting.count > 0) signalStored([]);
      });
  };

  const commit = async (items: Item[]) => {
    const end = batchSeconds.startTimer();
    const result = await ingestBatch(
      opts.store.db,
      items.map((i) => i.event),
    );
    end();
    batchSize.observe(items.length);
    for (const e of result.inserted) ingested.inc({ type: e.type });
    if (result.duplicates.length > 0) duplicates.inc(result.duplicates.length);
    if (result.inserted.length > 0) signalStored(result.inserted);
    // New and duplicate alike: a duplicate means the device missed an earlier ack.
    sendAcks(items);
  };
  const deadLettered = counter(
    registry,
    'onestop_ingest_dead_letters_total',
    'Valid events the database refused, kept in ingest_dead_letters and acknowledged',
  );
  const resilient = isolatePoison<Item>(
    commit,
    () =>
      opts.store.db.execute(sql`select 1`).then(
        () => true,
        () => false,
      ),
    // Kept aside durably, then acknowledged so that the device stops re-sending it. Logged on one
    // short line: drizzle's error carries the whole batch's SQL (KBs per event).
    async (item, err) => {
      const refusal = describeDatabaseError(err);
      const topic = topicFor(item.topic, item.topic.channel);
      if (await storeDeadLetter(opts.store.db, { event: item.event, topic, refusal })) {
        deadLettered.inc();
        log.error(
          { eventId: item.event.payload.eventId, deviceId: item.topic.deviceId, topic, code: refusal.code },
          `event refused by the database, dead-lettered: ${refusal.message}`,
        );
      }
      sendAcks([item]);
    },
    isTransientDatabaseError,
  );
  // A database outage fails every retry of every lane: logged when it starts, once a minute while
  // it lasts (the lag in `health()` and /healthz says the rest), and when it ends.
  const commitErrors = new LogThrottle();
  const onCommitError = (err: unknown, attempt: number) => {
    const inARow = health.commitFailed();
    const suppressed = commitErrors.take();
    if (suppressed !== null)
      log.error({ err, attempt, inARow, suppressed }, 'ingest commit failed; retrying (events are kept)');
  };
  const lanes = opts.store.kind === 'pglite' ? 1 : (opts.commitLanes ?? 1);
  const commits = new CommitLanes<Item>(
    Array.from(
      { length: Math.max(1, lanes) },
      () =>
        new GroupCommit<Item>(
          async (items) => {
            await resilient(items);
            const failing = health.committed(items);
            if (failing > 0) {
              commitErrors.reset();
              log.info({ failedBefore: failing }, 'ingest commits succeed again');
            }
          },
          onCommitError,
          max,
          opts.flushMs ?? 10,
        ),
    ),
    // By unit: a batch takes its units' judging locks and updates their unit-level roll-up rows,
    // so lanes keyed by counter queued behind each other on every unit they shared (a batch of
    // a city's traffic holds most units); by unit, the lanes never touch the same unit.
    (item) => item.topic.unitId,
  );

  // Backpressure: while too much is pending, stop reading from the socket. The broker buffers;
  // past its drain timeout it drops the connection, and the devices re-send what was lost.
  const highWater = max * 4;
  const handleMessage = client.handleMessage.bind(client);
  client.handleMessage = (packet, callback) => {
    if (commits.size < highWater) return handleMessage(packet, callback);
    commits.whenBelow(max).then(() => handleMessage(packet, callback));
  };

  // A refused message is counted every time but logged once a minute per reason: a device (or a
  // broker without validation) repeating a bad message must not flood the log.
  const refusalLogs = new LogThrottle();
  const refuse = (topicName: string, reason: string, detail: string) => {
    invalid.inc({ reason });
    const suppressed = refusalLogs.take(reason);
    if (suppressed !== null)
      log.warn({ topic: topicName.slice(0, 200), reason, detail, suppressed }, 'event refused by ingest');
  };
  client.on('message', (topicName, payload) => {
    const d = decodeEvent(topicName, payload);
    if (!d.ok) return refuse(topicName, d.reason, d.detail);
    // The broker refuses a revoked device once it hears of it; what got past it before (or went
    // through a broker that does not know) is dropped here, unacknowledged.
    if (revoked.has(d.topic.deviceId)) return refuse(topicName, 'revoked', 'device revoked');
    const item = { topic: d.topic, event: d.event };
    health.received(item);
    commits.push(item);
  });

  // The subscription is asked for at every connect (a broker without our session has none); a
  // refused one (SUBACK 0x80: an ACL mistake) is asked for again with SERVICE_BACKOFF.
  let firstSubscribed: () => void = () => {};
  const ready = new Promise<void>((r) => (firstSubscribed = r));
  let subscribeTimer: NodeJS.Timeout | null = null;
  const subscribeErrors = new LogThrottle();
  const subscribe = (attempt: number) => {
    subscribeTimer = null;
    if (!client.connected) return;
    client.subscribe(filter, { qos: 1 }, (err, granted) => {
      // Lost with the connection: asked for again at the next connect.
      if (!client.connected) return;
      const refused = err ?? (granted?.some((g) => g.qos === 128) ? 'refused by the broker' : null);
      if (!refused) {
        subscribeErrors.reset();
        health.setSubscribed(true);
        announcer.listening();
        firstSubscribed();
        return;
      }
      const retryInMs = backoffDelay(attempt, SERVICE_BACKOFF);
      const suppressed = subscribeErrors.take();
      if (suppressed !== null)
        log.error(
          { err: refused, filter, attempt, retryInMs, suppressed },
          'ingest subscription not granted; asking again',
        );
      subscribeTimer = setTimeout(() => subscribe(attempt + 1), retryInMs);
      subscribeTimer.unref();
    });
  };
  client.on('connect', (connack) => {
    log.info({ sessionPresent: connack.sessionPresent, filter }, 'ingest connected');
    if (subscribeTimer) clearTimeout(subscribeTimer);
    subscribe(0);
  });

  if (opts.awaitBroker ?? true) await ready;

  /** A broker that does not answer, or a wedged socket, must not hold the close. */
  const bounded = (step: Promise<unknown>) =>
    Promise.race([step, new Promise((r) => setTimeout(r, 2_000).unref())]);
  const unsubscribe = async () => {
    // A persistent session keeps its subscription, so that the broker queues for us meanwhile.
    if (!client.connected || opts.persistentSession) return;
    await bounded(client.unsubscribeAsync(filter).catch(() => {}));
  };
  const flush = async () => {
    await commits.flush();
    // Acks wait for the broker; when it is gone, the devices re-send and get them next time.
    await Promise.race([Promise.all([...acking]), new Promise((r) => setTimeout(r, 5_000).unref())]);
  };
  return {
    flush,
    health: () => health.health(),
    async close() {
      // Unsubscribe (what arrives until the broker confirms is read and stored as usual), stop
      // reading, say "offline" (a device then counts nothing sent later against its events), then
      // store what was read and say so to the devices.
      await unsubscribe();
      client.handleMessage = (_packet, _callback) => {};
      await bounded(announcer.leaving()).catch((err: unknown) =>
        log.warn({ err }, 'ingest state not published on leaving'),
      );
      await flush();
      commits.stop();
      link.stop();
      health.stop();
      stopHearing();
      if (subscribeTimer) clearTimeout(subscribeTimer);
      // A graceful end waits until every outgoing publish is written. Acks still pending after
      // the flush may never be: a message that arrived after reading stopped is never handled,
      // which stalls mqtt.js's packet stream. Then end at once; those devices re-send and are
      // acknowledged next time.
      await client.endAsync(!client.connected || acking.size > 0);
    },
  };
}
