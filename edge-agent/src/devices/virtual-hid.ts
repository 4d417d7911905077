import {
  type DeviceProfile,
  type DeviceRole,
  KEY_USAGES,
  resolveKeyName,
  USAGE_CHARS,
} from '@onestop/firmware-config';
import { encodeBootReport } from './boot-report.js';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid-backend.js';

const SHIFT = 0x02;

/** char → [usage, shift], preferring the main block over the numeric pad (as real wedges do). */
const CHAR_USAGES: ReadonlyMap<string, [number, boolean]> = (() => {
  const m = new Map<string, [number, boolean]>();
  for (const [u, [plain, shifted]] of Object.entries(USAGE_CHARS)) {
    const usage = Number(u);
    if (usage >= 0x54) continue;
    if (!m.has(plain)) m.set(plain, [usage, false]);
    if (!m.has(shifted)) m.set(shifted, [usage, true]);
  }
  return m;
})();

let nextPath = 0;

/**
 * Stands in for a USB device at the node-hid boundary: it enumerates with its profile's
 * vendor/product/interface and produces the raw report bytes a real keypad, scanner or badge
 * reader sends, which then go through the production decoder.
 */
export class VirtualHidDevice {
  readonly path = `virtual:hidraw${nextPath++}`;
  private sinks = new Set<(raw: Buffer) => void>();
  plugged = true;

  constructor(readonly profile: DeviceProfile) {}

  get role(): DeviceRole {
    return this.profile.role;
  }

  info(): HidDeviceInfo {
    const m = this.profile.match;
    return {
      vendorId: m.vendorId,
      productId: m.productId,
      path: this.path,
      product: `virtual ${this.profile.name}`,
      manufacturer: 'onestop (virtual)',
      serialNumber: this.path,
      interface: m.interface ?? 0,
      usagePage: m.usagePage ?? 1,
      usage: m.usage ?? 6,
    };
  }

  /** Raw bytes, exactly as node-hid's 'data' event would deliver them. */
  sendReport(raw: Uint8Array): void {
    if (!this.plugged) return;
    for (const s of this.sinks) s(Buffer.from(raw));
  }

  /** Press and release one key ("F1", "KP_3", "0x3A"). */
  pressKey(name: string): void {
    const usage = resolveKeyName(name);
    if (usage === null) throw new Error(`unknown key ${name}`);
    this.tap(usage, 0);
  }

  /** Presses the key that the profile maps to this rating level (or action). */
  pressLevel(level: number | 'start-visit' | 'end-visit'): void {
    if (this.profile.role !== 'keypad') throw new Error(`${this.profile.name} is not a keypad`);
    const name = Object.entries(this.profile.keys).find(([, a]) => a === level)?.[0];
    if (!name) throw new Error(`${this.profile.name} has no key for ${level}`);
    this.pressKey(name);
  }

  /** Types a line and Enter, like a keyboard-wedge scanner or badge reader. */
  typeLine(text: string): void {
    for (const ch of text) {
      const u = CHAR_USAGES.get(ch);
      if (!u) throw new Error(`cannot type '${ch}' on a boot keyboard`);
      this.tap(u[0], u[1] ? SHIFT : 0);
    }
    this.tap(KEY_USAGES.ENTER!, 0);
  }

  /** Direct wiring for decoder tests, bypassing the backend. */
  attachForTest(sink: (raw: Buffer) => void): void {
    this.sinks.add(sink);
  }

  handle(): HidHandle {
    const sinks = this.sinks;
    let dataFn: ((raw: Buffer) => void) | null = null;
    // Overloads cannot be written as an arrow function; a tiny class keeps HidHandle's shape.
    class Handle implements HidHandle {
      on(event: 'data', fn: (raw: Buffer) => void): void;
      on(event: 'error', fn: (err: Error) => void): void;
      on(event: 'data' | 'error', fn: ((raw: Buffer) => void) | ((err: Error) => void)): void {
        if (event !== 'data') return;
        dataFn = fn as (raw: Buffer) => void;
        sinks.add(dataFn);
      }
      async close(): Promise<void> {
        if (dataFn) sinks.delete(dataFn);
      }
    }
    return new Handle();
  }

  private tap(usage: number, modifiers: number): void {
    const id = this.profile.report.reportId;
    this.sendReport(encodeBootReport(modifiers, [usage], id));
    this.sendReport(encodeBootReport(0, [], id));
  }
}

/** A node-hid stand-in listing the plugged virtual devices. */
export class VirtualHidBackend implements HidBackend {
  constructor(readonly devicesList: readonly VirtualHidDevice[]) {}
  async devices(): Promise<HidDeviceInfo[]> {
    return this.devicesList.filter((d) => d.plugged).map((d) => d.info());
  }
  async open(path: string): Promise<HidHandle> {
    const d = this.devicesList.find((x) => x.path === path && x.plugged);
    if (!d) throw new Error(`no such device ${path}`);
    return d.handle();
  }
}
