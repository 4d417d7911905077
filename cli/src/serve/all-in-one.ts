import { join, resolve } from 'node:path';
import { type BrokerOptions, serviceCredentials, startBroker, startIngest } from '@onestop/broker';
import { startDashboard } from '@onestop/dashboard';
import { startSimulatedCounter } from '@onestop/edge-agent';
import { openStore } from '@onestop/store';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { explainListenError } from '../errors.js';
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
}

export interface AllInOne {
  mqttPort: number;
  httpPort: number;
  dashboardUrl: string;
  /** One-time sign-in link for the operator (and the first account's password on first start). */
  signIn: Awaited<ReturnType<typeof prepareFirstSignIn>>;
  close(): Promise<void>;
}

/**
 * Broker + ingest + dashboard on one embedded PGlite database, plus an optional simulated fleet
 * that runs the real agent code. Parts start in dependency order and stop in reverse.
 */
export async function startAllInOne(o: AllInOneOptions): Promise<AllInOne> {
  const dataDir = resolve(o.dataDir);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const stops: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        o.logger.warn({ err }, 'error while stopping');
      }
    }
    stops.length = 0;
  };

  try {
    const store = await openStore({ kind: 'pglite', dataDir: join(dataDir, 'db') });
    stops.push(() => store.close());

    // In-process services get a fresh random credential each start: nothing to configure or leak.
    const services = serviceCredentials({});
    const broker = await startBroker({
      store,
      mqttPort: o.mqttPort,
      host: o.host,
      registry,
      logger: o.logger.child({ part: 'broker' }),
      serviceCredentials: services.all,
      ...o.listeners,
    }).catch((err: unknown) => {
      throw explainListenError(err, o.mqttPort, '--mqtt-port');
    });
    stops.push(() => broker.close());
    const mqttUrl = `mqtt://127.0.0.1:${broker.port}`;

    const ingest = await startIngest({
      store,
      mqttUrl,
      username: services.ingest.username,
      password: services.ingest.password,
      // Fixed: a restarted server resumes the same persistent session and loses nothing queued.
      clientId: 'onestop-ingest',
      registry,
      logger: o.logger.child({ part: 'ingest' }),
    });
    stops.push(() => ingest.close());

    const dashboard = await startDashboard({
      db: store.db,
      registry,
      logger: o.logger.child({ part: 'dashboard' }),
      port: o.httpPort,
      host: o.host,
    }).catch((err: unknown) => {
      throw explainListenError(err, o.httpPort, '--http-port');
    });
    stops.push(() => dashboard.close());
    const signIn = await prepareFirstSignIn(store.db, dashboard.url);

    if (o.simulate > 0) {
      const fleet = await ensureSimulatedFleet(store.db, dataDir, o.simulate);
      const counters = await Promise.all(
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
      // Simulated agents stop first so that they publish `stopped` while the broker is still up.
      stops.push(async () => {
        await Promise.all(counters.map((c) => c.stop()));
      });
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
