import { openPgliteThread, type Store } from '@onestop/store';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type BrokerHandle, type BrokerOptions, startBroker } from '../broker/start-broker.js';
import { type IngestHandle, startIngest } from './start-ingest.js';

export interface EmbeddedOptions {
  /** PGlite's data folder; null keeps the database in memory (benchmarks, tests). */
  dataDir: string | null;
  broker: Omit<BrokerOptions, 'store' | 'registry' | 'logger'>;
  /** The ingest's login, one of `broker.serviceCredentials`, and its fixed session ID. */
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

/** Which part of the embedded server failed to start; `cause` is the original error. */
export class EmbeddedStartError extends Error {
  constructor(
    readonly part: 'database' | 'broker' | 'ingest',
    cause: unknown,
  ) {
    super(`could not start the ${part}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'EmbeddedStartError';
  }
}

/**
 * The core of `onestop serve` (and of `npm run bench:ingest`, so that the benchmark measures this
 * exact wiring): the embedded database in a worker thread, the broker, and the ingest attached to
 * the broker over an in-memory stream. PGlite executes SQL synchronously on the thread that owns
 * it; on the main thread it took turns with all MQTT handling on one core. The ingest stays an
 * MQTT client of the broker (it works unchanged against Mosquitto or EMQX given a URL); only the
 * TCP hop to ourselves is gone. If a part fails to start, the parts already started are closed.
 */
export async function startEmbedded(o: EmbeddedOptions): Promise<Embedded> {
  const started: Array<() => Promise<void>> = [];
  const closeStarted = async () => {
    const errors: unknown[] = [];
    for (const stop of started.splice(0).reverse()) {
      await stop().catch((err: unknown) => errors.push(err));
    }
    if (errors.length > 0) o.logger.warn({ errors }, 'errors while stopping the embedded server');
  };
  const part = async <T>(name: EmbeddedStartError['part'], start: () => Promise<T>): Promise<T> => {
    try {
      return await start();
    } catch (err) {
      await closeStarted();
      throw new EmbeddedStartError(name, err);
    }
  };

  const store = await part('database', () => openPgliteThread(o.dataDir, o.onFatal));
  started.push(() => store.close());
  const broker = await part('broker', () =>
    startBroker({ ...o.broker, store, registry: o.registry, logger: o.logger.child({ part: 'broker' }) }),
  );
  started.push(() => broker.close());
  const ingest = await part('ingest', () =>
    startIngest({
      store,
      inProcess: broker,
      ...o.ingest,
      registry: o.registry,
      logger: o.logger.child({ part: 'ingest' }),
    }),
  );
  started.push(() => ingest.close());
  return { store, broker, ingest, close: closeStarted };
}
