import type { IngestHandle } from '@onestop/ingest';
import type { Database } from '@onestop/store';
import type { Command } from 'commander';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { explainListenError, parsePort, parsePositiveInt, UsageError } from '../errors.js';
import { addListenerFlags, type ListenerFlags, listenerOptions } from '../listeners.js';
import { type HealthReport, serveMetrics } from '../metrics-server.js';
import { onShutdown } from '../shutdown.js';

/**
 * Scale-out: broker, ingest and dashboard as separate processes sharing PostgreSQL
 * (DATABASE_URL) and the ingest's service password (ONESTOP_SERVICE_PASSWORD).
 */
function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new UsageError(`${name} must be set when the parts run as separate processes`);
  return v;
}

async function pingDatabase(db: Database): Promise<void> {
  await db.execute('select 1');
}

async function openSharedStore(logger: Logger) {
  const { logDossierRebuild, openStore } = await import('@onestop/store');
  return openStore({
    kind: 'postgres',
    url: requireEnv('DATABASE_URL'),
    onIdleError: (err) => logger.warn({ err }, 'database connection dropped'),
    onDossierRebuild: logDossierRebuild(logger),
  });
}

/**
 * The ingest's `/healthz`: 503 while it is not connected and subscribed (the body says why, e.g.
 * the broker's refusal), while its oldest unstored event is older than `maxLagMs`, or while the
 * database takes no query; 200 otherwise. The body carries the link status and the lag.
 */
export async function ingestHealthz(
  ingest: IngestHandle,
  db: Database,
  maxLagMs: number,
): Promise<HealthReport> {
  const { judgeIngest } = await import('@onestop/ingest');
  const verdict = judgeIngest(ingest.health(), maxLagMs);
  const database = await pingDatabase(db).then(
    () => null,
    (err: unknown) => `database: ${err instanceof Error ? err.message : String(err)}`,
  );
  if (!database) return verdict;
  return { ...verdict, ok: false, reason: verdict.reason ? `${verdict.reason}; ${database}` : database };
}

// Each part's modules load inside its action, so `onestop --help` loads none of them.
async function metricsRegistry(): Promise<Registry> {
  const { collectDefaultMetrics, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function registerSplitCommands(program: Command): void {
  addListenerFlags(
    program
      .command('broker')
      .description('run only the MQTT broker (device authentication, ACL, validation) against DATABASE_URL')
      .option('--mqtt-port <port>', 'MQTT listener port', parsePort('--mqtt-port'), 1883)
      .option('--host <address>', 'address to listen on', '0.0.0.0')
      .option(
        '--metrics-port <port>',
        'serve Prometheus /metrics and /healthz on this port',
        parsePort('--metrics-port'),
        9464,
      ),
  ).action(async (o: ListenerFlags & { mqttPort: number; host: string; metricsPort: number }) => {
    const [{ createLogger }, { serviceCredentials, startBroker }] = await Promise.all([
      import('../logger.js'),
      import('@onestop/broker'),
    ]);
    const logger = createLogger('onestop-broker');
    requireEnv('ONESTOP_SERVICE_PASSWORD');
    const store = await openSharedStore(logger);
    const registry = await metricsRegistry();
    const broker = await startBroker({
      store,
      mqttPort: o.mqttPort,
      host: o.host,
      registry,
      logger,
      serviceCredentials: serviceCredentials().all,
      ...(await listenerOptions(o, o.host)),
    }).catch((err: unknown) => {
      throw explainListenError(err, o.mqttPort, '--mqtt-port');
    });
    const metrics = await serveMetrics(registry, o.metricsPort, o.host, async () => {
      await pingDatabase(store.db);
      return { ok: true };
    });
    onShutdown(logger, async () => {
      await metrics.close();
      await broker.close();
      await store.close();
    });
  });

  program
    .command('ingest')
    .description('run only the ingest: MQTT subscriber → database → receipts')
    .requiredOption(
      '--mqtt-url <urls>',
      'broker URL, e.g. mqtt://broker-1:1883; the nodes of a cluster comma-separated, tried in turn while one is down',
    )
    .option('--client-id <id>', 'MQTT client ID (unique per ingest process)', 'onestop-ingest-1')
    .option(
      '--persistent-session',
      'have the broker queue events while this ingest is away (Mosquitto, EMQX; the devices re-send anyway)',
    )
    .option(
      '--share <group>',
      'split the load with other ingest processes through $share/<group>/ (Mosquitto, EMQX)',
    )
    .option(
      '--metrics-port <port>',
      'serve Prometheus /metrics and /healthz on this port',
      parsePort('--metrics-port'),
      9465,
    )
    .option('--host <address>', 'address of the metrics listener', '0.0.0.0')
    .option(
      '--max-lag <seconds>',
      '/healthz answers 503 once the oldest event not yet stored is older than this (default 30)',
      parsePositiveInt('--max-lag', 86_400, 1),
    )
    .option(
      '--commit-lanes <n>',
      'transactions in flight at once, each unit pinned to one (default 1; more only where PostgreSQL has cores to spare)',
      parsePositiveInt('--commit-lanes', 16, 1),
    )
    .action(
      async (o: {
        mqttUrl: string;
        clientId: string;
        persistentSession?: boolean;
        share?: string;
        metricsPort: number;
        host: string;
        maxLag?: number;
        commitLanes?: number;
      }) => {
        const [{ createLogger }, { serviceCredentials }, { DEFAULT_MAX_LAG_MS, startIngest }] =
          await Promise.all([import('../logger.js'), import('@onestop/broker'), import('@onestop/ingest')]);
        const maxLagMs = o.maxLag !== undefined ? o.maxLag * 1000 : DEFAULT_MAX_LAG_MS;
        const logger = createLogger('onestop-ingest');
        const store = await openSharedStore(logger);
        const registry = await metricsRegistry();
        const { ingest: credential } = serviceCredentials({
          ONESTOP_SERVICE_PASSWORD: requireEnv('ONESTOP_SERVICE_PASSWORD'),
        });
        const ingest = await startIngest({
          store,
          mqttUrl: o.mqttUrl,
          username: credential.username,
          password: credential.password,
          clientId: o.clientId,
          persistentSession: o.persistentSession === true,
          sharedGroup: o.share ?? null,
          commitLanes: o.commitLanes,
          registry,
          logger,
          // Up at once, broker or not: the supervisor sees a running process whose /healthz says
          // 503 and why (refused, unreachable) until the broker takes it; it never gives up.
          awaitBroker: false,
        });
        const metrics = await serveMetrics(registry, o.metricsPort, o.host, () =>
          ingestHealthz(ingest, store.db, maxLagMs),
        );
        onShutdown(logger, async () => {
          await metrics.close();
          await ingest.close();
          await store.close();
        });
      },
    );

  program
    .command('dashboard')
    .description('run only the dashboard against DATABASE_URL')
    .option('--http-port <port>', 'HTTP port', parsePort('--http-port'), 8080)
    .option('--host <address>', 'address to listen on', '0.0.0.0')
    .action(async (o: { httpPort: number; host: string }) => {
      const [{ createLogger }, { startDashboard }, { countActiveStaff }] = await Promise.all([
        import('../logger.js'),
        import('@onestop/dashboard'),
        import('@onestop/store'),
      ]);
      const logger = createLogger('onestop-dashboard');
      const store = await openSharedStore(logger);
      if ((await countActiveStaff(store.db)) === 0)
        logger.warn(
          "no dashboard accounts yet: create one with 'onestop user add --role city --name NAME' (same DATABASE_URL)",
        );
      // Apart from the broker, the dashboard knows the broker's address only if told: pairing
      // answers 503 until ONESTOP_MQTT_URL says where boards are to connect.
      const { fixedBrokerUrls, readCaCertificate } = await import('../pairing/endpoint.js');
      const brokerUrls = fixedBrokerUrls(process.env.ONESTOP_MQTT_URL);
      const dashboard = await startDashboard({
        db: store.db,
        notifications: store.notifications,
        registry: await metricsRegistry(),
        logger,
        port: o.httpPort,
        host: o.host,
        ...(brokerUrls
          ? {
              pairing: {
                brokerUrls: () => brokerUrls,
                caCertificate: readCaCertificate(process.env.ONESTOP_MQTT_CA, 'ONESTOP_MQTT_CA'),
              },
            }
          : {}),
      }).catch((err: unknown) => {
        throw explainListenError(err, o.httpPort, '--http-port');
      });
      onShutdown(logger, async () => {
        await dashboard.close();
        await store.close();
      });
    });
}
