import {
  type DeviceProfile,
  type KeyAction,
  type KeypadProfile,
  parseDeviceProfile,
  USAGE_NAMES,
} from '@onestop/firmware-config';
import { LEVEL_LABELS, SCALE_LEVELS } from '@onestop/protocol';
import { KeyDownTracker, parseBootReport } from './boot-report.js';
import type { HidBackend, HidDeviceInfo } from './hid-backend.js';
import { type DeviceSelector, HidDeviceError, hex4, pickInterface } from './hid-discovery.js';

export type KeypadScale = KeypadProfile['scale'];

/** One key the technician is asked to press: a rating level, or an officer key. */
export interface LearnStep {
  action: KeyAction;
  vi: string;
  en: string;
  index: number;
  total: number;
}

export interface LearnedPress {
  step: LearnStep;
  usage: number;
  key: string;
  /** The report that carried the key-down, in hex: what to quote when a keypad misbehaves. */
  report: string;
}

export interface LearnOptions {
  backend: HidBackend;
  device: DeviceSelector;
  scale: KeypadScale;
  /** The profile name; must equal the file name it is written to. */
  name: string;
  description?: string;
  /** Officer keys to learn after the levels, on keypads that have them. */
  officerKeys?: ReadonlyArray<'start-visit' | 'end-visit'>;
  /** How long to wait for each press; a technician may need to find the keypad's label. */
  timeoutMs?: number;
  ask(step: LearnStep): void;
  /** Each press: recorded, or refused with a reason (another key is expected). */
  heard?(press: LearnedPress, refused: string | null): void;
}

export interface LearnResult {
  /** JSON as written to the file (IDs in hex, as technicians read them on labels and `lsusb`). */
  json: Record<string, unknown>;
  profile: DeviceProfile;
  presses: LearnedPress[];
  device: HidDeviceInfo;
}

const OFFICER_LABELS = {
  'start-visit': { vi: 'Bắt đầu lượt tiếp nhận (phím cán bộ)', en: 'Start visit (officer key)' },
  'end-visit': { vi: 'Kết thúc lượt tiếp nhận (phím cán bộ)', en: 'End visit (officer key)' },
} as const;

/** Best level first, as keypads are printed and as the kiosk lists them. */
export function learnSteps(scale: KeypadScale, officerKeys: LearnOptions['officerKeys'] = []): LearnStep[] {
  const actions: KeyAction[] = [];
  for (let l = SCALE_LEVELS[scale]; l >= 1; l--) actions.push(l);
  actions.push(...officerKeys);
  return actions.map((action, index) => ({
    action,
    ...(typeof action === 'number' ? LEVEL_LABELS[scale][action]! : OFFICER_LABELS[action]),
    index,
    total: actions.length,
  }));
}

/**
 * Asks for each key in turn, reads which usage the device sends for it, and builds a keypad
 * profile from what it heard, validated by the same schema the agent loads profiles with.
 */
export async function learnKeypad(o: LearnOptions): Promise<LearnResult> {
  const device = pickInterface(await o.backend.devices(), o.device);
  const handle = await o.backend.open(device.path!);
  const reports = new ReportQueue();
  handle.on('data', (raw) => reports.push(raw));
  handle.on('error', (err) => reports.fail(err));
  const tracker = new KeyDownTracker();
  let reportId: number | null | undefined;
  const keys: Record<string, KeyAction> = {};
  const presses: LearnedPress[] = [];
  try {
    for (const step of learnSteps(o.scale, o.officerKeys)) {
      o.ask(step);
      for (;;) {
        const raw = await reports.next(o.timeoutMs ?? 60_000, step);
        // The first report tells the format: 8 bytes plain, 9 bytes with a leading report ID.
        reportId ??= raw.length === 9 ? raw[0]! : raw.length === 8 ? null : undefined;
        if (reportId === undefined)
          throw new HidDeviceError(
            `${raw.length}-byte report: not a boot keyboard, so not a keypad this agent reads`,
          );
        const r = parseBootReport(raw, reportId);
        if (!r.ok) throw new HidDeviceError(`unreadable report ${hexBytes(raw)}: ${r.reason}`);
        const down = tracker.feed(r.report)[0];
        if (!down) continue; // a release, or a key still held
        const key = USAGE_NAMES[down.usage] ?? `0x${down.usage.toString(16)}`;
        const press = { step, usage: down.usage, key, report: hexBytes(raw) };
        const taken = keys[key];
        if (taken !== undefined) {
          o.heard?.(press, `${key} is already the key for ${taken}`);
          continue;
        }
        keys[key] = step.action;
        presses.push(press);
        o.heard?.(press, null);
        break;
      }
    }
  } finally {
    await handle.close().catch(() => {});
  }
  const json = {
    schemaVersion: 1,
    name: o.name,
    description:
      o.description ??
      `${o.scale} keypad learnt with \`onestop hid learn\` from ${device.product ?? 'an unnamed device'} (USB ${hex4(device.vendorId).slice(2)}:${hex4(device.productId).slice(2)}).`,
    role: 'keypad',
    match: {
      vendorId: hex4(device.vendorId),
      productId: hex4(device.productId),
      interface: device.interface,
      ...(device.usagePage === undefined ? {} : { usagePage: device.usagePage }),
      ...(device.usage === undefined ? {} : { usage: device.usage }),
    },
    report: { format: 'boot-keyboard', reportId: reportId ?? null },
    scale: o.scale,
    keys,
  };
  return { json, profile: parseDeviceProfile(json, `learnt profile ${o.name}`), presses, device };
}

const hexBytes = (raw: Uint8Array): string =>
  Buffer.from(raw)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');

/** Reports as they arrive, handed out one by one to the loop above. */
class ReportQueue {
  private queue: Buffer[] = [];
  private waiter: { resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private error: Error | null = null;

  push(raw: Buffer): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w.resolve(raw);
    } else this.queue.push(raw);
  }

  fail(err: Error): void {
    this.error = err;
    this.waiter?.reject(err);
    this.waiter = null;
  }

  next(timeoutMs: number, step: LearnStep): Promise<Buffer> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new HidDeviceError(`no key pressed within ${Math.round(timeoutMs / 1000)} s for "${step.en}"`),
        );
      }, timeoutMs);
      this.waiter = {
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
    });
  }
}
