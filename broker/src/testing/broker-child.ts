/**
 * A cluster node in a process of its own, for tests that SIGKILL it. Reports its port over IPC.
 * `node --conditions=source --import tsx broker/src/testing/broker-child.ts`
 */
import { openStore } from '@onestop/store';
import pino from 'pino';
import { Registry } from 'prom-client';
import { redisCluster } from '../broker/cluster.js';
import { startBroker } from '../broker/start-broker.js';

const env = process.env;
const store = await openStore({ kind: 'postgres', url: env.DATABASE_URL ?? '' });
const broker = await startBroker({
  store,
  mqttPort: 0,
  host: '127.0.0.1',
  registry: new Registry(),
  logger: pino({ level: env.LOG_LEVEL ?? 'warn' }),
  serviceCredentials: [{ username: 'ingest', password: env.SERVICE_PASSWORD ?? '', role: 'ingest' }],
  rateLimit: null,
  cluster: redisCluster({ url: env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: env.REDIS_PREFIX }),
});
process.send?.({ port: broker.port });
process.on('SIGTERM', () => {
  void broker
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
