import { RatingScale, SCALE_LEVELS } from '@onestop/protocol';
import { z } from 'zod';
import { resolveKeyName } from './hid-usages.js';

/** USB IDs are written in hex on labels and in `lsusb`; accept "0x1a2c", "1a2c" or a number. */
const UsbId = z
  .union([
    z.int().min(0).max(0xffff),
    z.string().regex(/^(0x)?[0-9a-fA-F]{1,4}$/, 'USB IDs are 1–4 hex digits, e.g. "0x1a2c"'),
  ])
  .transform((v) => (typeof v === 'number' ? v : Number.parseInt(v.replace(/^0x/i, ''), 16)));

/** Profile names are file names too (`<name>.json`): lower-case slugs, safe on every file system. */
export const PROFILE_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const ProfileName = z.string().regex(PROFILE_NAME, 'profile names are lower-case slugs');

const Match = z.strictObject({
  vendorId: UsbId,
  productId: UsbId,
  /** USB interface number: composite keypads expose a keyboard and a consumer-control interface. */
  interface: z.int().min(-1).max(15).nullable().default(null),
  usagePage: z.int().min(0).max(0xffff).nullable().default(null),
  usage: z.int().min(0).max(0xffff).nullable().default(null),
});

const Report = z.strictObject({
  format: z.literal('boot-keyboard'),
  /** Some devices prefix a report ID byte (9-byte reports); null for plain 8-byte boot reports. */
  reportId: z.int().min(1).max(255).nullable().default(null),
});

/** What a keypad key does: a rating level, or an officer action on keypads with an extra key. */
export const KeyAction = z.union([z.int().min(1).max(5), z.enum(['start-visit', 'end-visit'])]);
export type KeyAction = z.infer<typeof KeyAction>;

const common = {
  schemaVersion: z.literal(1, { message: 'profile schemaVersion must be 1' }),
  name: ProfileName,
  description: z.string().min(1).max(200),
  match: Match,
  report: Report.default({ format: 'boot-keyboard', reportId: null }),
};

const KeypadProfile = z
  .strictObject({
    ...common,
    role: z.literal('keypad'),
    scale: RatingScale.exclude(['stars5']),
    /** Key name (see hid-usages.ts: "F1", "KP_1", "1", or "0x3A") → what the key means. */
    keys: z.record(z.string(), KeyAction),
  })
  .superRefine((p, ctx) => {
    const levels = new Set<number>();
    for (const [name, action] of Object.entries(p.keys)) {
      if (resolveKeyName(name) === null) {
        ctx.addIssue({ code: 'custom', path: ['keys', name], message: `unknown key name '${name}'` });
      }
      if (typeof action === 'number') {
        if (action > SCALE_LEVELS[p.scale]) {
          ctx.addIssue({
            code: 'custom',
            path: ['keys', name],
            message: `level ${action} is above ${p.scale}`,
          });
        }
        levels.add(action);
      }
    }
    for (let l = 1; l <= SCALE_LEVELS[p.scale]; l++) {
      if (!levels.has(l))
        ctx.addIssue({ code: 'custom', path: ['keys'], message: `no key gives level ${l} of ${p.scale}` });
    }
  });

/** Keyboard-wedge scanners and badge readers type characters and finish with Enter. */
const WedgeProfile = z.strictObject({
  ...common,
  role: z.enum(['scanner', 'badge']),
  maxLineLength: z.int().min(4).max(512).default(128),
});

export const DeviceProfile = z.union([KeypadProfile, WedgeProfile]);
export type DeviceProfile = z.infer<typeof DeviceProfile>;
export type KeypadProfile = Extract<DeviceProfile, { role: 'keypad' }>;
export type WedgeProfile = Extract<DeviceProfile, { role: 'scanner' | 'badge' }>;
export type DeviceRole = DeviceProfile['role'];

/** Resolved key map of a keypad profile: usage ID → action. */
export function keypadKeyMap(p: KeypadProfile): Map<number, KeyAction> {
  const m = new Map<number, KeyAction>();
  for (const [name, action] of Object.entries(p.keys)) {
    const code = resolveKeyName(name);
    if (code !== null) m.set(code, action);
  }
  return m;
}
