/**
 * Which events come from a device's live boot: the boot running now, whose events reach the
 * centre within a delivery delay, so that `receivedAt − mono` is a tight anchor (placement.ts).
 * An event of an older boot is an outbox replay: it may have waited hours, and its bound proves
 * little.
 *
 * The live boot is the one the device announced in its birth message (`devices.boot_id`, written
 * by the broker). Two refinements:
 * - the broker writes device state about once a second, so a device's first events after a
 *   restart can arrive before its new boot is on record. The agent's `seq` never goes backwards,
 *   even across boots, so an event numbered after everything the centre has stored of the recorded
 *   boot is from a newer boot, hence the live one;
 * - a device that never sent a birth (simulations, tests): the latest boot anchored before, else
 *   the batch's newest boot (highest `seq`), stands for it.
 */

export interface DeviceBootState {
  /** `devices.boot_id`, else the latest anchored boot; null when neither is known. */
  currentBootId: string | null;
  /** Highest `seq` stored from `currentBootId` (null: none stored, or not looked up). */
  currentMaxSeq: number | null;
}

interface BootSeq {
  deviceId: string;
  bootId: string;
  seq: number;
}

/** For each event of the batch, in order: whether its boot is the device's live boot. */
export function liveFlags(
  events: readonly BootSeq[],
  devices: ReadonlyMap<string, DeviceBootState>,
): boolean[] {
  const newestInBatch = new Map<string, BootSeq>();
  for (const e of events) {
    const seen = newestInBatch.get(e.deviceId);
    if (!seen || e.seq > seen.seq) newestInBatch.set(e.deviceId, e);
  }
  return events.map((e) => {
    const d = devices.get(e.deviceId);
    if (!d?.currentBootId) return newestInBatch.get(e.deviceId)?.bootId === e.bootId;
    return e.bootId === d.currentBootId || (d.currentMaxSeq !== null && e.seq > d.currentMaxSeq);
  });
}
