import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchEventClock,
  type BootAnchor,
  CLOCK_TOLERANCE_MS,
  mayTighten,
  placeBatch,
  placeByOrder,
  placeEvent,
} from './placement.js';

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
  // The network is down from the boot on for this long (0: up at once); the outbox then drains.
  offline: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 3 * HOUR })),
  // The agent says its `mono` in its birth (older agents do not).
  birth: fc.boolean(),
  birthDelay: fc.integer({ min: 0, max: PROMPT_DELAY_MAX }),
  // The broker writes the birth about once a second, the ingest may place replays before.
  birthRecorded: fc.integer({ min: 0, max: 5 * MIN }),
  events: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      replayed: fc.boolean(),
      delay: fc.integer({ min: 0, max: PROMPT_DELAY_MAX }),
      replayDelay: fc.integer({ min: 0, max: 2 * DAY }),
      drain: fc.integer({ min: 0, max: 20 * MIN }),
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

/**
 * A device's life: boots one after another; events delivered promptly, or from the outbox when
 * the network comes back within the boot (after its birth), or replayed after a reboot. A birth
 * (with `mono`, when the agent sends it) is received live at each reconnect within its boot.
 */
function simulate(boots: ReadonlyArray<Boot>) {
  const starts: number[] = [];
  const events: SimEvent[] = [];
  /** Per boot: its birth's bound of the boot instant and when the centre has it on record. */
  const births: Array<{ bound: number; recorded: number } | null> = [];
  let clock = PROVISIONED;
  for (const b of boots) {
    const start = clock + b.gap;
    starts.push(start);
    clock = start + b.length;
  }
  boots.forEach((b, k) => {
    const start = starts[k] ?? 0;
    const next = starts[k + 1];
    const reconnect = start + b.offline;
    const connects = next === undefined || reconnect < next;
    births.push(
      b.birth && connects
        ? {
            bound: reconnect + b.birthDelay - b.offline,
            recorded: reconnect + b.birthDelay + b.birthRecorded,
          }
        : null,
    );
    for (const e of b.events) {
      const t = Math.round(start + e.at * b.length);
      const mono = t - start;
      const afterReboot = next !== undefined ? Math.max(t, next + e.replayDelay) : undefined;
      // The last boot is still running: nothing of it can be a replay of a reboot yet.
      const arrival =
        e.replayed && afterReboot !== undefined
          ? afterReboot
          : t >= reconnect
            ? t + e.delay
            : connects
              ? Math.max(t, reconnect + e.drain)
              : (afterReboot ?? t);
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
  return { starts, batches, births };
}

describe('placeBatch over a simulated device life', () => {
  it('believes a right clock always; places near the truth once a birth is known; never re-bases before the truth', () => {
    fc.assert(
      fc.property(fc.array(bootArb, { minLength: 1, maxLength: 4 }), (boots) => {
        const { starts, batches, births } = simulate(boots);
        /** What the centre stored of each boot (device_boots), as time/place.ts does. */
        const stored = new Map<string, BootAnchor>();
        const seenLive = new Set<number>();
        const tightKnown = new Set<number>();
        for (const batch of batches) {
          const receivedAtMs = Math.max(...batch.map((e) => e.arrival));
          // The live boot is the one running when the batch is received.
          const running = starts.filter((s) => s <= receivedAtMs).length - 1;
          // The device's latest birth on record (the broker keeps one per device).
          const latest = births.reduce<number | null>(
            (best, b, k) => (b && b.recorded <= receivedAtMs && (best === null || k > best) ? k : best),
            null,
          );
          const anchors = new Map<string, BootAnchor>();
          for (const k of new Set(batch.map((e) => e.boot))) {
            const before = stored.get(String(k));
            const birth = k === latest ? births[k] : null;
            if (birth) {
              tightKnown.add(k);
              anchors.set(String(k), {
                bootedAtMs: Math.min(birth.bound, before?.bootedAtMs ?? birth.bound),
                tight: true,
                claimedBootMs: before?.claimedBootMs ?? null,
              });
            } else if (before) anchors.set(String(k), before);
          }
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
          for (const k of new Set(batch.map((e) => String(e.boot)))) {
            const a = learnt.get(k) ?? anchors.get(k);
            if (a) stored.set(k, a);
          }
          expect(placements).toHaveLength(batch.length);
          batch.forEach((e, i) => {
            const p = placements[i];
            if (!p) throw new Error('missing placement');
            const b = boots[e.boot];
            if (!b) throw new Error('missing boot');
            if (p.at !== null) {
              expect(p.at).toBeGreaterThanOrEqual(PROVISIONED);
              expect(p.at).toBeLessThanOrEqual(receivedAtMs);
            }
            if (b.clock === 'ntp' && Math.abs(b.error) <= 5_000) {
              // A right clock is never moved, whatever the centre knows of the boot.
              expect(p).toMatchObject({
                at: Math.max(PROVISIONED, Math.min(e.ts, receivedAtMs)),
                timeSource: 'device',
              });
            }
            if (tightKnown.has(e.boot)) {
              // Anchored by a birth: the error is at most the tolerance plus the birth's delivery.
              expect(p.at).not.toBeNull();
              expect(Math.abs((p.at ?? 0) - e.t)).toBeLessThanOrEqual(CLOCK_TOLERANCE_MS + PROMPT_DELAY_MAX);
            } else if (seenLive.has(e.boot)) {
              // Bounded from above only: a believed clock is plausible and not provably ahead; a
              // re-based event is put at the bound, never before it truly happened.
              expect(p.at).not.toBeNull();
              if (p.timeSource === 'rebased') expect(p.at).toBeGreaterThanOrEqual(e.t);
              else expect(p.at).toBe(Math.max(PROVISIONED, Math.min(e.ts, receivedAtMs)));
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

  it('with a birth: believes a clock that agrees with the boot within the tolerance, never placing after receipt', () => {
    const birth = new Map([['b', { bootedAtMs: now - HOUR, tight: true, claimedBootMs: null }]]);
    const ahead = placeBatch([live({ ts: now + CLOCK_TOLERANCE_MS })], birth).placements[0];
    expect(ahead).toEqual({ at: now, timeSource: 'device', clockOffsetMs: CLOCK_TOLERANCE_MS });
    const behind = placeBatch([live({ ts: now - 90_000 })], birth).placements[0];
    expect(behind).toEqual({ at: now - 90_000, timeSource: 'device', clockOffsetMs: -90_000 });
    // 3 hours behind: provably wrong against the birth, re-based.
    const late = placeBatch([live({ ts: now - 3 * HOUR })], birth).placements[0];
    expect(late).toEqual({ at: now, timeSource: 'rebased', clockOffsetMs: -3 * HOUR });
  });

  it('with events only: believes a plausible clock up to the bound, re-bases one provably ahead', () => {
    // Booted at 07:00 with a right clock, offline until 08:00: the sign-in of 07:05 arrives first.
    const boot = now - HOUR;
    const signIn = live({ ts: boot + 5 * MIN, mono: 5 * MIN });
    const { placements, learnt } = placeBatch([signIn], new Map());
    expect(placements[0]).toEqual({ at: boot + 5 * MIN, timeSource: 'device', clockOffsetMs: 0 });
    expect(learnt.get('b')).toMatchObject({ bootedAtMs: now - 5 * MIN, tight: false });
    // Three hours behind, the bound cannot tell: believed (only a birth would catch it).
    const behind = placeBatch([live({ ts: boot + 5 * MIN - 3 * HOUR, mono: 5 * MIN })], new Map());
    expect(behind.placements[0]?.timeSource).toBe('device');
    // Ahead of the bound by more than the tolerance: provably wrong, put at the bound.
    const ahead = placeBatch([live({ ts: now + 10 * MIN, mono: 5 * MIN })], new Map()).placements[0];
    expect(ahead).toEqual({ at: now, timeSource: 'rebased', clockOffsetMs: 10 * MIN });
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
    expect(learnt.get('b')).toMatchObject({ bootedAtMs: boot, tight: false });
  });

  it('places a replay of an old boot only through an anchor learnt while it was live', () => {
    const replay = live({ live: false, ts: 5_000, mono: 5_000, receivedAtMs: now + DAY });
    expect(placeBatch([replay], new Map()).placements[0]?.timeSource).toBe('quarantined');
    const anchors = new Map([['b', { bootedAtMs: now - HOUR, tight: false, claimedBootMs: null }]]);
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

  it('lets an event lower a boot anchor only when its own clocks tell the same boot instant', () => {
    const known = { bootedAtMs: now - 5 * MIN, tight: false, claimedBootMs: now - HOUR };
    // Honest: the board booted an hour ago and says so by ts − mono.
    expect(mayTighten(known, now - HOUR, { ts: now, mono: HOUR })).toBe(true);
    // Forged mono: same receipt, a boot claimed a week back that its clock does not tell.
    expect(mayTighten(known, now - 7 * DAY, { ts: now, mono: 7 * DAY })).toBe(false);
    // A birth is the boot instant: no event moves it by more than the tolerance.
    expect(mayTighten({ ...known, tight: true }, now - HOUR, { ts: now, mono: HOUR })).toBe(false);
    expect(mayTighten(known, now - 5 * MIN - CLOCK_TOLERANCE_MS, { ts: 0, mono: 0 })).toBe(true);
  });

  it('holds a believed replay to the outbox order, placing it by the order only in a narrow window', () => {
    const believed = { at: now - DAY, timeSource: 'device' as const, clockOffsetMs: null };
    expect(placeByOrder(believed, { afterMs: now - 2 * DAY, beforeMs: now })).toBe(believed);
    expect(placeByOrder(believed, { afterMs: null, beforeMs: null })).toBe(believed);
    expect(placeByOrder(believed, { afterMs: now - HOUR, beforeMs: now - HOUR + 10 * MIN })).toEqual({
      at: now - HOUR,
      timeSource: 'rebased',
      clockOffsetMs: null,
    });
    expect(placeByOrder(believed, { afterMs: now - HOUR, beforeMs: now })).toMatchObject({
      at: null,
      timeSource: 'quarantined',
    });
    expect(placeByOrder(believed, { afterMs: now - HOUR, beforeMs: null }).timeSource).toBe('quarantined');
    const rebased = { at: now, timeSource: 'rebased' as const, clockOffsetMs: 5 };
    expect(placeByOrder(rebased, { afterMs: now + DAY, beforeMs: null })).toBe(rebased);
  });
});
