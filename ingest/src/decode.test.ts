import { EXAMPLES } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from './decode.js';

const prefix = 'onestop/v1/tv/q03/tv1-q03-a';
const json = (channel: keyof typeof EXAMPLES, over: Record<string, unknown> = {}) =>
  Buffer.from(JSON.stringify({ ...(EXAMPLES[channel] as object), ...over }));

describe('decodeEvent', () => {
  it.each([
    ['evt/rating', 'rating'],
    ['evt/visit', 'visit'],
    ['evt/presence', 'presence'],
    ['evt/expression', 'expression'],
  ] as const)('turns %s into a %s event from its topic', (channel, type) => {
    const d = decodeEvent(`${prefix}/${channel}`, json(channel));
    expect(d).toMatchObject({ ok: true, event: { type, unitId: 'tv', counterId: 'q03' } });
  });

  it.each([
    ['topic', `${prefix}/telemetry`, json('telemetry')],
    ['topic', 'elsewhere/x', json('evt/rating')],
    ['malformed', `${prefix}/evt/rating`, Buffer.from('{"v":1')],
    ['out_of_range', `${prefix}/evt/rating`, json('evt/rating', { responseMs: 2 ** 40 })],
    ['out_of_range', `${prefix}/evt/expression`, json('evt/expression', { exitFrames: 2 ** 31 })],
    ['device_mismatch', 'onestop/v1/tv/q03/other/evt/rating', json('evt/rating')],
  ] as const)('refuses %s: %s', (reason, topic, raw) => {
    expect(decodeEvent(topic, raw)).toMatchObject({ ok: false, reason });
  });
});
