import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { HeapSampler, heapFloors, parseHeapMetrics, summariseHeap } from './heap.js';

const MIN = 60_000;
const MB = 1024 * 1024;

describe('the heap of a centre process, read from its /metrics', () => {
  it('reads prom-client’s heap and start time, and the dashboard’s cache where there is one', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    const plain = parseHeapMetrics(await registry.metrics());
    expect(plain!.heapMb).toBeGreaterThan(1);
    expect(plain!.startedS).toBeGreaterThan(1e9);
    expect(plain!.chartCacheMb).toBeNull();
    new Gauge({ name: 'onestop_dashboard_chart_cache_bytes', help: 'h', registers: [registry] }).set(3 * MB);
    expect(parseHeapMetrics(await registry.metrics())!.chartCacheMb).toBe(3);
    expect(parseHeapMetrics('# no heap here\nup 1\n')).toBeNull();
  });

  it('keeps the least heap of each window: garbage between collections is not growth', () => {
    const saw = [100, 60, 90, 62, 140, 61, 120, 63].map((mb, i) => [i * MIN, mb] as const);
    expect(heapFloors(saw, 2 * MIN)).toEqual([
      [1 * MIN, 60],
      [3 * MIN, 62],
      [5 * MIN, 61],
      [7 * MIN, 63],
    ]);
  });

  it('tells a cache filling to its bound from a leak', () => {
    // Heap = 50 MB live + a cache that fills, + noise; then the same with 10 MB/h more.
    const at = (i: number) => i * MIN;
    const cache = (i: number) => Math.min(30, i / 2);
    const noise = (i: number) => (i % 3) * 7;
    const filling = Array.from({ length: 61 }, (_, i) => ({
      at: at(i),
      heapMb: 50 + cache(i) + noise(i),
      chartCacheMb: cache(i),
    }));
    const bounded = summariseHeap(filling, 6 * MIN, 5 * MIN)!;
    expect(bounded.mbPerHour).toBeGreaterThan(10);
    expect(bounded.lessChartCacheMbPerHour).toBe(0);
    expect(bounded.chartCacheMb).toBe(30);
    const leaking = summariseHeap(
      filling.map((s, i) => ({ ...s, heapMb: s.heapMb + i / 6 })),
      6 * MIN,
      5 * MIN,
    )!;
    expect(leaking.lessChartCacheMbPerHour).toBeCloseTo(10, 0);
    // A process without the cache has no such figure.
    const broker = summariseHeap(
      filling.map((s) => ({ ...s, chartCacheMb: null })),
      6 * MIN,
      5 * MIN,
    )!;
    expect(broker).not.toHaveProperty('lessChartCacheMbPerHour');
    expect(summariseHeap([], 0, MIN)).toBeNull();
    // A process restarted after the run's warm-up counts from its restart, not from a warm-up of its own.
    expect(summariseHeap(filling.slice(40), 6 * MIN, 5 * MIN)!.floorsMb).toHaveLength(5);
  });

  describe('scraping', () => {
    let started = 1000;
    let heap = 40 * MB;
    const server = createServer((req, res) => {
      if (req.url !== '/metrics') return res.writeHead(404).end();
      res.end(`nodejs_heap_size_used_bytes ${heap}\nprocess_start_time_seconds ${started}\n`);
    });
    afterAll(() => server.close());

    it('starts a series afresh when the process restarted, and skips a part that is down', async () => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const sampler = new HeapSampler(() => ({ ingest: `${url}/metrics`, gone: `${url}/nothing` }));
      await sampler.sample(1);
      heap = 45 * MB;
      await sampler.sample(2);
      expect(sampler.series.get('ingest')!.map((s) => s.heapMb)).toEqual([40, 45]);
      started = 2000;
      heap = 20 * MB;
      await sampler.sample(3);
      expect(sampler.series.get('ingest')!.map((s) => [s.at, s.heapMb])).toEqual([[3, 20]]);
      expect(sampler.series.has('gone')).toBe(false);
    });
  });
});
