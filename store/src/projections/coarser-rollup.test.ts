import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  coarserRollupDeltaSql,
  coarserRollupSql,
  coarserRollupStatementSql,
  DAY_AND_WEEK_LEVELS,
  MONTHLY_LEVELS,
  STATEMENT_LEVELS,
  UNIT_DAY_HOURS_LEVEL,
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

  it('are kept per statement as migration 0041 generated it, for every level', () => {
    const migration = readFileSync(
      new URL('../../migrations/0041_rollup_statement_triggers.sql', import.meta.url),
      'utf8',
    );
    for (const level of STATEMENT_LEVELS) expect(migration).toContain(coarserRollupStatementSql(level));
    const [days] = DAY_AND_WEEK_LEVELS.map(coarserRollupStatementSql);
    expect(days).toContain('REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows');
    expect(days).toContain('"counts_sum"("counts_signed"(r.levels, r.sign))');
    expect(days).toContain('t.hours <= 0');
    expect(days).toContain('DROP TRIGGER "hourly_rollups_to_daily" ON "hourly_rollups"');
    const [, hours] = MONTHLY_LEVELS.map(coarserRollupStatementSql);
    expect(hours).not.toContain('DELETE FROM');
    // A unit's hour cells: each the counted ratings of the hours at that Vietnam hour.
    const cells = coarserRollupStatementSql(UNIT_DAY_HOURS_LEVEL);
    expect(cells).toContain('= 23 THEN r.very_satisfied + r.satisfied + r.unsatisfied ELSE 0 END)');
    expect(cells).toContain('"h23" = t.h23 + excluded.h23');
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
