import type { z } from 'zod';
import { CHANNELS, type Channel, type PayloadOf } from './topics.js';

export type ValidationResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: string; field: string | null };

/** MQTT packets above this are refused before JSON parsing: no legitimate payload is near it. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** `field.path: message` for the first issues, so a rejection always names the field and why. */
export function describeIssues(error: z.ZodError): { reason: string; field: string | null } {
  const first = error.issues[0];
  const field = first && first.path.length > 0 ? first.path.join('.') : null;
  const reason = error.issues
    .slice(0, 3)
    .map((i) => {
      const path = i.path.length > 0 ? i.path.join('.') : '(root)';
      if (i.code === 'unrecognized_keys')
        return `${path}: unknown field(s) ${i.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${path}: ${i.message}`;
    })
    .join('; ');
  return { reason, field };
}

export function validatePayload<C extends Channel>(
  channel: C,
  data: unknown,
): ValidationResult<PayloadOf<C>> {
  // The map guarantees the pairing; TypeScript cannot follow it through the indexed access.
  const schema = CHANNELS[channel].schema as unknown as z.ZodType<PayloadOf<C>>;
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, ...describeIssues(r.error) };
}

/** Size check, UTF-8 JSON parse and schema validation of a raw MQTT payload. */
export function decodePayload<C extends Channel>(
  channel: C,
  raw: Uint8Array | string,
): ValidationResult<PayloadOf<C>> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      reason: `payload is ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
      field: null,
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch (e) {
    return { ok: false, reason: `payload is not JSON: ${(e as Error).message}`, field: null };
  }
  return validatePayload(channel, data);
}

/** Validates before serialising so that a device never sends what the broker would refuse. */
export function encodePayload<C extends Channel>(channel: C, payload: PayloadOf<C>): Buffer {
  const r = validatePayload(channel, payload);
  if (!r.ok) throw new Error(`refusing to publish invalid ${channel}: ${r.reason}`);
  return Buffer.from(JSON.stringify(r.value));
}
