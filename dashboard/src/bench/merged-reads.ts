/**
 * `node --conditions=source --import tsx src/bench/merged-reads.ts <PGlite dir | postgres URL> [unit]`
 *
 * A page's period and its previous one read one period at a time (`officerSummaries` twice and
 * `counterSummaries`; `compareUnits` twice), as the pages did, against the merged reads they use
 * now (`unitTables`, `compareUnitsOver`), interleaved in one process over the year ending on the
 * day of the database's last rating (whole Vietnam days), so the machine's load weighs on both alike. Prints whether the answers
 * are the same and the median of 40 runs of each. One after another, as PGlite runs them anyway.
 */
import { DAY_MS, startOfVietnamDay } from '@onestop/protocol';
import {
  compareUnits,
  compareUnitsOver,
  counterSummaries,
  officerSummaries,
  openStore,
  type Period,
  type Store,
  unitTables,
} from '@onestop/store';
import { sql } from 'drizzle-orm';

const [target, unitId = 'u001'] = process.argv.slice(2);
if (!target) throw new Error('usage: merged-reads.ts <PGlite dir | postgres URL> [unit]');
const store: Store = await openStore(
  target.startsWith('postgres') ? { kind: 'postgres', url: target } : { kind: 'pglite', dataDir: target },
);
const YEAR_MS = 365 * DAY_MS;
const last = (await store.db.execute(sql`select max(at) as at from ratings`)) as unknown as {
  rows: Array<{ at: string | Date }>;
};
// Whole Vietnam days, as the pages ask: up to the midnight after the last rating.
const to = new Date(startOfVietnamDay(new Date(last.rows[0]?.at ?? Date.now()).getTime()) + DAY_MS);
const period: Period = { from: new Date(to.getTime() - YEAR_MS), to };
const previous: Period = { from: new Date(to.getTime() - 2 * YEAR_MS), to: period.from };

async function compare(name: string, apart: () => Promise<unknown>, merged: () => Promise<unknown>) {
  const same = JSON.stringify(await apart()) === JSON.stringify(await merged());
  const times: [number[], number[]] = [[], []];
  for (let i = 0; i < 40; i++)
    for (const [k, read] of [apart, merged].entries()) {
      const started = performance.now();
      await read();
      times[k]?.push(performance.now() - started);
    }
  const median = (x: number[]) => [...x].sort((a, b) => a - b)[Math.floor(x.length / 2)]?.toFixed(1);
  console.log(`${name}: same ${same}; apart ${median(times[0])} ms, merged ${median(times[1])} ms (medians)`);
}

await compare(
  `ward ${unitId} officer and counter tables`,
  async () => [
    await officerSummaries(store.db, unitId, period),
    await officerSummaries(store.db, unitId, previous),
    await counterSummaries(store.db, unitId, period),
  ],
  async () => {
    const [now, before] = await unitTables(store.db, unitId, [period, previous]);
    return [now.officers, before.officers, now.counters];
  },
);
await compare(
  'city table',
  async () => [await compareUnits(store.db, period), await compareUnits(store.db, previous)],
  () => compareUnitsOver(store.db, [period, previous]),
);
await store.close();
