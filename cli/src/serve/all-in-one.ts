import { join, resolve } from 'node:path';
import { type BrokerOptions, EmbeddedStartError, serviceCredentials, startEmbedded } from '@onestop/broker';
import { startDashboard } from '@onestop/dashboard';
import { startSimulatedCounter } from '@onestop/edge-agent';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { explainListenError, UsageError } from '../errors.js';
import { embeddedDatabaseDir } from '../with-store.js';
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
  listeners?: Pick<BrokerOptions, 'tls' | 'ws' | 'cluster'>;
  logger: Logger;
  /** A part died while running (the database thread): the caller should exit non-zero. */
  onFatal?: (err: Error) => void;
}

export interface AllInOne {
  mqttPort: number;
  httpPort: number;
  dashboardUrl: string;
  /** One-time sign-in link for the operator (and the first account's password on first start). */
  signIn: Awaited<ReturnType<typeof prepareFirstSignIn>>;
  close(): Promise<void>;
}

/** A part that did not start; the message names it, `cause` is the original error. */
export class StartError extends Error {
  constructor(part: string, cause: unknown) {
    super(
      `onestop serve: could not start the ${part}: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'StartError';
  }
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
  const stops: Array<{ part: string; stop: () => Promise<void> }> = [];
  const closeAll = async () => {
    // In reverse, one at a time (the fleet says goodbye while the broker is up, the ingest
    // commits before the database closes), and like Promise.allSettled every stop is attempted
    // whatever the others did.
    for (const { part, stop } of stops.splice(0).reverse()) {
      try {
        await stop();
      } catch (err) {
        o.logger.warn({ err, part }, 'error while stopping');
      }
    }
  };
  const start = async <T>(part: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof UsageError || err instanceof StartError) throw err;
      // The core names which of its parts failed (and has already stopped the others).
      if (err instanceof EmbeddedStartError) throw new StartError(err.part, err.cause);
      throw new StartError(part, err);
    }
  };

  try {
    // In-process services get a fresh random credential each start: nothing to configure or leak.
    const services = serviceCredentials({});
    const core = await start('database, broker and ingest', () =>
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
          // Fixed: a restarted server resumes the same persistent session and loses nothing queued.
          clientId: 'onestop-ingest',
        },
        registry,
        logger: o.logger,
        onFatal: o.onFatal,
      }).catch((err: unknown) => {
        if (err instanceof EmbeddedStartError && err.part === 'broker')
          throw explainListenError(err.cause, o.mqttPort, '--mqtt-port');
        throw err;
      }),
    );
    stops.push({ part: 'broker, ingest and database', stop: () => core.close() });
    const { store, broker } = core;
    const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;

    const dashboard = await start('dashboard', () =>
      startDashboard({
        db: store.db,
        registry,
        logger: o.logger.child({ part: 'dashboard' }),
        port: o.httpPort,
        host: o.host,
      }).catch((err: unknown) => {
        throw explainListenError(err, o.httpPort, '--http-port');
      }),
    );
    stops.push({ part: 'dashboard', stop: () => dashboard.close() });
    const signIn = await start('first sign-in', () => prepareFirstSignIn(store.db, dashboard.url));

    if (o.simulate > 0) {
      const fleet = await start('simulated fleet', () => ensureSimulatedFleet(store.db, dataDir, o.simulate));
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
      stops.push({
        part: 'simulated counters',
        stop: async () => {
          await Promise.all(counters.map((c) => c.stop()));
        },
      });
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw new StartError('simulated counters', failed.reason);
    }

    return {
      mqttPort: broker.port,
      httpPort: dashboard.port,
      dashboardUrl: dashboard.url,
      signIn,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
