import type { z } from 'zod';
import { compiledValidator } from './compiled.js';
import type { IngestState } from './payloads/control.js';
import { settingsOnWire } from './payloads/settings.js';
import { CHANNELS, type Channel, INGEST_STATE, type ParsedTopic, type PayloadOf } from './topics.js';

/**
 * Why a message from the wire is refused: a small fixed set, so that a metric labelled with it
 * (the broker's `onestop_events_rejected_total{reason}`, the ingest's) stays a few time series.
 */
export const DECODE_REFUSALS = ['oversized', 'malformed', 'out_of_range', 'device_mismatch'] as const;
export type DecodeRefusal = (typeof DECODE_REFUSALS)[number];

export type Refused = { ok: false; refusal: DecodeRefusal; reason: string; field: string | null };
export type ValidationResult<T> = { ok: true; value: T } | Refused;

/** Decodes without copying: MQTT hands over Buffers, which already are Uint8Arrays. */
const utf8 = (raw: Uint8Array): string =>
  Buffer.isBuffer(raw)
    ? raw.toString('utf8')
    : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');

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

/** A number outside its bounds gets its own refusal: it is the one that would overflow a column. */
function refusalOf(error: z.ZodError): DecodeRefusal {
  const first = error.issues[0];
  const numeric = (origin: string) => origin === 'number' || origin === 'int' || origin === 'bigint';
  return (first?.code === 'too_big' || first?.code === 'too_small') && numeric(first.origin)
    ? 'out_of_range'
    : 'malformed';
}

const schemaOf = <C extends Channel>(channel: C) =>
  // The map guarantees the pairing; TypeScript cannot follow it through the indexed access.
  CHANNELS[channel].schema as unknown as z.ZodType<PayloadOf<C>>;

/**
 * Compiles the checks `decodePayload` uses for `channels` now instead of on each one's first
 * message (Ajv generates code: ~30 ms a channel on the project's VM, more on a Pi). Called as a
 * process starts: at a day's opening every broker, ingest and agent met its first event at
 * once, and each paid for its compiles while citizens waited on acks. A schema that cannot be
 * compiled then fails the start, not the first message of its kind.
 */
export function prepareDecoders(channels: readonly Channel[]): void {
  for (const channel of channels) compiledValidator(schemaOf(channel));
}

/** The channels `from` sends: the `device` ones are what the centre receives, the `server` ones an agent's. */
export function channelsFrom(from: 'device' | 'server'): Channel[] {
  return (Object.keys(CHANNELS) as Channel[]).filter((c) => CHANNELS[c].from === from);
}

/** zod: for objects built in this process (it copies; it never trusts the prototype). */
export function validatePayload<C extends Channel>(
  channel: C,
  data: unknown,
): ValidationResult<PayloadOf<C>> {
  return validateWith(schemaOf(channel), data);
}

function validateWith<T>(schema: z.ZodType<T>, data: unknown): ValidationResult<T> {
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, refusal: refusalOf(r.error), ...describeIssues(r.error) };
}

/**
 * Size check, UTF-8 JSON parse and schema validation of a raw MQTT payload. Fresh JSON is ours
 * to fill in, so the validator compiled from the same schema goes first; zod judges whatever it
 * doubts, and names the reason of every refusal.
 */
export function decodePayload<C extends Channel>(
  channel: C,
  raw: Uint8Array | string,
): ValidationResult<PayloadOf<C>> {
  return decodeWith(schemaOf(channel), raw);
}

/** `decodePayload` for the ingest's retained state, the one topic outside a device's prefix. */
export function decodeIngestState(raw: Uint8Array | string): ValidationResult<IngestState> {
  return decodeWith(INGEST_STATE.schema, raw);
}

export function encodeIngestState(state: IngestState): Buffer {
  const r = validateWith(INGEST_STATE.schema, state);
  if (!r.ok) throw new Error(`refusing to publish an invalid ingest state: ${r.reason}`);
  return Buffer.from(JSON.stringify(r.value));
}

function decodeWith<T>(schema: z.ZodType<T>, raw: Uint8Array | string): ValidationResult<T> {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > MAX_PAYLOAD_BYTES) {
    return {
      ok: false,
      refusal: 'oversized',
      reason: `payload is ${size} bytes, over the ${MAX_PAYLOAD_BYTES}-byte limit`,
      field: null,
    };
  }
  let data: unknown;
  const text = typeof raw === 'string' ? raw : utf8(raw);
  try {
    data = JSON.parse(text);
  } catch (e) {
    return {
      ok: false,
      refusal: 'malformed',
      reason: `payload is not JSON: ${(e as Error).message}`,
      field: null,
    };
  }
  // PostgreSQL text and jsonb cannot hold U+0000: one such string would fail the statement of a
  // whole batch (other devices' state with it). JSON can only carry it escaped, so the text is
  // searched first and the parsed value only when an escape of it might be there.
  if (/\\u0000/i.test(text) && holdsNul(data)) {
    return { ok: false, refusal: 'malformed', reason: 'payload holds a U+0000 character', field: null };
  }
  if (compiledValidator(schema)(data)) return { ok: true, value: data as T };
  return validateWith(schema, data);
}

/**
 * THE decode of a message arriving on a device topic, for the broker's door and for the ingest
 * (which checks again, as it may sit behind a broker that does not): the payload must be valid
 * for its channel and speak for the device whose topic it came on.
 */
export function decodeMessage(
  topic: ParsedTopic,
  raw: Uint8Array | string,
): ValidationResult<PayloadOf<Channel>> {
  const r = decodePayload(topic.channel, raw);
  if (r.ok && 'deviceId' in r.value && r.value.deviceId !== topic.deviceId) {
    return {
      ok: false,
      refusal: 'device_mismatch',
      reason: `deviceId: '${r.value.deviceId}' does not match the topic's '${topic.deviceId}'`,
      field: 'deviceId',
    };
  }
  return r;
}

/** Validates before serialising so that a device never sends what the broker would refuse. */
export function encodePayload<C extends Channel>(channel: C, payload: PayloadOf<C>): Buffer {
  const r = validatePayload(channel, payload);
  if (!r.ok) throw new Error(`refusing to publish invalid ${channel}: ${r.reason}`);
  return Buffer.from(JSON.stringify(r.value));
}

/**
 * A `config` message as it goes on the wire: validated whole, then with its settings sparse
 * (`settingsOnWire`), so boards with an older agent keep accepting it.
 */
export function encodeConfig(message: PayloadOf<'config'>): Buffer {
  const r = validatePayload('config', message);
  if (!r.ok) throw new Error(`refusing to publish invalid config: ${r.reason}`);
  return Buffer.from(JSON.stringify({ ...r.value, settings: settingsOnWire(r.value.settings) }));
}

function holdsNul(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (Array.isArray(v)) return v.some(holdsNul);
  if (v && typeof v === 'object') return Object.entries(v).some(([k, x]) => k.includes('\0') || holdsNul(x));
  return false;
}
