import type { DeviceProfile, DeviceRef } from '@onestop/firmware-config';
import type { Logger } from 'pino';
import type { HidBackend, HidDeviceInfo, HidHandle } from './hid-backend.js';
import type { CounterInputs, HidStatus, InputEvent } from './inputs.js';
import { RoleReader } from './role-reader.js';

export interface ConfiguredDevice {
  ref: DeviceRef;
  profile: DeviceProfile;
}

/** Does this enumerated HID interface belong to the configured device? */
export function matchesDevice(info: HidDeviceInfo, dev: ConfiguredDevice): boolean {
  if (dev.ref.path !== undefined) return info.path === dev.ref.path;
  const m = dev.profile.match;
  return (
    info.vendorId === m.vendorId &&
    info.productId === m.productId &&
    (m.interface === null || info.interface === m.interface) &&
    (m.usagePage === null || info.usagePage === undefined || info.usagePage === m.usagePage) &&
    (m.usage === null || info.usage === undefined || info.usage === m.usage)
  );
}

interface Slot {
  dev: ConfiguredDevice;
  reader: RoleReader | null;
  handle: HidHandle | null;
  path: string | null;
  name: string | null;
  state: HidStatus['state'];
  rejected: number;
}

/**
 * Opens the keypad, scanner and badge reader by vendor/product/interface from their profiles,
 * and re-opens them after unplugging by polling the device list (hidraw has no portable hot-plug
 * event). Works the same over node-hid and over virtual devices.
 */
export class HidCounterInputs implements CounterInputs {
  private readonly slots: Slot[];
  private onEvent: ((e: InputEvent) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(
    devices: readonly ConfiguredDevice[],
    private readonly backend: HidBackend,
    private readonly opts: { logger: Logger; pollMs?: number; virtual?: boolean; now?: () => number },
  ) {
    this.slots = devices.map((dev) => ({
      dev,
      reader: null,
      handle: null,
      path: null,
      name: null,
      state: 'missing',
      rejected: 0,
    }));
  }

  async start(onEvent: (e: InputEvent) => void): Promise<void> {
    this.onEvent = onEvent;
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 2_000);
    this.timer.unref();
  }

  /** One enumeration pass: open what appeared, notice what vanished. Never runs twice at once. */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    let infos: HidDeviceInfo[];
    try {
      infos = await this.backend.devices();
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'HID enumeration failed');
      return;
    }
    for (const slot of this.slots) {
      const info = infos.find((i) => i.path !== undefined && matchesDevice(i, slot.dev));
      if (slot.handle && (!info || info.path !== slot.path)) await this.lost(slot, 'unplugged');
      if (!slot.handle && info?.path && this.onEvent) await this.open(slot, info);
    }
  }

  private async open(slot: Slot, info: HidDeviceInfo): Promise<void> {
    try {
      const handle = await this.backend.open(info.path!);
      const reader = new RoleReader(slot.dev.profile, (e) => this.onEvent?.(e));
      const now = this.opts.now ?? Date.now;
      handle.on('data', (raw) => reader.feed(raw, now()));
      handle.on('error', (err) => void this.lost(slot, err.message));
      Object.assign(slot, { handle, reader, path: info.path!, name: info.product ?? slot.dev.profile.name });
      slot.state = this.opts.virtual ? 'virtual' : 'connected';
      this.onEvent?.({ type: 'device.connected', role: slot.dev.profile.role, name: slot.name });
    } catch (e) {
      slot.state = 'error';
      this.opts.logger.warn(
        { role: slot.dev.profile.role, path: info.path, err: (e as Error).message },
        'cannot open HID device',
      );
    }
  }

  private async lost(slot: Slot, reason: string): Promise<void> {
    const handle = slot.handle;
    if (!handle) return;
    slot.rejected += slot.reader?.rejected ?? 0;
    Object.assign(slot, { handle: null, reader: null, path: null, state: 'missing' });
    await handle.close().catch(() => {});
    this.onEvent?.({ type: 'device.disconnected', role: slot.dev.profile.role, reason });
  }

  status(): HidStatus[] {
    return this.slots.map((s) => ({
      role: s.dev.profile.role,
      state: s.state,
      name: s.name ? s.name.slice(0, 80) : null,
      rejectedReports: s.rejected + (s.reader?.rejected ?? 0),
    }));
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.onEvent = null;
    await this.polling;
    for (const s of this.slots) {
      const h = s.handle;
      s.handle = null;
      await h?.close().catch(() => {});
    }
  }
}
