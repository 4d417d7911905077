import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BatchEventClock, CLOCK_TOLERANCE_MS, placeBatch, placeEvent } from './placement.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const YEAR_2100 = 4_102_444_800_000;
/** When the simulated device was provisioned. */
const PROVISIONED = Date.UTC(2025, 0, 6, 1);
/** A prompt delivery takes at most this long; the ingest groups arrivals at most this far apart. */
const PROMPT_DELAY_MAX = 10_000;
const BATCH_WINDOW = 2_000;

/** How a boot's wall clock relates to the true time `t` (and its monotonic reading `mono`). */
type ClockKind = 'ntp' | 'skewed' | 'epoch' | 'stale' | 'ahead';
const wallClock = (kind: ClockKind, error: number, t: number, mono: number): number => {
  const raw =
    kind === 'ntp' || kind === 'skewed'
      ? t + error
      : kind === 'epoch'
        ? mono + Math.abs(error) // no RTC: the clock starts at 1970 on power-up
        : kind === 'stale'
          ? Date.UTC(2020, 0, 1) + mono // an RTC stuck at its battery's last good day
          : t + 5 * 365 * DAY + error; // years ahead
  return Math.min(YEAR_2100, Math.max(0, Math.round(raw)));
};

const bootArb = fc.record({
  gap: fc.integer({ min: 0, max: 3 * DAY }),
  length: fc.integer({ min: MIN, max: 10 * HOUR }),
  clock: fc.constantFrom<ClockKind>('ntp', 'skewed', 'epoch', 'stale', 'ahead'),
  // Errors within NTP's reach, near the tolerance, and days off.
  error: fc.oneof(
    fc.integer({ min: -5_000, max: 5_000 }),
    fc.integer({ min: -30 * MIN, max: 30 * MIN }),
    fc.integer({ min: -2 * DAY, max: 2 * DAY }),
  ),
  events: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      replayed: fc.boolean(),
      delay: fc.integer({ min: 0, max: PROMPT_DELAY_MAX }),
      replayDelay: fc.integer({ min: 0, max: 2 * DAY }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type Boot = typeof bootArb extends fc.Arbitrary<infer B> ? B : never;

interface SimEvent {
  boot: number;
  t: number;
  mono: number;
  ts: number;
  arrival: number;
}

/** A device's life: boots one after another, events delivered promptly or replayed after a reboot. */
function simulate(boots: ReadonlyArray<Boot>) {
  const starts: number[] = [];
  const events: SimEvent[] = [];
  let clock = PROVISIONED;
  for (const b of boots) {
    const start = clock + b.gap;
    starts.push(start);
    clock = start + b.length;
  }
  boots.forEach((b, k) => {
    const start = starts[k] ?? 0;
    const next = starts[k + 1];
    for (const e of b.events) {
      const t = Math.round(start + e.at * b.length);
      const mono = t - start;
      // The last boot is still running: nothing of it can be a replay yet.
      const arrival = e.replayed && next !== undefined ? Math.max(t, next + e.replayDelay) : t + e.delay;
      events.push({ boot: k, t, mono, ts: wallClock(b.clock, b.error, t, mono), arrival });
    }
  });
  events.sort((a, b) => a.arrival - b.arrival);
  // The ingest commits what arrived within a short window as one batch, received at its end.
  const batches: SimEvent[][] = [];
  for (const e of events) {
    const last = batches.at(-1);
    if (last && e.arrival - (last[0]?.arrival ?? 0) <= BATCH_WINDOW && last.length < 6) last.push(e);
    else batches.push([e]);
  }
  return { starts, batches };
}

describe('placeBatch over a simulated device life', () => {
  it('places in [provisioning, receipt], near the true time once a boot was seen live, else only plausible claims', () => {
    fc.assert(
      fc.property(fc.array(bootArb, { minLength: 1, maxLength: 4 }), (boots) => {
        const { starts, batches } = simulate(boots);
        const anchors = new Map<string, number>();
        const seenLive = new Set<number>();
        for (const batch of batches) {
          const receivedAtMs = Math.max(...batch.map((e) => e.arrival));
          // The live boot is the one running when the batch is received.
          const running = starts.filter((s) => s <= receivedAtMs).length - 1;
          const clocks: BatchEventClock[] = batch.map((e) => ({
            boot: String(e.boot),
            live: e.boot === running,
            ts: e.ts,
            mono: e.mono,
            receivedAtMs,
            provisionedAtMs: PROVISIONED,
          }));
          for (const c of clocks) if (c.live) seenLive.add(Number(c.boot));
          const { placements, learnt } = placeBatch(clocks, anchors);
          for (const [boot, at] of learnt) anchors.set(boot, Math.min(anchors.get(boot) ?? at, at));
          expect(placements).toHaveLength(batch.length);
          batch.forEach((e, i) => {
            const p = placements[i];
            if (!p) throw new Error('missing placement');
            if (p.at !== null) {
              expect(p.at).toBeGreaterThanOrEqual(PROVISIONED);
              expect(p.at).toBeLessThanOrEqual(receivedAtMs);
            }
            if (seenLive.has(e.boot)) {
              // Anchored: the error is at most the tolerance plus the slowest prompt delivery.
              expect(p.at).not.toBeNull();
              expect(Math.abs((p.at ?? 0) - e.t)).toBeLessThanOrEqual(
                CLOCK_TOLERANCE_MS + PROMPT_DELAY_MAX + BATCH_WINDOW,
              );
            } else {
              // Never seen live: only the claim's plausibility can be judged.
              const plausible =
                e.ts >= PROVISIONED - CLOCK_TOLERANCE_MS && e.ts <= receivedAtMs + CLOCK_TOLERANCE_MS;
              expect(p.timeSource).toBe(plausible ? 'device' : 'quarantined');
            }
          });
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('placeEvent', () => {
  const now = Date.UTC(2026, 10, 20, 3); // 10:00 in Hanoi
  const live = (over: Partial<BatchEventClock>): BatchEventClock => ({
    boot: 'b',
    live: true,
    ts: now,
    mono: HOUR,
    receivedAtMs: now,
    provisionedAtMs: PROVISIONED,
    ...over,
  });

  it('re-bases a live event dated 2030 to its receipt, and says by how much the clock is ahead', () => {
    const ts = Date.UTC(2030, 0, 1);
    const { placements } = placeBatch([live({ ts })], new Map());
    expect(placements[0]).toEqual({ at: now, timeSource: 'rebased', clockOffsetMs: ts - now });
  });

  it('believes a clock that agrees with the boot within the tolerance, never placing after receipt', () => {
    const ahead = placeBatch([live({ ts: now + CLOCK_TOLERANCE_MS })], new Map()).placements[0];
    expect(ahead).toEqual({ at: now, timeSource: 'device', clockOffsetMs: CLOCK_TOLERANCE_MS });
    const behind = placeBatch([live({ ts: now - 90_000 })], new Map()).placements[0];
    expect(behind).toEqual({ at: now - 90_000, timeSource: 'device', clockOffsetMs: -90_000 });
  });

  it('places several events of a boot never seen before by the tightest bound of their batch', () => {
    // A board reading 1970 after a power cut: 3 events, the last one sent as it happened.
    const boot = now - 2 * HOUR;
    const batch = [HOUR, HOUR + 30 * MIN, 2 * HOUR].map((mono) => live({ ts: mono, mono }));
    const { placements, learnt } = placeBatch(batch, new Map());
    expect(placements.map((p) => [p.at, p.timeSource])).toEqual([
      [boot + HOUR, 'rebased'],
      [boot + HOUR + 30 * MIN, 'rebased'],
      [boot + 2 * HOUR, 'rebased'],
    ]);
    expect(learnt.get('b')).toBe(boot);
  });

  it('places a replay of an old boot only through an anchor learnt while it was live', () => {
    const replay = live({ live: false, ts: 5_000, mono: 5_000, receivedAtMs: now + DAY });
    expect(placeBatch([replay], new Map()).placements[0]?.timeSource).toBe('quarantined');
    const anchors = new Map([['b', now - HOUR]]);
    expect(placeBatch([replay], anchors).placements[0]).toMatchObject({
      at: now - HOUR + 5_000,
      timeSource: 'rebased',
    });
    // A replay proves little of its boot: nothing is learnt from it.
    expect(placeBatch([replay], anchors).learnt.size).toBe(0);
  });

  it('quarantines an unanchored claim before provisioning or after receipt, believes a plausible one', () => {
    const at = (ts: number) => placeEvent({ ...live({ ts }), mono: 0 }, null).timeSource;
    expect(at(PROVISIONED - DAY)).toBe('quarantined');
    expect(at(now + DAY)).toBe('quarantined');
    expect(at(now - DAY)).toBe('device');
  });

  it('does not build on a mono that would put the boot before provisioning', () => {
    const garbage = live({ mono: now - PROVISIONED + DAY, ts: now - 10_000 });
    const { placements, learnt } = placeBatch([garbage], new Map());
    expect(learnt.size).toBe(0);
    // Judged on its wall clock alone, which is plausible.
    expect(placements[0]).toEqual({ at: now - 10_000, timeSource: 'device', clockOffsetMs: null });
    // A later sane event of the boot is not dragged back by it.
    const sane = placeBatch([garbage, live({ ts: 0, mono: HOUR })], new Map()).placements[1];
    expect(sane).toMatchObject({ at: now, timeSource: 'rebased' });
  });

  it('takes an unregistered device as provisioned in 2020', () => {
    const p = placeEvent(live({ ts: Date.UTC(2019, 11, 1), provisionedAtMs: null }), null);
    expect(p.timeSource).toBe('quarantined');
  });
});
