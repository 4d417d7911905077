import { slopeMbPerHour } from './analyse.js';

/**
 * The V8 heap of the centre's Node processes, read from each one's Prometheus `/metrics` as an
 * operator's Prometheus would. Resident memory alone cannot tell a heap that grows from one that
 * V8 has not collected yet, nor a cache filling to its bound from a leak: the heap's floor (the
 * least used in a window, i.e. just after a collection) and the dashboard's cache of drawn charts,
 * subtracted, can.
 */
export interface HeapSample {
  at: number;
  heapMb: number;
  /** `onestop_dashboard_chart_cache_bytes`, where the process has the cache. */
  chartCacheMb: number | null;
}

const MB = 1024 * 1024;

/** One scrape's figures; null if the heap is not in it. */
export function parseHeapMetrics(
  text: string,
): { heapMb: number; chartCacheMb: number | null; startedS: number | null } | null {
  const value = (name: string) => {
    const m = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const heap = value('nodejs_heap_size_used_bytes');
  if (heap === null) return null;
  const cache = value('onestop_dashboard_chart_cache_bytes');
  return {
    heapMb: heap / MB,
    chartCacheMb: cache === null ? null : cache / MB,
    startedS: value('process_start_time_seconds'),
  };
}

/**
 * Scrapes every named `/metrics` when asked, and keeps what is recorded from elsewhere. A
 * restarted process starts its heap afresh: its series starts again (a fall to a new process's
 * heap is not memory given back).
 */
export class HeapSampler {
  readonly series = new Map<string, HeapSample[]>();
  private readonly started = new Map<string, number | null>();

  constructor(private readonly urls: () => Readonly<Record<string, string>>) {}

  async sample(now: number): Promise<void> {
    await Promise.all(
      Object.entries(this.urls()).map(async ([name, url]) => {
        // A part that is down or slow misses this sample; the next one comes in 20 s.
        const text = await fetch(url, { signal: AbortSignal.timeout(5_000) })
          .then((r) => (r.ok ? r.text() : null))
          .catch(() => null);
        const m = text === null ? null : parseHeapMetrics(text);
        if (m) this.record(name, m.startedS, { at: now, heapMb: m.heapMb, chartCacheMb: m.chartCacheMb });
      }),
    );
  }

  /** A sample read otherwise; `life` tells one life of the process from the next (start time, pid). */
  record(name: string, life: number | null, sample: HeapSample): void {
    if (this.started.has(name) && this.started.get(name) !== life) this.series.delete(name);
    this.started.set(name, life);
    const list = this.series.get(name) ?? [];
    list.push(sample);
    this.series.set(name, list);
  }
}

/**
 * The least heap of each window of `windowMs` (from the first sample), at the instant it was
 * seen: what survived a collection. Garbage between collections makes raw samples swing by tens
 * of MB; their floors are what a leak would lift.
 */
export function heapFloors(
  samples: ReadonlyArray<readonly [number, number]>,
  windowMs: number,
): Array<[number, number]> {
  const floors = new Map<number, [number, number]>();
  const t0 = samples[0]?.[0] ?? 0;
  for (const [t, mb] of samples) {
    const w = Math.floor((t - t0) / windowMs);
    const f = floors.get(w);
    if (!f || mb < f[1]) floors.set(w, [t, mb]);
  }
  return [...floors.values()];
}

export interface HeapSummary {
  /** The heap's floor per window, in MB, oldest first. */
  floorsMb: number[];
  /** The least-squares trend of the floors (flat: near 0; a leak: positive). */
  mbPerHour: number | null;
  /** The cache of drawn charts at the end (dashboard and serve only). */
  chartCacheMb?: number;
  /** The trend of the heap less the cache: what grows that no bound holds. */
  lessChartCacheMbPerHour?: number | null;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * A process's heap from `fromMs` (the end of the run's warm-up: a process restarted later counts
 * from its restart), by windows of `windowMs`.
 */
export function summariseHeap(
  series: readonly HeapSample[],
  fromMs: number,
  windowMs: number,
): HeapSummary | null {
  const warm = series.filter((s) => s.at >= fromMs);
  if (warm.length === 0) return null;
  const heap = heapFloors(
    warm.map((s) => [s.at, s.heapMb] as const),
    windowMs,
  );
  const summary: HeapSummary = {
    floorsMb: heap.map(([, mb]) => round1(mb)),
    mbPerHour: slopeMbPerHour(heap),
  };
  const last = warm[warm.length - 1]!;
  if (last.chartCacheMb !== null) {
    summary.chartCacheMb = round1(last.chartCacheMb);
    summary.lessChartCacheMbPerHour = slopeMbPerHour(
      heapFloors(
        warm.map((s) => [s.at, s.heapMb - (s.chartCacheMb ?? 0)] as const),
        windowMs,
      ),
    );
  }
  return summary;
}
