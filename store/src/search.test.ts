import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comments, officers, ratings, units, visits } from './schema.js';
import { searchComments, searchRatings, searchVisits } from './search.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const T = Date.UTC(2025, 8, 1, 2);
const UNITS = ['u-a', 'u-b'];
const TERMS = ['000.00.12.H26-250101-0001', 'D-2', 'A001', 'B007'];

const ratingArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  dossierIds: fc.uniqueArray(fc.constantFrom(...TERMS), { maxLength: 2 }),
  ticket: fc.option(fc.constantFrom(...TERMS), { nil: null }),
  minute: fc.nat(600),
  placed: fc.boolean(),
});
const visitArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  dossierIds: fc.uniqueArray(fc.constantFrom(...TERMS), { maxLength: 2 }),
  ticket: fc.option(fc.constantFrom(...TERMS), { nil: null }),
  minute: fc.nat(600),
});
const commentArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  dossierId: fc.option(fc.constantFrom(...TERMS), { nil: null }),
});

describe.each(STORE_BACKENDS)('search by dossier ID or ticket on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(units).values(UNITS.map((id) => ({ id, name: `Phường ${id}` })));
    // cb-x is on u-a's roster only: a u-b rating naming cb-x must not learn the name.
    await store.db.insert(officers).values({ id: 'cb-x', unitId: 'u-a', name: 'Nguyễn Văn X' });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('finds exactly the rows naming the term, in the unit asked, with honest totals and pages', async () => {
    let n = 0;
    const uuid = () => `0193a0c2-5f00-7000-8000-${String(++n).padStart(12, '0')}`;
    await fc.assert(
      fc.asyncProperty(
        fc.array(ratingArb, { maxLength: 20 }),
        fc.array(visitArb, { maxLength: 8 }),
        fc.array(commentArb, { maxLength: 6 }),
        fc.constantFrom(...TERMS),
        fc.constantFrom<string | null>(null, ...UNITS),
        fc.integer({ min: 1, max: 4 }),
        async (rs, vs, cs, term, unitId, limit) => {
          const db = store.db;
          await db.delete(ratings);
          await db.delete(visits);
          await db.delete(comments);
          const rIds = rs.map(() => uuid());
          if (rs.length)
            await db.insert(ratings).values(
              rs.map((r, i) => ({
                eventId: rIds[i]!,
                unitId: r.unitId,
                counterId: 'q1',
                deviceId: 'd1',
                officerId: 'cb-x',
                scale: 'keypad4',
                level: 1,
                official: 'unsatisfied',
                score: 0,
                source: 'keypad',
                reasons: ['slow'],
                dossierIds: r.dossierIds,
                ticket: r.ticket,
                deviceTs: new Date(T + r.minute * 60_000),
                at: r.placed ? new Date(T + r.minute * 60_000) : null,
              })),
            );
          if (vs.length)
            await db.insert(visits).values(
              vs.map((v) => ({
                id: uuid(),
                unitId: v.unitId,
                counterId: 'q1',
                deviceId: 'd1',
                officerId: 'cb-x',
                ticket: v.ticket,
                dossierIds: v.dossierIds,
                startedAt: new Date(T + v.minute * 60_000),
              })),
            );
          if (cs.length)
            await db.insert(comments).values(cs.map((c) => ({ ...c, officerId: 'cb-x', body: 'góp ý' })));

          const inScope = (u: string) => unitId === null || u === unitId;
          const names = (r: { dossierIds: string[]; ticket: string | null }) =>
            r.dossierIds.includes(term) || r.ticket === term;
          const wantRatings = rIds.filter((_, i) => inScope(rs[i]!.unitId) && names(rs[i]!));
          const wantVisits = vs.filter((v) => inScope(v.unitId) && names(v)).length;
          const wantComments = cs.filter((c) => inScope(c.unitId) && c.dossierId === term).length;

          // Every page, walked to the end, gives each wanted rating once.
          const seen: string[] = [];
          for (let offset = 0; ; offset += limit) {
            const page = await searchRatings(db, { term, unitId, limit, offset });
            expect(page.total).toBe(wantRatings.length);
            for (const r of page.rows) {
              expect(inScope(r.unitId)).toBe(true);
              expect(r.officerName).toBe(r.unitId === 'u-a' ? 'Nguyễn Văn X' : null);
              expect(r.unitName).toBe(`Phường ${r.unitId}`);
              expect(r.reasons).toEqual(['slow']);
            }
            seen.push(...page.rows.map((r) => r.eventId));
            if (page.rows.length < limit) break;
          }
          expect([...seen].sort()).toEqual([...wantRatings].sort());

          const v = await searchVisits(db, { term, unitId, limit: 50, offset: 0 });
          expect(v.total).toBe(wantVisits);
          expect(v.rows).toHaveLength(wantVisits);
          for (const row of v.rows)
            expect(row.officerName).toBe(row.unitId === 'u-a' ? 'Nguyễn Văn X' : null);
          const c = await searchComments(db, { term, unitId, limit: 50, offset: 0 });
          expect(c.total).toBe(wantComments);
          expect(c.rows.every((row) => row.dossierId === term && inScope(row.unitId))).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it.runIf(backend === 'postgres')('answers from the search indexes, not a scan', async () => {
    // Without statistics on a tiny table the planner would rightly scan; forbid it to see the plan
    // (`set local`: in one transaction, so on one connection of the pool).
    await store.db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      const plan = async (q: ReturnType<typeof sql>) =>
        JSON.stringify(((await tx.execute(sql`explain ${q}`)) as unknown as { rows: unknown[] }).rows);
      expect(await plan(sql`select 1 from ratings where dossier_ids @> array['D-2']::text[]`)).toContain(
        'ratings_dossier_ids_idx',
      );
      expect(await plan(sql`select 1 from ratings where ticket = 'A001'`)).toContain('ratings_ticket_idx');
      expect(await plan(sql`select 1 from visits where dossier_ids @> array['D-2']::text[]`)).toContain(
        'visits_dossier_ids_idx',
      );
      expect(await plan(sql`select 1 from visits where ticket = 'A001'`)).toContain('visits_ticket_idx');
      expect(await plan(sql`select 1 from comments where dossier_id = 'D-2'`)).toContain(
        'comments_dossier_idx',
      );
    });
  });
});
