import type { Duplex } from 'node:stream';
import { channelsFrom, prepareDecoders } from '@onestop/protocol';
import { gauge } from '@onestop/service';
import {
  type Database,
  expireDrains,
  finishDrain,
  type Notifications,
  offerToNewDevices,
  pruneTelemetryHistory,
  schema,
  TELEMETRY_PRUNE_EVERY_MS,
} from '@onestop/store';
import { Aedes, type AedesOptions, type Client } from 'aedes';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import mqemitter from 'mqemitter';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { INTERNAL_PREFIX } from './acl.js';
import { Admission } from './admission.js';
import { Authenticator, deviceStanding, type LoginLimits, type ServiceCredential } from './auth.js';
import { boundedHandOn } from './bounded-hand-on.js';
import { closeClients } from './close-clients.js';
import { CommandSender } from './command-sender.js';
import { ConfigPublisher } from './config-publisher.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection-limits.js';
import { DeviceStateWriter } from './device-state.js';
import { DEFAULT_RATE_LIMIT, type RateLimit } from './door.js';
import { DEFAULT_FLAPPING_LIMITS, FlapDetector, type FlappingLimits } from './flapping.js';
import { Gate } from './gate.js';
import {
  type Listener,
  listenTcp,
  listenTls,
  listenWs,
  type Serve,
  type TlsListenerOptions,
  type WsListenerOptions,
} from './listeners.js';
import { refusalOfClientError } from './protocol-errors.js';
import { UpdatePublisher } from './update-publisher.js';

export interface BrokerOptions {
  /** `notifications` carry revocations, queued commands and changed settings from any process. */
  store: { db: Database; notifications: Notifications };
  /** 0 picks a free port (tests); the chosen one is in the handle. */
  mqttPort: number;
  host?: string;
  registry: Registry;
  logger: Logger;
  /** Non-device clients (ingest, dashboard) and their roles. */
  serviceCredentials: ServiceCredential[];
  tls?: TlsListenerOptions;
  ws?: WsListenerOptions;
  /** Per-device message and byte budgets (kept across reconnects); `null` turns them off (benchmarks). */
  rateLimit?: RateLimit | null;
  loginLimits?: LoginLimits;
  /** Open connections in total and per source address. */
  connectionLimits?: ConnectionLimits;
  /** Bans for devices and addresses that reconnect too often; `null` turns them off (benchmarks). */
  flapping?: FlappingLimits | null;
  /** Shared message bus and session store for several broker processes (see cluster.ts). */
  cluster?: Pick<AedesOptions, 'mq' | 'persistence'> & { close?: () => Promise<void> };
  /** How often device status/last-seen is written. */
  deviceStateFlushMs?: number;
  /** Publish every stored retained `config` at start-up (default true). */
  publishConfigsOnStart?: boolean;
  /** How often replaced boards past their drain deadline are revoked (default 10 minutes). */
  drainSweepMs?: number;
  /** How often telemetry history past its retention is deleted (default a quarter of an hour). */
  telemetryPruneMs?: number;
}

export interface BrokerHandle {
  id: string;
  port: number;
  tlsPort: number | null;
  wsPort: number | null;
  /** Closes a device's connections on every broker node (after revocation, from the CLI/dashboard). */
  disconnectDevice(deviceId: string): Promise<void>;
  /** (Re)publishes a device's stored settings retained on its `config` topic. */
  publishDeviceConfig(deviceId: string): Promise<boolean>;
  /** Device IDs connected to this node. */
  connectedDevices(): string[];
  /**
   * Serves one MQTT connection over an in-memory stream: an in-process client (the all-in-one's
   * ingest) skips the TCP hop but is still a client like any other (CONNECT, auth, ACL, QoS).
   */
  handle(stream: Duplex): void;
  close(): Promise<void>;
}

const CTL_DISCONNECT = `${INTERNAL_PREFIX}ctl/disconnect`;

export async function startBroker(opts: BrokerOptions): Promise<BrokerHandle> {
  const { logger, registry } = opts;
  // Devices' messages, and the services' (acks, config, commands): the door checks both.
  prepareDecoders([...channelsFrom('device'), ...channelsFrom('server')]);
  const db = opts.store.db;
  const host = opts.host ?? '0.0.0.0';
  const state = new DeviceStateWriter(db, logger, opts.deviceStateFlushMs ?? 1_000);
  const auth = new Authenticator(db, opts.serviceCredentials, opts.loginLimits);
  const flapping = opts.flapping === undefined ? DEFAULT_FLAPPING_LIMITS : opts.flapping;
  const gate = new Gate(
    auth,
    state,
    logger,
    registry,
    opts.rateLimit === undefined ? DEFAULT_RATE_LIMIT : opts.rateLimit,
    flapping?.perDevice ?? null,
  );
  const openConnections = gauge(
    registry,
    'onestop_broker_connections',
    'Network connections open on this broker (TCP, TLS and WebSocket)',
  );
  const admission = new Admission(
    opts.connectionLimits ?? DEFAULT_CONNECTION_LIMITS,
    flapping ? new FlapDetector(flapping.perAddress) : null,
    (address, reason, detail) => gate.refuseConnection(address, reason, detail),
    (delta) => openConnections.inc(delta),
  );

  const aedes = await Aedes.createBroker({
    ...gate.hooks(),
    // aedes' own bus (concurrency 1,000) unless clustered, either way with a bounded hand-on.
    mq: boundedHandOn(opts.cluster?.mq ?? mqemitter({ concurrency: 1_000 })),
    persistence: opts.cluster?.persistence,
    // A device that stops reading must not stall delivery to everyone else.
    drainTimeout: 30_000,
    // Offline queue for a reconnecting client before its session is up (outbox replay bursts).
    queueLimit: 1_000,
    maxClientsIdLength: 128,
  });
  aedes.on('clientReady', (c) => gate.onReady(c));
  aedes.on('clientDisconnect', (c) => gate.onDisconnect(c));
  // A frame that is not MQTT, or a topic aedes refuses itself, closes the connection before the
  // gate sees a packet: still a refusal, counted with its reason like the gate's own.
  const onClientError = (c: Client, err: Error) => {
    const reason = refusalOfClientError(err);
    if (reason) gate.refuseProtocol(c, reason, err.message);
    else logger.debug({ clientId: c.id, err: err.message }, 'client error');
  };
  aedes.on('clientError', onClientError);
  aedes.on('connectionError', onClientError);

  // Disconnect requests travel over the broker's own bus, so they reach every node of a cluster.
  await new Promise<void>((resolve) =>
    aedes.subscribe(
      CTL_DISCONNECT,
      (packet, cb) => {
        const deviceId = packet.payload.toString();
        gate.disconnectLocal(deviceId, 'disconnect requested');
        cb();
      },
      resolve,
    ),
  );

  const configs = new ConfigPublisher(aedes, db, logger);
  const offers = new UpdatePublisher(aedes, db, logger);
  // A command published before the device has (re)subscribed to its `cmd/…` topics would be
  // dropped while it shows as sent: only devices with a client that subscribed (or resumed a
  // persistent session, whose subscriptions survive) are sent commands.
  const listening = new WeakSet<Client>();
  const commandTargets = () =>
    [...gate.deviceClients]
      .filter(([, clients]) =>
        [...clients].some((c) => !gate.deliveryOnly(c) && (listening.has(c) || c.clean === false)),
      )
      .map(([id]) => id);
  const commands = new CommandSender(aedes, db, logger, commandTargets);
  const sendCommands = (among?: string[]) => {
    commands.sendPending(among).catch((err: unknown) => logger.warn({ err }, 'sending commands failed'));
  };
  // One device's sends never overlap: a call while one runs asks for ONE more run after it, so
  // that a device (or a burst of signals) cannot queue database reads faster than they finish.
  const sendingTo = new Set<string>();
  const sendAgain = new Set<string>();
  const sendCommandsTo = (id: string) => {
    if (sendingTo.has(id)) {
      sendAgain.add(id);
      return;
    }
    sendingTo.add(id);
    commands
      .sendPending([id])
      .catch((err: unknown) => logger.warn({ err, deviceId: id }, 'sending commands failed'))
      .finally(() => {
        sendingTo.delete(id);
        if (sendAgain.delete(id)) sendCommandsTo(id);
      });
  };
  const deviceOf = (client: Client | null) => {
    const s = client ? gate.sessions.get(client) : undefined;
    return s?.role === 'device' ? s.address.deviceId : null;
  };
  // What was queued while the device was away goes out as soon as it can receive it: on the
  // FIRST subscription of a connection only, so that a device repeating SUBSCRIBE costs nothing.
  aedes.on('subscribe', (subs, client) => {
    const id = deviceOf(client);
    if (!client || !id || listening.has(client) || !subs.some((s) => s.topic.includes('/cmd/'))) return;
    listening.add(client);
    sendCommandsTo(id);
  });
  aedes.on('clientReady', (client) => {
    const id = deviceOf(client);
    if (id && client.clean === false) sendCommandsTo(id);
  });

  // A draining board that reports an empty outbox has delivered everything: revoked, once, but
  // only after its successor has connected (finishDrain checks; until then each report asks again).
  const finishing = new Set<string>();
  gate.onDrainReport = (deviceId, outbox) => {
    if (outbox.depth > 0 || finishing.has(deviceId)) return;
    finishing.add(deviceId);
    finishDrain(db, deviceId, outbox)
      .then((done) => done && logger.info({ deviceId, ...outbox }, 'replaced device drained; revoked'))
      .catch((err: unknown) => logger.warn({ err, deviceId }, 'could not end a drain'))
      .finally(() => finishing.delete(deviceId));
  };
  /** Replaced boards past their deadline: revoked by whichever node sweeps first (idempotent). */
  const sweepDrains = () =>
    expireDrains(db).then(
      (ids) =>
        ids.length > 0 &&
        logger.warn({ devices: ids }, 'replaced devices not drained by their deadline; revoked'),
      (err: unknown) => logger.warn({ err }, 'could not sweep drain deadlines'),
    );
  /** Boards that joined an active rollout's scope since its stage was set get its offer too. */
  const offerNewDevices = () =>
    offerToNewDevices(db).then(
      (ids) => ids.length > 0 && logger.info({ rollouts: ids }, 'release offered to boards that joined'),
      (err: unknown) => logger.warn({ err }, 'could not offer rollouts to new boards'),
    );
  const drainTimer = setInterval(
    () => {
      void sweepDrains();
      void offerNewDevices();
    },
    opts.drainSweepMs ?? 10 * 60_000,
  );
  drainTimer.unref();

  /**
   * The brokers write telemetry history (a row a device a minute), so they delete what is past
   * its retention, on PGlite and PostgreSQL alike; with several nodes, the one holding the
   * prune's advisory lock does it and the others skip the round. One round at a time.
   */
  let pruning: Promise<void> | null = null;
  const pruneTelemetry = () => {
    pruning ??= pruneTelemetryHistory(db)
      .then(
        (n) => n && logger.info({ rows: n }, 'pruned telemetry history past its retention'),
        (err: unknown) => logger.warn({ err }, 'could not prune telemetry history'),
      )
      .then(() => {
        pruning = null;
      });
  };
  const pruneTimer = setInterval(pruneTelemetry, opts.telemetryPruneMs ?? TELEMETRY_PRUNE_EVERY_MS);
  pruneTimer.unref();

  /**
   * What this node missed while not listening: revocations among the devices connected to it,
   * and restores among those it still refuses (else a restored board stays locked out of this
   * node until it restarts).
   */
  const sweepRevoked = async () => {
    const ids = [...gate.deviceClients.keys()];
    for (let i = 0; i < ids.length; i += 1_000) {
      const d = schema.devices;
      const rows = await db
        .select({ id: d.id, revokedAt: d.revokedAt, passwordHash: d.passwordHash, replacedBy: d.replacedBy })
        .from(d)
        .where(inArray(d.id, ids.slice(i, i + 1_000)));
      const found = new Set(rows.map((r) => r.id));
      for (const r of rows) {
        if (r.revokedAt) gate.revoke(r.id);
        // Re-paired, rotated or replaced meanwhile: it logs in again under its new standing.
        else gate.closeOutdated(r.id, deviceStanding(r));
      }
      // Deleted meanwhile: nothing left to log in as.
      for (const id of ids.slice(i, i + 1_000)) if (!found.has(id)) gate.disconnectLocal(id, 'device gone');
    }
    const refused = gate.revokedIds();
    const mark = gate.revocationMark();
    for (let i = 0; i < refused.length; i += 1_000) {
      const rows = await db
        .select({ id: schema.devices.id })
        .from(schema.devices)
        .where(
          and(inArray(schema.devices.id, refused.slice(i, i + 1_000)), isNull(schema.devices.revokedAt)),
        );
      for (const r of rows) gate.unrevoke(r.id, mark);
    }
  };
  const published = (n: number) => n > 0 && logger.info({ configs: n }, 'published changed device configs');
  // Changes made by any process (dashboard, CLI, another node, SQL through the store's
  // functions) arrive as signals; each catch-up after (re)connecting reads what they may have
  // missed. No timers: a quiet system costs nothing. Listened to BEFORE any device can connect:
  // a revocation is then either heard or already stored when the device logs in.
  let resynced: () => void = () => {};
  const firstResync = new Promise<void>((r) => (resynced = r));
  const unsubscribe = opts.store.notifications.subscribe({
    on: {
      device_revoked: async ({ deviceId }) => {
        gate.revoke(deviceId);
        // Clears the retained config and release offer a revoked device could still read.
        await offers.publishDevice(deviceId);
        return configs.publish(deviceId);
      },
      device_changed: async ({ deviceId }) => {
        // Replaced, restored, re-paired or given a new password: cut at once (before any await, so
        // that no login finishing meanwhile slips through), then let in under its new standing.
        gate.credentialsChanged(deviceId);
        // A `device_revoked` handled while this reads (handlers run concurrently) must stand.
        const mark = gate.revocationMark();
        const [row] = await db
          .select({ revokedAt: schema.devices.revokedAt })
          .from(schema.devices)
          .where(eq(schema.devices.id, deviceId));
        if (row && !row.revokedAt) gate.unrevoke(deviceId, mark);
        await configs.publish(deviceId);
        await offers.publishDevice(deviceId);
      },
      update_offers_changed: async ({ rolloutId }) => {
        const n = await offers.publishRollout(rolloutId);
        logger.info({ rolloutId, offers: n }, 'published release offers of a rollout');
      },
      command_queued: ({ deviceId }) => sendCommandsTo(deviceId),
      config_changed: async (p) => {
        if ('unitId' in p) published(await configs.publishUnit(p.unitId));
        else for (const id of p.deviceIds) await configs.publish(id);
      },
    },
    resync: async () => {
      try {
        await sweepRevoked();
        await sweepDrains();
        sendCommands();
        published(await configs.publishChanged());
        // Offers are few (boards of rollouts): all of them again, rather than a watermark.
        await offers.publishAll();
      } finally {
        resynced();
      }
    },
    onError: (err) => logger.warn({ err: err.message }, 'database signals'),
  });

  const serve: Serve = (conn, address, req, peer) => {
    const guarded = admission.admit(conn, address);
    if (!guarded) return;
    if (peer) gate.peers.set(guarded, peer);
    aedes.handle(guarded, req);
  };
  const listeners: Listener[] = [];
  try {
    await firstResync;
    listeners.push(await listenTcp(serve, opts.mqttPort, host));
    if (opts.tls) listeners.push(await listenTls(serve, opts.tls, host));
    if (opts.ws) listeners.push(await listenWs(serve, opts.ws, host));
    if (opts.publishConfigsOnStart ?? true) {
      const n = await configs.publishAll();
      if (n > 0) logger.info({ configs: n }, 'published retained device configs');
    }
  } catch (err) {
    clearInterval(drainTimer);
    clearInterval(pruneTimer);
    await pruning;
    unsubscribe();
    await Promise.all(listeners.map((l) => l.close()));
    await new Promise<void>((r) => aedes.close(() => r()));
    await state.close();
    throw err;
  }

  const [tcp, ...rest] = listeners as [Listener, ...Listener[]];
  let tlsPort: number | null = null;
  let wsPort: number | null = null;
  if (opts.tls) tlsPort = rest.shift()?.port ?? null;
  if (opts.ws) wsPort = rest.shift()?.port ?? null;
  logger.info({ port: tcp.port, tlsPort, wsPort, id: aedes.id }, 'broker listening');

  let closing: Promise<void> | null = null;
  return {
    id: aedes.id,
    port: tcp.port,
    tlsPort,
    wsPort,
    async disconnectDevice(deviceId) {
      gate.disconnectLocal(deviceId, 'disconnect requested');
      await new Promise<void>((resolve, reject) =>
        aedes.publish(
          {
            cmd: 'publish',
            topic: CTL_DISCONNECT,
            payload: Buffer.from(deviceId),
            qos: 0,
            retain: false,
            dup: false,
          },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
    },
    publishDeviceConfig: (deviceId) => configs.publish(deviceId),
    connectedDevices: () => [...gate.deviceClients.keys()],
    // No admission or packet guard here: the stream's other end is code in this process (the
    // all-in-one's ingest), which no network peer can reach, so there is no socket to flood.
    handle: (stream) => {
      aedes.handle(stream);
    },
    close() {
      closing ??= (async () => {
        clearInterval(drainTimer);
        clearInterval(pruneTimer);
        await pruning;
        unsubscribe();
        // No newcomers while the rest leave: a client let go retries within half a second.
        const stopped = Promise.all(listeners.map((l) => l.close()));
        await closeClients(aedes, 5_000);
        await new Promise<void>((r) => aedes.close(() => r()));
        await stopped;
        await state.close();
        await opts.cluster?.close?.();
      })();
      return closing;
    },
  };
}
