/**
 * Where in time the centre puts a device event: the rule, pure (place.ts feeds it from the
 * database).
 *
 * A counter board's wall clock (`ts`) can say anything after a power cut: 1970 on a board without
 * an RTC until NTP answers, 2020 from a stale RTC, years ahead from a bad one. Its monotonic clock
 * (`mono`, ms since the agent started: "the boot") never jumps. An event received at R with
 * monotonic reading m proves its boot began no later than R − m, so the least R − m over a boot's
 * events is an upper bound of the boot instant: its *anchor*. Learnt from events received while the
 * boot was live (delivered within a delivery delay), the bound is tight and anchor + m is when the
 * event happened, to within that delay, whatever the wall clock says.
 *
 * The rule, per event:
 * - with an anchor: the device clock is believed when it agrees with anchor + mono within
 *   CLOCK_TOLERANCE_MS (`device`); otherwise the event is re-based to anchor + mono (`rebased`);
 * - without one (a replay of a boot the centre never saw live): the device clock is believed when
 *   it is plausible, not after the receipt and not before the device was provisioned (each within
 *   the tolerance); otherwise the time cannot be defended and the event is `quarantined`: stored,
 *   never counted, shown to technicians.
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
   * The device clock minus the boot's monotonic clock, `ts − (anchor + mono)`, ms (positive: the
   * clock is ahead); null when the boot has no anchor. A re-based event moved by exactly this.
   */
  clockOffsetMs: number | null;
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
 * Places one event. `bootedAtMs` is its boot's anchor learnt while the boot was live (null if the
 * centre never saw that boot live); the event's own bound tightens it.
 */
export function placeEvent(e: EventClock, bootedAtMs: number | null): Placement {
  const earliest = provisioned(e);
  const own = bootBound(e);
  const anchor = bootedAtMs === null || own === null ? null : Math.min(bootedAtMs, own);
  if (anchor === null) {
    const plausible = e.ts >= earliest - CLOCK_TOLERANCE_MS && e.ts <= e.receivedAtMs + CLOCK_TOLERANCE_MS;
    return plausible
      ? { at: clamp(e.ts, earliest, e.receivedAtMs), timeSource: 'device', clockOffsetMs: null }
      : { at: null, timeSource: 'quarantined', clockOffsetMs: null };
  }
  // anchor ≤ own, so expected ≤ receivedAt: a placed event never happened after it arrived.
  const expected = anchor + e.mono;
  const clockOffsetMs = e.ts - expected;
  if (Math.abs(clockOffsetMs) <= CLOCK_TOLERANCE_MS)
    return { at: clamp(e.ts, earliest, e.receivedAtMs), timeSource: 'device', clockOffsetMs };
  if (expected < earliest - CLOCK_TOLERANCE_MS) return { at: null, timeSource: 'quarantined', clockOffsetMs };
  return { at: clamp(expected, earliest, e.receivedAtMs), timeSource: 'rebased', clockOffsetMs };
}

/** One event of a batch, with its boot (any key naming device and boot) and whether it is live. */
export interface BatchEventClock extends EventClock {
  boot: string;
  /** Its boot is the device's live boot: received within a delivery delay of happening. */
  live: boolean;
}

/**
 * Places a batch. `anchors` holds what was learnt of each boot before (while it was live). Every
 * live event's bound tightens its boot's anchor first, so several events of a boot the centre has
 * not seen before are placed by the tightest bound of the batch itself. Returns the placements in
 * batch order and the anchors of the live boots, to be remembered.
 */
export function placeBatch(
  events: readonly BatchEventClock[],
  anchors: ReadonlyMap<string, number>,
): { placements: Placement[]; learnt: Map<string, number> } {
  const learnt = new Map<string, number>();
  for (const e of events) {
    const bound = e.live ? bootBound(e) : null;
    if (bound === null) continue;
    learnt.set(e.boot, Math.min(learnt.get(e.boot) ?? anchors.get(e.boot) ?? bound, bound));
  }
  const placements = events.map((e) => placeEvent(e, learnt.get(e.boot) ?? anchors.get(e.boot) ?? null));
  return { placements, learnt };
}
