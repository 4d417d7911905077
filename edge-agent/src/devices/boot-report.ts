/**
 * HID boot keyboard reports: [modifiers, reserved, key1..key6]. Keypads, keyboard-wedge barcode
 * scanners and badge readers all speak this, so one decoder serves all three, and the virtual
 * devices of the simulator produce the very same bytes.
 */
export const MOD_SHIFT = 0x02 | 0x20;

export type BootReport = { modifiers: number; keys: number[] };
export type DecodeResult = { ok: true; report: BootReport } | { ok: false; reason: string };

export function parseBootReport(raw: Uint8Array, reportId: number | null): DecodeResult {
  let bytes = raw;
  if (reportId !== null) {
    if (raw.length !== 9) return { ok: false, reason: `expected 9 bytes (report ID + 8), got ${raw.length}` };
    if (raw[0] !== reportId) return { ok: false, reason: `report ID ${raw[0]} is not ${reportId}` };
    bytes = raw.subarray(1);
  } else if (raw.length !== 8) {
    return { ok: false, reason: `expected an 8-byte boot keyboard report, got ${raw.length} bytes` };
  }
  const keys = [...bytes.subarray(2, 8)];
  if (keys.every((k) => k === 0x01))
    return { ok: false, reason: 'phantom state (ErrorRollOver): too many keys at once' };
  let ended = false;
  const seen = new Set<number>();
  for (const k of keys) {
    if (k === 0) {
      ended = true;
      continue;
    }
    if (ended) return { ok: false, reason: 'key slots are not packed (a key after an empty slot)' };
    if (k <= 0x03) return { ok: false, reason: `error usage 0x${k.toString(16)} in a key slot` };
    if (k > 0xa4) return { ok: false, reason: `usage 0x${k.toString(16)} is outside the keyboard range` };
    if (seen.has(k)) return { ok: false, reason: `usage 0x${k.toString(16)} appears twice` };
    seen.add(k);
  }
  return { ok: true, report: { modifiers: bytes[0]!, keys: keys.filter((k) => k !== 0) } };
}

/** Encodes one report: used by the virtual devices and by tests. */
export function encodeBootReport(
  modifiers: number,
  keys: readonly number[],
  reportId: number | null = null,
): Buffer {
  const body = Buffer.alloc(8);
  body[0] = modifiers;
  keys.slice(0, 6).forEach((k, i) => {
    body[2 + i] = k;
  });
  return reportId === null ? body : Buffer.concat([Buffer.from([reportId]), body]);
}

/** Turns the stream of reports (which repeat held keys) into key-down events. */
export class KeyDownTracker {
  private held = new Set<number>();
  feed(r: BootReport): Array<{ usage: number; shift: boolean }> {
    const down = r.keys.filter((k) => !this.held.has(k));
    this.held = new Set(r.keys);
    const shift = (r.modifiers & MOD_SHIFT) !== 0;
    return down.map((usage) => ({ usage, shift }));
  }
  reset(): void {
    this.held.clear();
  }
}
