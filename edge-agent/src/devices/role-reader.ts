import {
  type DeviceProfile,
  type KeyAction,
  keypadKeyMap,
  LINE_END_USAGES,
  USAGE_CHARS,
} from '@onestop/firmware-config';
import { KeyDownTracker, parseBootReport } from './boot-report.js';
import type { InputEvent } from './inputs.js';

/** A keystroke gap longer than this means the previous partial line was cut off (unplug, bad read). */
export const LINE_GAP_MS = 1_000;

/**
 * Raw reports of one device → typed input events, per its profile. Shared by the real node-hid
 * devices and the virtual ones so that the simulator exercises the production decoder.
 */
export class RoleReader {
  rejected = 0;
  private readonly tracker = new KeyDownTracker();
  private readonly keys: Map<number, KeyAction> | null;
  private line = '';
  private lineBad: string | null = null;
  private lastKeyAt = 0;

  constructor(
    readonly profile: DeviceProfile,
    private readonly emit: (e: InputEvent) => void,
  ) {
    this.keys = profile.role === 'keypad' ? keypadKeyMap(profile) : null;
  }

  feed(raw: Uint8Array, now: number): void {
    const r = parseBootReport(raw, this.profile.report.reportId);
    if (!r.ok) {
      this.rejected++;
      this.emit({ type: 'device.rejected', role: this.profile.role, reason: r.reason });
      return;
    }
    for (const k of this.tracker.feed(r.report)) {
      if (this.profile.role === 'keypad') {
        this.emit({
          type: 'keypad.press',
          code: k.usage,
          action: this.keys?.get(k.usage) ?? null,
          scale: this.profile.scale,
        });
      } else {
        this.typed(k.usage, k.shift, now);
      }
    }
  }

  /** The device went away: forget held keys and any half-typed line. */
  reset(): void {
    this.tracker.reset();
    this.line = '';
    this.lineBad = null;
  }

  private typed(usage: number, shift: boolean, now: number): void {
    const p = this.profile;
    if (p.role === 'keypad') return;
    if ((this.line !== '' || this.lineBad) && now - this.lastKeyAt > LINE_GAP_MS)
      this.rejectLine('line cut off (no Enter)');
    this.lastKeyAt = now;
    if (LINE_END_USAGES.has(usage)) {
      if (this.lineBad) this.rejectLine(this.lineBad);
      else if (this.line !== '') {
        const text = this.line;
        this.line = '';
        this.emit(p.role === 'scanner' ? { type: 'scanner.scan', text } : { type: 'badge.read', id: text });
      }
      return;
    }
    if (this.lineBad) return; // keep the first reason; the rest of the line is discarded at Enter
    const chars = USAGE_CHARS[usage];
    if (!chars) {
      this.lineBad = `non-printable key 0x${usage.toString(16)} in a scanned line`;
      return;
    }
    this.line += shift ? chars[1] : chars[0];
    if (this.line.length > p.maxLineLength) this.lineBad = `line longer than ${p.maxLineLength} characters`;
  }

  private rejectLine(reason: string): void {
    this.rejected++;
    this.emit({ type: 'device.rejected', role: this.profile.role, reason });
    this.line = '';
    this.lineBad = null;
  }
}
