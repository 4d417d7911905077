import { describe, expect, it } from 'vitest';
import { officialLevel, RatingScale, ratingIndex, SCALE_LEVELS } from './rating-scale.js';
import { deviceSubscriptions, parseTopic, topicFor } from './topics.js';

const addr = { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' };

describe('topics', () => {
  it('round-trips a device topic', () => {
    const t = topicFor(addr, 'evt/rating');
    expect(t).toBe('onestop/v1/trung-van/q03/tv-q03-a/evt/rating');
    expect(parseTopic(t)).toEqual({ ok: true, topic: { ...addr, channel: 'evt/rating' } });
    expect(parseTopic(`${topicFor(addr, 'cmd/self-test')}/res`)).toMatchObject({
      ok: true,
      topic: { channel: 'cmd/self-test/res' },
    });
  });

  it.each([
    ['onestop/v2/a/b/c/status', /must start with/],
    ['onestop/v1/a/b/status', /must start with/],
    ['onestop/v1/A B/b/c/status', /unitId/],
    ['onestop/v1/a/b/c/evt/unknown', /unknown channel 'evt\/unknown'/],
  ])('rejects %s with a reason', (topic, reason) => {
    const r = parseTopic(topic);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('subscribes a device only to what is addressed to it', () => {
    expect(deviceSubscriptions(addr)).toEqual([
      'onestop/v1/trung-van/q03/tv-q03-a/config',
      'onestop/v1/trung-van/q03/tv-q03-a/ack',
      'onestop/v1/trung-van/q03/tv-q03-a/update',
      'onestop/v1/trung-van/q03/tv-q03-a/cmd/restart',
      'onestop/v1/trung-van/q03/tv-q03-a/cmd/reload-config',
      'onestop/v1/trung-van/q03/tv-q03-a/cmd/self-test',
      'onestop/v1/trung-van/q03/tv-q03-a/cmd/retry-dead-letters',
    ]);
  });
});

describe('rating scales', () => {
  it('maps every scale onto the official three levels', () => {
    expect([1, 2, 3, 4].map((l) => officialLevel('keypad4', l))).toEqual([
      'unsatisfied',
      'satisfied',
      'satisfied',
      'very_satisfied',
    ]);
    expect([1, 2, 3].map((l) => officialLevel('keypad3', l))).toEqual([
      'unsatisfied',
      'satisfied',
      'very_satisfied',
    ]);
    expect([1, 2, 3, 4, 5].map((l) => officialLevel('stars5', l))).toEqual([
      'unsatisfied',
      'unsatisfied',
      'satisfied',
      'satisfied',
      'very_satisfied',
    ]);
  });
  it('derives a 0–100 index from the official level, the same on every scale', () => {
    // Officially "satisfied" on every keypad, so the same points whatever the keypad model.
    const satisfiedLevels: Array<[RatingScale, number]> = [
      ['keypad3', 2],
      ['keypad4', 3],
      ['keypad4', 2], // Bình thường
      ['keypad5', 4],
      ['keypad5', 3], // Bình thường
      ['stars5', 3],
    ];
    for (const [scale, level] of satisfiedLevels) expect(ratingIndex(scale, level)).toBe(50);
    for (const scale of RatingScale.options) {
      expect(ratingIndex(scale, SCALE_LEVELS[scale])).toBe(100);
      expect(ratingIndex(scale, 1)).toBe(0);
    }
    expect(ratingIndex('keypad5', 2)).toBe(0); // Không hài lòng on a 5-key keypad
  });
});
