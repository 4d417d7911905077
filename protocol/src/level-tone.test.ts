import { describe, expect, it } from 'vitest';
import { LEVEL_LABELS, levelTone, RatingScale, SCALE_LEVELS } from './index.js';

/** Best first, like the keypads, so each row reads as the buttons do. */
const tones = (scale: RatingScale) =>
  Array.from({ length: SCALE_LEVELS[scale] }, (_, i) => levelTone(scale, SCALE_LEVELS[scale] - i));

describe('levelTone', () => {
  it.each([
    ['keypad3', ['very-positive', 'positive', 'negative']],
    ['keypad4', ['very-positive', 'positive', 'neutral', 'negative']],
    ['keypad5', ['very-positive', 'positive', 'neutral', 'negative', 'negative']],
    ['stars5', ['very-positive', 'positive', 'neutral', 'negative', 'negative']],
  ] as const)('gives %s the tones %j', (scale, expected) => {
    expect(tones(scale)).toEqual(expected);
  });

  it('makes every "Bình thường" neutral and every "Không hài lòng" negative', () => {
    for (const scale of RatingScale.options) {
      for (const [level, label] of Object.entries(LEVEL_LABELS[scale])) {
        if (label.vi === 'Bình thường') expect(levelTone(scale, Number(level))).toBe('neutral');
        if (label.vi.includes('Không hài lòng') || label.vi.includes('không hài lòng'))
          expect(levelTone(scale, Number(level))).toBe('negative');
      }
    }
  });

  it.each([
    ['keypad3', 4],
    ['keypad4', 0],
    ['stars5', 2.5],
    ['keypad5', Number.NaN],
  ] as const)('refuses %s level %s rather than guess a colour', (scale, level) => {
    expect(() => levelTone(scale, level)).toThrow(RangeError);
  });
});
