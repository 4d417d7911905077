import { type Database, openAlertCounts } from '@onestop/store';
import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';

/** Open device alerts per kind, read from the database at scrape time (any process may raise them). */
export function registerAlertGauge(registry: Registry, db: Database, logger: Logger): void {
  if (registry.getSingleMetric('onestop_device_alerts_open')) return;
  new Gauge({
    name: 'onestop_device_alerts_open',
    help: 'Open device health alerts, by kind',
    labelNames: ['kind'],
    registers: [registry],
    async collect() {
      try {
        this.reset();
        for (const { kind, n } of await openAlertCounts(db)) this.set({ kind }, n);
      } catch (err) {
        logger.warn({ err }, 'could not count open alerts for /metrics');
      }
    },
  });
}
