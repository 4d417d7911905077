/**
 * Where in time the centre puts a device event: the rule, pure (place.ts feeds it from the
 * database).
 *
 * A counter board's wall clock (`ts`) can say anything after a power cut: 1970 on a board without
 * an RTC until NTP answers, 2020 from a stale RTC, years ahead from a bad one. Its monotonic clock
 * (`mono`, ms since the agent started: "the boot") never jumps. A message received at R with
 * monotonic reading m proves its boot began no later than R − m: an upper bound of the boot
 * instant. The least such bound known of a boot is its *anchor*, and anchor + m is an upper bound
 * of when an event happened. How tight it is depends on what it was learnt from:
 * - a birth message (`tight`): sent live at every (re)connect, never queued, so R − m is the boot
 *   instant to within a delivery delay, and anchor + m is when the event happened;
 * - events only (agents that send no `mono` in their birth, or before the birth is on record):
 *   even events of the running boot may have waited in an outbox for hours (the network was down
 *   from the boot on), so anchor + m may be far after the event: it bounds the time from above,
 *   nothing more.
 *
 * The rule, per event:
 * - tight anchor: the device clock is believed when it agrees with anchor + mono within
 *   CLOCK_TOLERANCE_MS (`device`); otherwise the event is re-based to anchor + mono (`rebased`);
 * - upper-bound anchor: the device clock is believed when it is plausible (not before the device
 *   was provisioned) and not after anchor + mono (each within the tolerance): a right clock is
 *   never moved by an anchor that only bounds it. Re-based to anchor + mono only when the clock is
 *   provably wrong (ahead of that bound, or implausible): the bound is then the best defensible time;
 * - no anchor (a replay of a boot the centre never saw live): believed when plausible, not after
 *   the receipt, not before provisioning (each within the tolerance), not older than
 *   MAX_UNANCHORED_REPLAY_MS, and consistent with the outbox order (`placeByOrder`); otherwise the
 *   time cannot be defended and the event is `quarantined`: stored, never counted, shown to
 *   technicians.
 * A placed time always lies between the device's provisioning and the receipt.
 */

/**
 * How far a device clock may stray from the boot's monotonic clock and still be believed, and the
 * slack on the provisioning and receipt bounds. An NTP-synchronised board is off by milliseconds; a
 * live event reaches the centre within seconds (a slow link, a group commit). Two minutes absorbs
 * both, while any clock wrong enough to move an event by more than a couple of minutes (the
 * granularity of every report is an hour) is caught.
 */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;

/**
 * The provisioning time assumed for a device the centre has no record of (the broker refuses such
 * devices, so only tests and simulations ingest for them): nothing of this system ran before 2020.
 */
export const UNREGISTERED_PROVISIONED_AT_MS = Date.UTC(2020, 0, 1);

export type TimeSource = 'device' | 'rebased' | 'quarantined';

export interface Placement {
  /** When the event happened as the centre can defend it, ms since the epoch; null: quarantined. */
  at: number | null;
  timeSource: TimeSource;
  /**
   * How far the device clock is provably off, ms (positive: ahead); null when the boot has no
   * anchor. With a tight anchor, `ts − (anchor + mono)`; with an upper-bound one, that difference
   * proves only a clock ahead or an implausible one (a re-based event), so a believed clock reads 0
   * or its lead within the tolerance. A re-based event moved by exactly this.
   */
  clockOffsetMs: number | null;
}

/** What the centre knows of a boot's start (see the rule above). */
export interface BootAnchor {
  /** Upper bound of the boot instant, ms since the epoch. */
  bootedAtMs: number;
  /** Learnt from a birth message: the boot instant to within a delivery delay. */
  tight: boolean;
  /**
   * The boot instant as the device's own clocks tell it (`ts − mono`, constant over a boot for
   * honest clocks, right or wrong), from the events that anchored it; null when not known.
   */
  claimedBootMs: number | null;
}

/** What is known of one event's clocks. */
export interface EventClock {
  /** The device's wall clock, ms since the epoch (any value: it is a claim). */
  ts: number;
  /** ms since the boot, monotonic. */
  mono: number;
  /** When the centre received it (its own clock). */
  receivedAtMs: number;
  /** `devices.created_at`; null for a device the centre has no record of. */
  provisionedAtMs: number | null;
}

/** The earliest instant an event or a boot of this device can plausibly have happened. */
function provisioned(e: Pick<EventClock, 'provisionedAtMs'>): number {
  return e.provisionedAtMs ?? UNREGISTERED_PROVISIONED_AT_MS;
}

/**
 * What the event alone proves of its boot: it began no later than `receivedAt − mono`. Null when
 * that would put the boot before the device was provisioned: a `mono` that large is not a
 * monotonic clock reading to build on (it would drag every later event of the boot back in time).
 */
export function bootBound(e: EventClock): number | null {
  const bound = e.receivedAtMs - e.mono;
  return bound < provisioned(e) - CLOCK_TOLERANCE_MS ? null : bound;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Places one event. `anchor` is what is known of its boot from elsewhere (a birth, events before,
 * live events of its batch; null if the centre never saw that boot live); the event's own bound
 * tightens it.
 */
export function placeEvent(e: EventClock, anchor: BootAnchor | null): Placement {
  const earliest = provisioned(e);
  const own = bootBound(e);
  const upper = anchor === null || own === null ? null : Math.min(anchor.bootedAtMs, own);
  const plausible = e.ts >= earliest - CLOCK_TOLERANCE_MS;
  if (upper === null) {
    return plausible &&
      e.ts <= e.receivedAtMs + CLOCK_TOLERANCE_MS &&
      e.ts >= e.receivedAtMs - MAX_UNANCHORED_REPLAY_MS
      ? { at: clamp(e.ts, earliest, e.receivedAtMs), timeSource: 'device', clockOffsetMs: null }
      : { at: null, timeSource: 'quarantined', clockOffsetMs: null };
  }
  // upper ≤ own, so expected ≤ receivedAt: a placed event never happened after it arrived.
  const expected = upper + e.mono;
  const offset = e.ts - expected;
  const believed = anchor?.tight
    ? Math.abs(offset) <= CLOCK_TOLERANCE_MS
    : plausible && offset <= CLOCK_TOLERANCE_MS;
  if (believed) {
    const clockOffsetMs = anchor?.tight ? offset : Math.max(0, offset);
    return { at: clamp(e.ts, earliest, e.receivedAtMs), timeSource: 'device', clockOffsetMs };
  }
  if (expected < earliest - CLOCK_TOLERANCE_MS)
    return { at: null, timeSource: 'quarantined', clockOffsetMs: offset };
  return { at: clamp(expected, earliest, e.receivedAtMs), timeSource: 'rebased', clockOffsetMs: offset };
}

/**
 * Whether an event's bound may lower a boot's known anchor. A bound is only as honest as the
 * `mono` it comes from: one event with a forged `mono` would otherwise drag the anchor (kept as a
 * least value, for good) back to the provisioning date and every later event of the boot with it.
 * A birth's anchor is the boot instant already: no event moves it by more than the tolerance. An
 * upper-bound anchor may drop further (the usual first replay of an offline boot, then a live
 * event) only when the event tells the same boot instant by its own clocks (`ts − mono`) as the
 * events that set the anchor: a forged `mono` breaks that relation (a board that forges both
 * clocks consistently forges everything, and is a revocation case).
 */
export function mayTighten(known: BootAnchor, bound: number, e: Pick<EventClock, 'ts' | 'mono'>): boolean {
  if (bound >= known.bootedAtMs - CLOCK_TOLERANCE_MS) return true;
  if (known.tight || known.claimedBootMs === null) return false;
  return Math.abs(e.ts - e.mono - known.claimedBootMs) <= CLOCK_TOLERANCE_MS;
}

/**
 * How long an outbox keeps an event before the centre stops believing a replay of a boot it never
 * saw live on the device clock alone. A counter offline for longer than this is a technician's
 * case: its replayed events are quarantined (shown, never counted) rather than believed anywhere
 * back to the provisioning date.
 */
export const MAX_UNANCHORED_REPLAY_MS = 30 * 24 * 3_600_000;

/**
 * The widest gap between the placed times of an event's neighbours in the outbox order (`seq`)
 * within which a replayed event whose clock contradicts that order is placed by the order itself
 * (just after its predecessor): an hour's report can still defend it.
 */
export const ORDER_PLACEMENT_SPAN_MS = 15 * 60_000;

/**
 * The outbox order (`seq`, which never goes backwards on a device, even across boots) bounds an
 * unanchored replay: it happened after the device's previous event and before its next one, as
 * placed. A device clock inside that window (within the tolerance) stands; outside it the clock is
 * wrong, and the event is placed just after its predecessor when the window is narrow enough to
 * defend, else quarantined.
 */
export function placeByOrder(
  p: Placement,
  window: { afterMs: number | null; beforeMs: number | null },
): Placement {
  if (p.at === null || p.timeSource !== 'device') return p;
  const lo = window.afterMs ?? Number.NEGATIVE_INFINITY;
  const hi = window.beforeMs ?? Number.POSITIVE_INFINITY;
  if (p.at >= lo - CLOCK_TOLERANCE_MS && p.at <= hi + CLOCK_TOLERANCE_MS) return p;
  if (window.afterMs !== null && window.beforeMs !== null && hi - lo <= ORDER_PLACEMENT_SPAN_MS && hi >= lo)
    return { at: window.afterMs, timeSource: 'rebased', clockOffsetMs: p.clockOffsetMs };
  return { at: null, timeSource: 'quarantined', clockOffsetMs: p.clockOffsetMs };
}

/** One event of a batch, with its boot (any key naming device and boot) and whether it is live. */
export interface BatchEventClock extends EventClock {
  boot: string;
  /** Its boot is the device's live boot: received within a delivery delay of happening. */
  live: boolean;
}

/**
 * Places a batch. `anchors` holds what was known of each boot before the batch (a birth, live
 * events before). Every live event's bound tightens its boot's anchor first, so several events of
 * a boot the centre has not seen before are placed by the tightest bound of the batch itself.
 * Returns the placements in batch order and the anchors of the live boots, to be remembered.
 */
export function placeBatch(
  events: readonly BatchEventClock[],
  anchors: ReadonlyMap<string, BootAnchor>,
): { placements: Placement[]; learnt: Map<string, BootAnchor> } {
  const learnt = new Map<string, BootAnchor>();
  for (const e of events) {
    if (!e.live) continue;
    const known = learnt.get(e.boot) ?? anchors.get(e.boot) ?? null;
    const bound = bootBound(e);
    if (bound === null || (known !== null && !mayTighten(known, bound, e))) {
      if (known) learnt.set(e.boot, known);
      continue;
    }
    learnt.set(e.boot, {
      bootedAtMs: Math.min(known?.bootedAtMs ?? bound, bound),
      tight: known?.tight ?? false,
      claimedBootMs: known?.claimedBootMs ?? e.ts - e.mono,
    });
  }
  const placements = events.map((e) => placeEvent(e, learnt.get(e.boot) ?? anchors.get(e.boot) ?? null));
  return { placements, learnt };
}
