import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  CHANNELS,
  type Channel,
  decodePayload,
  EXAMPLES,
  encodePayload,
  MIN_MEASURED_MAGNITUDE,
  newEventId,
  type PayloadOf,
  validatePayload,
} from './index.js';
import { buildJsonSchema } from './json-schema.js';

const channels = Object.keys(CHANNELS) as Channel[];

describe('wire contract', () => {
  it.each(channels)('accepts the documented example of %s', (channel) => {
    const r = validatePayload(channel, EXAMPLES[channel]);
    expect(r.ok ? 'ok' : r.reason).toBe('ok');
  });

  it.each(channels)('rejects an unknown field on %s and names it', (channel) => {
    const r = validatePayload(channel, { ...EXAMPLES[channel], colour: 'red' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("unknown field(s) 'colour'");
  });

  it.each(channels)('rejects a wrong protocol version on %s', (channel) => {
    const r = validatePayload(channel, { ...EXAMPLES[channel], v: 2 });
    expect(r).toMatchObject({ ok: false, field: 'v' });
  });

  const malformed: Array<[Channel, Record<string, unknown>, string]> = [
    ['evt/rating', { level: 5 }, 'level'],
    ['evt/rating', { level: 0 }, 'level'],
    ['evt/rating', { scale: 'keypad7' }, 'scale'],
    ['evt/rating', { eventId: 'not-a-uuid' }, 'eventId'],
    ['evt/rating', { eventId: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' }, 'eventId'], // v1, not v7
    ['evt/rating', { ts: -1 }, 'ts'],
    ['evt/rating', { ts: 4_102_444_800_001 }, 'ts'],
    ['ack', { ts: 86_400_000 }, 'ts'],
    ['evt/rating', { dossierIds: ['has space'] }, 'dossierIds.0'],
    ['evt/rating', { deviceId: 'bad/id' }, 'deviceId'],
    ['evt/rating', { seq: -1 }, 'seq'],
    ['evt/visit', { phase: 'middle' }, 'phase'],
    ['evt/presence', { kind: 'session', officerId: null }, 'officerId'],
    ['evt/expression', { satisfactionIndex: 1.2 }, 'satisfactionIndex'],
    ['telemetry', { load1: -1 }, 'load1'],
    ['ack', { eventIds: [] }, 'eventIds'],
    ['config', { settings: { ratingTimeoutMs: 10 } }, 'settings.ratingTimeoutMs'],
  ];
  it.each(malformed)('rejects malformed %s (%o) naming %s', (channel, patch, field) => {
    const r = validatePayload(channel, { ...EXAMPLES[channel], ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.reason).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    }
  });

  // A device clock can read anything after a power cut; refusing it would have the device re-send
  // the event forever. The centre places or quarantines it (store/src/time/placement.ts).
  const oddClocks: Array<[string, number]> = [
    ['1970: a board without RTC after a power cut', 0],
    ['2020: a stale RTC', Date.UTC(2020, 0, 1) - 1],
    ['2030: a clock years ahead', Date.UTC(2030, 5, 1)],
    ['the last millisecond before 2100', 4_102_444_800_000],
  ];
  const fromDevice = channels.filter((c) => CHANNELS[c].from === 'device');
  it.each(oddClocks)('accepts any device clock (%s) on every device-clock field', (_what, ms) => {
    for (const channel of fromDevice) {
      const payload: Record<string, unknown> = { ...EXAMPLES[channel], ts: ms };
      for (const field of ['startedAt', 'endedAt']) if (field in payload) payload[field] = ms;
      if (channel === 'telemetry') payload.outbox = { ...EXAMPLES.telemetry.outbox, oldestTs: ms };
      const r = decodePayload(channel, Buffer.from(JSON.stringify(payload)));
      expect(r.ok ? 'ok' : `${channel}: ${r.reason}`).toBe('ok');
    }
  });

  it('rejects a missing field naming it', () => {
    const { officerId: _dropped, ...rest } = EXAMPLES['evt/rating'];
    expect(validatePayload('evt/rating', rest)).toMatchObject({ ok: false, field: 'officerId' });
  });

  it('accepts a birth without mono from an older agent, refuses a negative one', () => {
    const { mono: _older, ...birth } = EXAMPLES.birth;
    expect(validatePayload('birth', birth)).toMatchObject({ ok: true });
    expect(validatePayload('birth', { ...birth, mono: -1 })).toMatchObject({ ok: false, field: 'mono' });
  });

  it('decodes raw bytes, refusing non-JSON and oversized payloads with a reason', () => {
    expect(decodePayload('ack', Buffer.from(JSON.stringify(EXAMPLES.ack)))).toMatchObject({ ok: true });
    expect(decodePayload('ack', Buffer.from('{nope'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/not JSON/),
    });
    const big = Buffer.alloc(20_000, 0x20);
    expect(decodePayload('ack', big)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/over the 16384-byte limit/),
    });
  });

  it('fills settings defaults so that a partial config is complete after validation', () => {
    const r = validatePayload('config', EXAMPLES.config);
    expect(r.ok && r.value.settings.minPressIntervalMs).toBe(1500);
  });

  it('lets only http(s) addresses into the kiosk’s comment QR code', () => {
    const withUrl = (commentUrl: unknown) =>
      validatePayload('config', {
        ...EXAMPLES.config,
        settings: { ...EXAMPLES.config.settings, commentUrl },
      });
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,<b>x</b>',
      'file:///etc/passwd',
      'ftp://x.vn/f',
    ])
      expect(withUrl(bad)).toMatchObject({ ok: false, reason: expect.stringMatching(/commentUrl/) });
    for (const good of ['https://gopy.hanoi.gov.vn/phieu', 'http://10.0.0.5/y-kien', null])
      expect(withUrl(good).ok).toBe(true);
    const r = validatePayload('config', EXAMPLES.config);
    expect(r.ok && r.value.settings.commentUrl).toBe(null);
  });

  it('refuses to encode what it would refuse to decode', () => {
    const bad = { ...EXAMPLES['evt/rating'], level: 9 } as PayloadOf<'evt/rating'>;
    expect(() => encodePayload('evt/rating', bad)).toThrow(/level/);
  });

  it('makes time-ordered UUIDv7 event IDs', () => {
    const a = newEventId();
    const b = newEventId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(validatePayload('ack', { ...EXAMPLES.ack, eventIds: [a, b] }).ok).toBe(true);
  });

  it('ties each topic to its payload type', () => {
    expectTypeOf<PayloadOf<'evt/rating'>>().toHaveProperty('level');
    expectTypeOf<PayloadOf<'ack'>>().toHaveProperty('eventIds');
    // Compile-time only: `npm run typecheck` fails if a rating ever type-checks as an ack.
    const _neverCalled = () =>
      // @ts-expect-error a rating is not a valid ack payload
      encodePayload('ack', EXAMPLES['evt/rating'] as PayloadOf<'evt/rating'>);
    expect(_neverCalled).toBeTypeOf('function');
  });

  it('bounds every number of every payload, so that none can overflow a column', () => {
    const unbounded: string[] = [];
    const walk = (n: unknown, path: string) => {
      if (Array.isArray(n)) {
        for (const [i, x] of n.entries()) walk(x, `${path}/${i}`);
        return;
      }
      if (typeof n !== 'object' || n === null) return;
      const o = n as Record<string, unknown>;
      if ((o.type === 'number' || o.type === 'integer') && !('const' in o)) {
        const ok =
          typeof o.minimum === 'number' &&
          typeof o.maximum === 'number' &&
          o.minimum >= -Number.MAX_SAFE_INTEGER &&
          o.maximum <= Number.MAX_SAFE_INTEGER;
        if (!ok) unbounded.push(path);
        // A fraction must also stay out of the tiny band no `real` column holds (bounds.ts).
        const floor = (o.not as { exclusiveMaximum?: number } | undefined)?.exclusiveMaximum;
        if (o.type === 'number' && floor !== MIN_MEASURED_MAGNITUDE) unbounded.push(`${path} (tiny)`);
      }
      // `not` describes what is refused, not a number a payload may carry.
      for (const [k, v] of Object.entries(o)) if (k !== 'not') walk(v, `${path}/${k}`);
    };
    walk(buildJsonSchema().$defs, '');
    expect(unbounded).toEqual([]);
  });

  it('tells a number out of its bounds apart from a malformed payload', () => {
    const raw = (over: object) => JSON.stringify({ ...EXAMPLES['evt/rating'], ...over });
    expect(decodePayload('evt/rating', raw({ responseMs: 2 ** 40 }))).toMatchObject({
      ok: false,
      refusal: 'out_of_range',
      field: 'responseMs',
    });
    expect(decodePayload('evt/rating', raw({ responseMs: 'soon' }))).toMatchObject({
      ok: false,
      refusal: 'malformed',
      field: 'responseMs',
    });
  });

  it('ships a JSON Schema file that matches the schemas', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../schema/onestop-v1.schema.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildJsonSchema())));
  });
});
