/**
 * An ingest in a process of its own, for tests that kill it (SIGKILL) mid-burst:
 * `node --conditions=source --import tsx ingest/src/testing/ingest-child.ts` with the env below.
 */
import { openStore } from '@onestop/store';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startIngest } from '../start-ingest.js';

const env = process.env;
const store = await openStore({ kind: 'postgres', url: env.DATABASE_URL ?? '' });
const ingest = await startIngest({
  store,
  mqttUrl: env.MQTT_URL ?? '',
  username: env.MQTT_USERNAME,
  password: env.MQTT_PASSWORD,
  clientId: env.MQTT_CLIENT_ID ?? 'ingest-child',
  registry: new Registry(),
  logger: pino({ level: env.LOG_LEVEL ?? 'warn' }),
  batchSize: Number(env.BATCH_SIZE ?? 500),
});
process.send?.('ready');
process.on('SIGTERM', () => {
  void ingest
    .close()
    .then(() => store.close())
    .then(() => process.exit(0));
});
