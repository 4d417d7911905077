import { satisfiedShare } from '@onestop/evaluation';
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n.js';
import { DistributionChart } from './distribution.js';
import { RankingChart, rankEntries, shareChange } from './ranking.js';

const t = translator('vi');
const period = { from: '2026-11-01', to: '2026-11-30' };
const counts = (verySatisfied: number, satisfied: number, unsatisfied: number) => ({
  verySatisfied,
  satisfied,
  unsatisfied,
});
const entry = (id: string, c: ReturnType<typeof counts>, before?: ReturnType<typeof counts>) => ({
  id,
  name: `Phường ${id}`,
  href: `/units/${id}`,
  share: satisfiedShare.compute(c),
  previous: before ? satisfiedShare.compute(before) : null,
  official: c,
});

describe('ranking', () => {
  const entries = [
    entry('a', counts(20, 10, 30)), // 50 %
    entry('b', counts(50, 40, 10), counts(40, 30, 30)), // 90 %, was 70 %
    entry('c', counts(1, 1, 0)), // 100 % of 2: too few, never first
    entry('d', counts(0, 0, 0)),
    entry('e', counts(30, 30, 20)), // 75 %
  ];

  it('ranks by share the measured only, keeps the too-few and the empty apart', () => {
    const { ranked, tooFew, none } = rankEntries(entries);
    expect(ranked.map((e) => e.id)).toEqual(['b', 'e', 'a']);
    expect(tooFew.map((e) => e.id)).toEqual(['c']);
    expect(none.map((e) => e.id)).toEqual(['d']);
  });

  it('gives the change in points only between two measured figures', () => {
    expect(shareChange(entries[1]!)).toBe(20);
    expect(shareChange(entries[0]!)).toBeNull();
    expect(shareChange({ share: entries[1]!.share, previous: entries[2]!.share })).toBeNull();
  });

  it('draws a bar per ranked row, the target line, places in the table, too-few unplaced', () => {
    const svg = String(
      <RankingChart
        lang="vi"
        t={t}
        title="X"
        chart="unit-ranking"
        period={period}
        entries={entries}
        target={0.85}
      />,
    );
    const bars = [...svg.matchAll(/<path [^>]*ecmeta_series_index="0"[^>]*ecmeta_data_index="(\d)"/g)];
    // One bar per ranked row (the target line is a mark of the same series, with index 0 again).
    expect(new Set(bars.map((b) => b[1]))).toEqual(new Set(['0', '1', '2']));
    expect(svg).toContain('Mục tiêu 85.0 %');
    expect(svg).toContain('1. Phường b  ▲ 20.0 điểm %');
    expect(svg).toMatch(/data-ranked="b" data-place="1"/);
    expect(svg).toMatch(/data-ranked="a" data-place="3"/);
    expect(svg).toMatch(/data-ranked="c" data-place=""/);
    expect(svg).toMatch(/data-testid="ranking-too-few"[\s\S]*Phường c<\/a> \(n = 2\)/);
    expect(svg).toContain('1 đạt mục tiêu 85.0 %');
  });

  it('stacks the three official levels per row with ratings, names them', () => {
    const svg = String(
      <DistributionChart
        lang="en"
        t={translator('en')}
        title="Y"
        chart="unit-distribution"
        period={period}
        entries={entries}
      />,
    );
    // Four rows with ratings × three levels (a zero level draws no bar).
    for (const s of [0, 1, 2]) expect(svg).toContain(`ecmeta_series_index="${s}"`);
    expect(svg).toContain('Very satisfied');
    expect(svg).not.toContain('data-row="d"');
    expect(svg).toMatch(/data-row="a"[\s\S]*?data-official="unsatisfied"[^>]*>30</);
  });
});
