import { type OfficialCounts, ratingsIn, satisfiedShare } from '@onestop/evaluation';
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n.js';
import { change, changeCell } from './change.js';

const text = async (h: ReturnType<typeof change>) => (await h).toString().replace(/<[^>]+>/g, '');

describe('change since the previous period', () => {
  it('signs the difference, rounded only for display', async () => {
    expect(await text(change(8, 5))).toBe('+3');
    expect(await text(change(5, 8))).toBe('−3');
    expect(await text(change(4, 4))).toBe('±0');
    expect(await text(change(66.66, 75, 1, ' pts'))).toBe('−8.3 pts');
    // A difference that rounds to nothing is no change, not "−0.0".
    expect(await text(change(75.01, 75.04, 1))).toBe('±0.0');
  });

  it('shows no change when either period has no value', async () => {
    expect(await text(change(null, 5))).toBe('–');
    expect(await text(change(5, null))).toBe('–');
  });
});

describe('the change cell of a report row', () => {
  const t = translator('en');
  const headline = (c: OfficialCounts) => ({
    ratings: ratingsIn(c),
    satisfiedShare: satisfiedShare.compute(c),
  });
  const cell = async (now: OfficialCounts, before: OfficialCounts | undefined) =>
    (await changeCell(t, headline(now), before && headline(before))).toString();

  it('compares the ratings count and the satisfied share in percentage points, never coloured', async () => {
    // 40 of 50 satisfied now, 27 of 30 before: the figures' exact values, 80 % and 90 %.
    const html = await cell(
      { verySatisfied: 10, satisfied: 30, unsatisfied: 10 },
      { verySatisfied: 7, satisfied: 20, unsatisfied: 3 },
    );
    expect(html.replace(/<[^>]+>/g, '')).toBe('+20 · −10.0 pts');
    expect(html.startsWith(`<td class="num" data-testid="change" data-label="${t('vsPrevious')}">`)).toBe(
      true,
    );
    expect(html).not.toMatch(/\b(bad|good)\b/);
  });

  it('greys the change when either share rests on too few ratings, still without colour', async () => {
    const html = await cell(
      { verySatisfied: 0, satisfied: 0, unsatisfied: 8 },
      { verySatisfied: 40, satisfied: 0, unsatisfied: 0 },
    );
    expect(
      html.startsWith(`<td class="num too-few" data-testid="change" data-label="${t('vsPrevious')}">`),
    ).toBe(true);
    expect(html.replace(/<[^>]+>/g, '')).toBe('−32 · −100.0 pts');
    expect(html).not.toMatch(/\b(bad|good)\b/);
  });

  it('shows no share change when a period has no rating, and counts a missing row as none', async () => {
    const some = { verySatisfied: 3, satisfied: 1, unsatisfied: 0 };
    const none = { verySatisfied: 0, satisfied: 0, unsatisfied: 0 };
    expect((await cell(some, undefined)).replace(/<[^>]+>/g, '')).toBe('+4 · –');
    expect((await cell(none, some)).replace(/<[^>]+>/g, '')).toBe('−4 · –');
  });
});
