import { type BrokerHandle, type BrokerOptions, startBroker } from '@onestop/broker';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import { Lifecycle } from '@onestop/service';
import { logDossierRebuild, openPgliteThread, type Store } from '@onestop/store';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export interface EmbeddedOptions {
  /** PGlite's data folder; null keeps the database in memory (benchmarks, tests). */
  dataDir: string | null;
  broker: Omit<BrokerOptions, 'store' | 'registry' | 'logger'>;
  /** The ingest's login, one of `broker.serviceCredentials`, and its client ID. */
  ingest: { username: string; password: string; clientId: string };
  registry: Registry;
  logger: Logger;
  /** The database thread died while running: nothing can be stored any more (see openPgliteThread). */
  onFatal?: (err: Error) => void;
}

export interface Embedded {
  store: Store;
  broker: BrokerHandle;
  ingest: IngestHandle;
  /** Ingest, then broker, then database: what was read is stored and acknowledged first. */
  close(): Promise<void>;
}

/**
 * The core of `onestop serve` (and of `npm run bench:ingest`, so that the benchmark measures this
 * exact wiring): the embedded database in a worker thread, the broker (the door), and the ingest
 * (the only writer of events) attached to the broker over an in-memory stream. PGlite executes
 * SQL synchronously on the thread that owns it; on the main thread it took turns with all MQTT
 * handling on one core. The ingest stays an MQTT client of the broker (it works unchanged against
 * Mosquitto or EMQX given a URL); only the TCP hop to ourselves is gone. A part that fails to
 * start stops the ones already started and names itself (`StartError.part`).
 */
export async function startEmbedded(o: EmbeddedOptions): Promise<Embedded> {
  const life = new Lifecycle(o.logger);
  const store = await life.start(
    'database',
    () =>
      openPgliteThread(o.dataDir, o.onFatal, logDossierRebuild(o.logger), (e) =>
        'error' in e
          ? o.logger.warn(
              { err: e.error },
              'database upkeep (vacuum, analyze) failed; tried again next round',
            )
          : o.logger.debug(
              e,
              e.analyzed ? 'database upkeep: grown tables analyzed' : 'database upkeep: vacuumed',
            ),
      ),
    (s) => s.close(),
  );
  const broker = await life.start(
    'broker',
    () =>
      startBroker({ ...o.broker, store, registry: o.registry, logger: o.logger.child({ part: 'broker' }) }),
    (b) => b.close(),
  );
  const ingest = await life.start(
    'ingest',
    () =>
      startIngest({
        store,
        inProcess: broker,
        ...o.ingest,
        registry: o.registry,
        logger: o.logger.child({ part: 'ingest' }),
      }),
    (i) => i.close(),
  );
  return { store, broker, ingest, close: () => life.stop() };
}
