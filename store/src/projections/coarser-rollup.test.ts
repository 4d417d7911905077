import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  coarserRollupDeltaSql,
  coarserRollupSql,
  DAY_AND_WEEK_LEVELS,
  MONTHLY_LEVELS,
} from './coarser-rollup.js';

describe('coarser roll-up levels', () => {
  it('are in migration 0038 exactly as generated from the tables', () => {
    const migration = readFileSync(
      new URL('../../migrations/0038_monthly_rollups.sql', import.meta.url),
      'utf8',
    );
    for (const level of MONTHLY_LEVELS) expect(migration).toContain(coarserRollupSql(level));
  });

  it('move by their difference on update as migration 0039 generated it, for every level', () => {
    const migration = readFileSync(
      new URL('../../migrations/0039_rollup_update_deltas.sql', import.meta.url),
      'utf8',
    );
    for (const level of [...DAY_AND_WEEK_LEVELS, ...MONTHLY_LEVELS])
      expect(migration).toContain(coarserRollupDeltaSql(level));
    const [days] = DAY_AND_WEEK_LEVELS.map(coarserRollupDeltaSql);
    // The count stays (the finer row still exists); maps take the old one back key by key.
    expect(days).toContain('"ratings" = t.ratings + (NEW.ratings - OLD.ratings)');
    expect(days).not.toContain('"hours" =');
    expect(days).toContain('"counts_merged"(NEW.levels, "counts_signed"(OLD.levels, -1))');
  });

  it('sum every column of the coarser table that is not a key, maps merged key by key', () => {
    const [months, hours] = MONTHLY_LEVELS.map(coarserRollupSql);
    expect(months).toContain('"levels" = "counts_merged"(t.levels, excluded.levels)');
    expect(months).toContain(
      '"expression_index_sq_sum" = t.expression_index_sq_sum + excluded.expression_index_sq_sum',
    );
    expect(months).toContain('t.days <= 0');
    for (let h = 0; h < 24; h++) expect(hours).toContain(`sum(r.h${String(h).padStart(2, '0')})`);
    // No count column: rows stay, as the days they sum do.
    expect(hours).not.toContain('DELETE FROM');
  });
});
