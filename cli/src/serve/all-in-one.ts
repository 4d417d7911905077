import { join, resolve } from 'node:path';
import { serviceCredentials } from '@onestop/broker';
import { startEmbedded } from '@onestop/centre';
import { releasesDirOf, startDashboard } from '@onestop/dashboard';
import { startSimulatedCounter } from '@onestop/edge-agent';
import { judgeIngest } from '@onestop/ingest';
import { Lifecycle, StartError } from '@onestop/service';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { startControlSocket } from '../admin/control-socket.js';
import { explainListenError } from '../errors.js';
import type { ListenerOptions } from '../listeners.js';
import { servePairingEndpoint } from '../pairing/endpoint.js';
import { controlSocketPath, embeddedDatabaseDir } from '../with-store.js';
import { prepareFirstSignIn } from './first-sign-in.js';
import { ensureSimulatedFleet } from './fleet.js';

export interface AllInOneOptions {
  dataDir: string;
  mqttPort: number;
  httpPort: number;
  host: string;
  simulate: number;
  /** Compresses simulated time: 1 = real pace, 60 = a minute of counter life per second. */
  simulationSpeed: number;
  /** A folder of still images each simulated counter's real camera pipeline replays; null = off. */
  cameraReplayDir: string | null;
  /** Extra broker listeners (TLS, WebSocket) and clustering. */
  listeners?: ListenerOptions;
  /** The CA boards are to trust for the TLS listener, sent to boards that pair. */
  tlsCaCertificate?: string | null;
  logger: Logger;
  /** A part died while running (the database thread): the caller should exit non-zero. */
  onFatal?: (err: Error) => void;
}

export interface AllInOne {
  mqttPort: number;
  /** MQTT over TLS, when listening. */
  tlsPort: number | null;
  httpPort: number;
  dashboardUrl: string;
  /** Where `onestop device|user|officer|unit … --data DIR` reach this centre (mode 0600). */
  controlSocket: string;
  /** One-time sign-in link for the operator (and the first account's password on first start). */
  signIn: Awaited<ReturnType<typeof prepareFirstSignIn>>;
  close(): Promise<void>;
}

/**
 * Broker + ingest + dashboard on one embedded PGlite database, plus an optional simulated fleet
 * that runs the real agent code. Parts start in dependency order and stop in reverse. The core
 * (database thread, broker, ingest attached in-process) is `startEmbedded`, which the ingest
 * benchmark runs too. If a part fails to start, every part already started is stopped (each stop
 * attempted even when another fails) before the error goes up.
 */
export async function startAllInOne(o: AllInOneOptions): Promise<AllInOne> {
  const dataDir = resolve(o.dataDir);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const life = new Lifecycle(o.logger);
  try {
    // In-process services get a fresh random credential each start: nothing to configure or leak.
    const services = serviceCredentials({});
    const core = await life.start(
      'database, broker and ingest',
      () =>
        startEmbedded({
          dataDir: embeddedDatabaseDir(dataDir),
          broker: {
            mqttPort: o.mqttPort,
            host: o.host,
            serviceCredentials: services.all,
            ...o.listeners,
          },
          ingest: {
            username: services.ingest.username,
            password: services.ingest.password,
            clientId: 'onestop-ingest',
          },
          registry,
          logger: o.logger,
          onFatal: o.onFatal,
        }).catch((err: unknown) => {
          if (err instanceof StartError && err.part === 'broker')
            throw new StartError('broker', explainListenError(err.cause, o.mqttPort, '--mqtt-port'));
          throw err;
        }),
      (core) => core.close(),
    );
    const { store, broker, ingest } = core;
    const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;

    const dashboard = await life.start(
      'dashboard',
      () =>
        startDashboard({
          db: store.db,
          notifications: store.notifications,
          registry,
          logger: o.logger.child({ part: 'dashboard' }),
          port: o.httpPort,
          host: o.host,
          // One process, one /healthz: 503 while the ingest cannot receive or store events.
          health: () => judgeIngest(ingest.health()),
          // Release bundles live beside the embedded database, in the data folder.
          releasesDir: releasesDirOf(dataDir),
          pairing: servePairingEndpoint({
            mqttPort: broker.port,
            tlsPort: broker.tlsPort,
            caCertificate: o.tlsCaCertificate ?? null,
          }),
        }).catch((err: unknown) => {
          throw explainListenError(err, o.httpPort, '--http-port');
        }),
      (d) => d.close(),
    );
    // Admin commands are run while the centre holds the embedded database: they ask it here.
    const control = await life.start(
      'control socket',
      () =>
        startControlSocket({
          path: controlSocketPath(dataDir),
          db: store.db,
          context: { releasesDir: releasesDirOf(dataDir) },
          logger: o.logger.child({ part: 'control' }),
        }),
      (c) => c.close(),
    );
    const signIn = await life.start(
      'first sign-in',
      () => prepareFirstSignIn(store.db, dashboard.url),
      () => {},
    );

    if (o.simulate > 0) {
      const fleet = await life.start(
        'simulated fleet',
        () => ensureSimulatedFleet(store.db, dataDir, o.simulate),
        () => {},
      );
      // allSettled: the counters that did start are stopped even when one of them fails.
      const started = await Promise.allSettled(
        fleet.map((c, i) =>
          startSimulatedCounter({
            mqttUrl,
            unitId: c.unitId,
            counterId: c.counterId,
            deviceId: c.deviceId,
            username: c.username,
            password: c.password,
            dataDir: join(dataDir, 'simulator', c.deviceId),
            seed: i + 1,
            speed: o.simulationSpeed,
            officers: c.officers,
            camera: o.cameraReplayDir ? { replayDir: resolve(o.cameraReplayDir), fps: 2 } : null,
            logger: o.logger.child({ part: 'simulator', deviceId: c.deviceId }),
          }),
        ),
      );
      const counters = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      // Simulated agents stop first so that they publish `stopped` while the broker is still up.
      life.onStop('simulated counters', async () => {
        await Promise.all(counters.map((c) => c.stop()));
      });
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw new StartError('simulated counters', failed.reason);
    }

    return {
      mqttPort: broker.port,
      tlsPort: broker.tlsPort,
      httpPort: dashboard.port,
      dashboardUrl: dashboard.url,
      controlSocket: control.path,
      signIn,
      close: () => life.stop(),
    };
  } catch (err) {
    await life.stop();
    throw err;
  }
}
