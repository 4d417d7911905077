import { startTestBroker } from '@onestop/broker/testing';
import { startIngest } from '@onestop/ingest';
import {
  type DeviceAddress,
  EXAMPLES,
  encodePayload,
  type TelemetryMessage,
  topicFor,
} from '@onestop/protocol';
import {
  connectDevice,
  openAroundTheClock,
  provision,
  servicePassword,
  uniqueUnit,
  visitEndFor,
  visitRatingsFor,
  waitFor,
} from '@onestop/service/testing';
import { type Store, schema } from '@onestop/store';
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { expectedVerdict, MQTT_CASE_KINDS, type MqttCaseKind, mqttCase } from './mqtt-cases.js';
import { type RawFrameFigures, sendRawFrames } from './raw-frames.js';

export interface MqttFuzzOptions {
  store: Store;
  /** Generated packets published by fuzz devices (raw frames come on top, `rawFrames`). */
  cases: number;
  seed: number;
  /** Raw TCP frames (mutated MQTT packets, random bytes). */
  rawFrames: number;
  /** Honest ratings (each with its visit) sent by another device while the fuzz runs. */
  honest: number;
  /** Fuzz devices publishing side by side. */
  devices?: number;
  /** Told each phase as it starts (the full run's console). */
  progress?: (phase: string) => void;
}

export interface MqttFuzzFigures {
  cases: number;
  byKind: Record<MqttCaseKind, number>;
  /** Topics mqtt.js itself refuses to send (wildcards, empty): never reach the broker. */
  refusedByClient: number;
  /** QoS 1/2 publishes left without an answer (PUBACK, PUBCOMP or a cut) past UNANSWERED_MS. */
  unanswered: number;
  sent: number;
  accepted: { expected: number; counted: number };
  refusals: { expected: Record<string, number>; counted: Record<string, number> };
  /** The first few cases whose door verdict differed from the wire contract's. */
  disagreements: string[];
  /** Fuzz devices' connections the broker cut (none expected: a bad message costs nothing else). */
  fuzzDisconnects: number;
  ingest: {
    events: number;
    stored: number;
    duplicates: number;
    deadLettered: number;
    refused: Record<string, number>;
  };
  /** Honest events, and the honest device's telemetry (batched by the broker, like a fleet's). */
  honest: {
    sent: number;
    acked: number;
    stored: number;
    telemetrySent: number;
    lastTelemetryStored: boolean;
  };
  /**
   * Error lines the broker and the ingest logged: a database write they could not make (a batch
   * of device state refused whole) is logged, never thrown, so this is where it shows.
   */
  serverErrors: { count: number; first: string[] };
  raw: RawFrameFigures;
  seconds: number;
}

type Counts = Record<string, number>;

/** A publish the broker neither acknowledges nor cuts within this is a finding, not a wait. */
const UNANSWERED_MS = 60_000;

async function countsOf(registry: Registry, name: string, label: string): Promise<Counts> {
  const m = registry.getSingleMetric(name);
  const out: Counts = {};
  if (!m) return out;
  for (const v of (await m.get()).values) {
    const key = String(v.labels[label] ?? '');
    out[key] = (out[key] ?? 0) + v.value;
  }
  return out;
}

const diff = (after: Counts, before: Counts): Counts =>
  Object.fromEntries(
    Object.entries(after)
      .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0),
  );
const sum = (c: Counts) => Object.values(c).reduce((a, b) => a + b, 0);

/**
 * The MQTT fuzz against the real door and ingest: fuzz devices publish generated packets, raw
 * sockets send mutated frames, and an honest device rates alongside. Returns the figures; the
 * caller (test or `npm run fuzz`) judges them.
 */
export async function runMqttFuzz(opts: MqttFuzzOptions): Promise<MqttFuzzFigures> {
  const started = Date.now();
  const { store } = opts;
  const registry = new Registry();
  const errorLines: string[] = [];
  const errorLog = pino({ level: 'error' }, { write: (line: string) => void errorLines.push(line) });
  const ingestPassword = servicePassword();
  // Budgets and flapping bans off: they would refuse by rate whatever the content, and the fuzz is
  // about content (abuse.test.ts covers the budgets).
  const broker = await startTestBroker(store, {
    registry,
    serviceCredentials: [{ username: 'ingest', password: ingestPassword, role: 'ingest' }],
    rateLimit: null,
    flapping: null,
    logger: errorLog,
  });
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const unit = uniqueUnit('fuzz');
  const ingest = await startIngest({
    store,
    mqttUrl: url,
    username: 'ingest',
    password: ingestPassword,
    clientId: `ingest-${unit}`,
    registry,
    logger: errorLog,
  });
  const clients: MqttClient[] = [];
  try {
    await openAroundTheClock(store, unit);
    const other = await provision(store, unit, 'q99');
    const honestCreds = await provision(store, unit, 'h01');
    const honest = await connectDevice(url, honestCreds);
    clients.push(honest.client);

    const devices = opts.devices ?? 4;
    const fuzzers: { address: DeviceAddress; client: MqttClient }[] = [];
    let fuzzDisconnects = 0;
    for (let i = 0; i < devices; i++) {
      const creds = await provision(store, unit, `f${String(i).padStart(2, '0')}`);
      const client = await mqtt.connectAsync(url, {
        clientId: creds.deviceId,
        username: creds.username,
        password: creds.password,
        protocolVersion: 4,
        reconnectPeriod: 0,
        log: () => {},
      });
      // Ending it fails its pending publishes instead of leaving them waiting forever.
      client.on('close', () => {
        fuzzDisconnects++;
        client.end(true);
      });
      clients.push(client);
      fuzzers.push({ address: creds, client });
    }

    opts.progress?.('fuzz devices publish');
    const rejectedBefore = await countsOf(registry, 'onestop_events_rejected_total', 'reason');
    // Said by the ingest, not the fuzz devices (a reconnect of the ingest mid-run says "online").
    const acceptedOf = (c: Counts) => sum(c) - (c.ack ?? 0) - (c['ingest-state'] ?? 0);
    const acceptedBefore = acceptedOf(await countsOf(registry, 'onestop_broker_accepted_total', 'channel'));

    // Honest traffic alongside: ratings with their visits, as a counter sends them, and its
    // telemetry (uptimeS numbers each report), which the broker writes in the fuzz devices' batch.
    const honestIds: string[] = [];
    let telemetrySent = 0;
    const honestTelemetry = (): TelemetryMessage => ({
      ...(EXAMPLES.telemetry as TelemetryMessage),
      deviceId: honestCreds.deviceId,
      ts: Date.now(),
      uptimeS: telemetrySent,
    });
    const honestRun = (async () => {
      const ratings = visitRatingsFor(honestCreds.deviceId, opts.honest);
      for (let i = 0; i < ratings.length; i += 50) {
        const batch = ratings.slice(i, i + 50).map((r) => ({ r, visit: visitEndFor(r) }));
        telemetrySent++;
        await Promise.all([
          ...batch.flatMap(({ r, visit }) => [honest.publishVisit(visit), honest.publishRating(r)]),
          honest.client.publishAsync(
            topicFor(honest.address, 'telemetry'),
            encodePayload('telemetry', honestTelemetry()),
            { qos: 0 },
          ),
        ]);
        honestIds.push(...batch.flatMap(({ r, visit }) => [r.eventId, visit.eventId]));
      }
    })();

    const byKind = Object.fromEntries(MQTT_CASE_KINDS.map((k) => [k, 0])) as Record<MqttCaseKind, number>;
    const expected: Counts = {};
    const disagreements: string[] = [];
    let refusedByClient = 0;
    let unanswered = 0;
    let sent = 0;
    let acceptedEvents = 0;
    const perDevice = Math.ceil(opts.cases / devices);
    const CHUNK = 50;
    await Promise.all(
      fuzzers.map(async ({ address, client }, d) => {
        const arb = mqttCase(address, other);
        for (let done = 0; done < perDevice && client.connected; done += CHUNK) {
          const n = Math.min(CHUNK, perDevice - done);
          const cases = fc.sample(arb, { seed: opts.seed + d * 1_000_003 + done, numRuns: n });
          await Promise.all(
            cases.map(async (c) => {
              byKind[c.kind]++;
              if (!client.connected) return;
              try {
                let timer: NodeJS.Timeout | undefined;
                const answered = await Promise.race([
                  client.publishAsync(c.topic, c.payload, { qos: c.qos }).then(() => true),
                  new Promise<false>((resolve) => {
                    timer = setTimeout(() => resolve(false), UNANSWERED_MS);
                  }),
                ]).finally(() => clearTimeout(timer));
                if (!answered) {
                  unanswered++;
                  return;
                }
              } catch {
                // Cut off: the rest of this device's cases are not sent (`fuzzDisconnects` says so).
                if (!client.connected) return;
                refusedByClient++;
                return;
              }
              sent++;
              const verdict = expectedVerdict(address, c.topic, c.payload);
              expected[verdict] = (expected[verdict] ?? 0) + 1;
              if (verdict === 'accepted' && c.topic.includes('/evt/')) acceptedEvents++;
            }),
          );
        }
      }),
    );
    const expectedAccepted = expected.accepted ?? 0;
    const { accepted: _a, ...expectedRefusals } = expected;
    await honestRun;
    // QoS 0 has no PUBACK: wait until the door has judged everything sent.
    const judged = async () =>
      sum(diff(await countsOf(registry, 'onestop_events_rejected_total', 'reason'), rejectedBefore)) +
      acceptedOf(await countsOf(registry, 'onestop_broker_accepted_total', 'channel')) -
      acceptedBefore -
      honestIds.length -
      telemetrySent;
    await waitFor(async () => (await judged()) >= sent, 30_000, 'the door to judge every packet').catch(
      () => {},
    );
    const counted = diff(await countsOf(registry, 'onestop_events_rejected_total', 'reason'), rejectedBefore);
    await honestRun;
    // The door's accepted count holds the ingest's acks and the honest device's events and
    // telemetry too.
    const countedAccepted =
      acceptedOf(await countsOf(registry, 'onestop_broker_accepted_total', 'channel')) -
      acceptedBefore -
      honestIds.length -
      telemetrySent;
    if (countedAccepted !== expectedAccepted)
      disagreements.push(`accepted: door ${countedAccepted}, contract ${expectedAccepted}`);
    for (const r of new Set([...Object.keys(counted), ...Object.keys(expectedRefusals)]))
      if ((counted[r] ?? 0) !== (expectedRefusals[r] ?? 0))
        disagreements.push(`${r}: door ${counted[r] ?? 0}, contract ${expectedRefusals[r] ?? 0}`);

    opts.progress?.(`sent ${sent}; honest traffic`);
    await honest.waitAcked(honestIds, 60_000).catch(() => {});

    // Every event the door let through is stored, a duplicate, dead-lettered or refused (counted).
    opts.progress?.('ingest settles');
    const ingestTotals = async () => ({
      stored: sum(await countsOf(registry, 'onestop_events_ingested_total', 'type')),
      duplicates: sum(await countsOf(registry, 'onestop_events_duplicate_total', '')),
      deadLettered: sum(await countsOf(registry, 'onestop_ingest_dead_letters_total', '')),
      refused: await countsOf(registry, 'onestop_ingest_rejected_total', 'reason'),
    });
    const honestEvents = honestIds.length;
    const eventsIn = acceptedEvents + honestEvents;
    await waitFor(
      async () => {
        const t = await ingestTotals();
        return t.stored + t.duplicates + t.deadLettered + sum(t.refused) >= eventsIn;
      },
      60_000,
      'the ingest to settle',
    ).catch(() => {});
    const totals = await ingestTotals();

    let storedHonest = 0;
    for (let i = 0; i < honestIds.length; i += 1_000) {
      const ids = honestIds.slice(i, i + 1_000);
      storedHonest += (
        await store.db
          .select({ id: schema.events.eventId })
          .from(schema.events)
          .where(inArray(schema.events.eventId, ids))
      ).length;
    }

    // The last telemetry reached the device's row (the state writer flushes every second).
    const lastTelemetryStored = await waitFor(
      async () => {
        const [row] = await store.db
          .select({ telemetry: schema.devices.telemetry })
          .from(schema.devices)
          .where(eq(schema.devices.id, honestCreds.deviceId));
        return (row?.telemetry as TelemetryMessage | null)?.uptimeS === telemetrySent;
      },
      10_000,
      'the honest telemetry to be stored',
    ).then(
      () => true,
      () => false,
    );

    opts.progress?.('raw frames');
    const raw = await sendRawFrames({
      port: broker.port,
      frames: opts.rawFrames,
      seed: opts.seed,
      device: other,
    });
    const rejectedAfterRaw = diff(
      await countsOf(registry, 'onestop_events_rejected_total', 'reason'),
      rejectedBefore,
    );
    raw.refusals = diff(rejectedAfterRaw, counted);
    // The honest device is still served after the raw frames.
    const last = visitRatingsFor(honestCreds.deviceId, 1)[0]!;
    await honest.publishVisit(visitEndFor(last));
    await honest.publishRating(last);
    await honest.waitAcked([last.eventId], 20_000);
    raw.brokerAliveAfter = true;

    return {
      cases: opts.cases,
      byKind,
      refusedByClient,
      unanswered,
      sent,
      accepted: { expected: expectedAccepted, counted: countedAccepted },
      refusals: { expected: expectedRefusals, counted },
      disagreements: disagreements.slice(0, 20),
      fuzzDisconnects,
      ingest: {
        events: eventsIn,
        stored: totals.stored,
        duplicates: totals.duplicates,
        deadLettered: totals.deadLettered,
        refused: totals.refused,
      },
      honest: {
        sent: honestEvents,
        acked: honestIds.filter((id) => honest.acked.has(id)).length,
        stored: storedHonest,
        telemetrySent,
        lastTelemetryStored,
      },
      serverErrors: { count: errorLines.length, first: errorLines.slice(0, 3).map((l) => l.slice(0, 500)) },
      raw,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => {})));
    await ingest.close();
    await broker.close();
  }
}
