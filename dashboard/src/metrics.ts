import { type Database, openAlertCounts } from '@onestop/store';
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import { chartCacheBytes, chartCounts } from './charts/svg.js';

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

/** Charts drawn by ECharts and charts reused from the cache of drawings (`charts/svg.ts`). */
export function registerChartCounter(registry: Registry): void {
  if (registry.getSingleMetric('onestop_dashboard_charts_total')) return;
  new Counter({
    name: 'onestop_dashboard_charts_total',
    help: 'Charts on dashboard pages, by whether they were drawn or reused from the cache of drawings',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      // The counts live with the cache (one per process); each scrape copies them.
      this.reset();
      this.inc({ result: 'drawn' }, chartCounts.drawn);
      this.inc({ result: 'reused' }, chartCounts.reused);
    },
  });
  new Gauge({
    name: 'onestop_dashboard_chart_cache_bytes',
    help: 'Heap bytes of SVG the cache of drawn charts holds (bounded at 32 MiB)',
    registers: [registry],
    collect() {
      this.set(chartCacheBytes());
    },
  });
}
