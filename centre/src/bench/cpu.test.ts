import { readFileSync } from 'node:fs';
import { openTestStore, STORE_BACKENDS } from '@onestop/store/testing';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { BackendCpu, findProcess, procCpuUs } from './cpu.js';

const linux = process.platform === 'linux';

describe.runIf(linux)('CPU time from /proc', () => {
  it('reads this process and finds a process by its command name', () => {
    const before = procCpuUs('self');
    let x = 0;
    for (let i = 0; i < 3e7; i++) x += i % 7;
    expect(x).toBeGreaterThan(0);
    expect(procCpuUs('self')).toBeGreaterThan(before);
    expect(procCpuUs('999999999')).toBeNaN();
    const comm = readFileSync('/proc/self/comm', 'utf8').trim();
    expect(findProcess(comm)).not.toBeNull();
    expect(findProcess('no-such-process-name')).toBeNull();
  });

  it.runIf(STORE_BACKENDS.includes('postgres'))(
    "counts the CPU of the PostgreSQL backends serving one database's connections",
    async () => {
      const store = await openTestStore('postgres');
      try {
        const backends = new BackendCpu(store.db, new URL(store.url ?? '').pathname.slice(1));
        await backends.start();
        await store.db.execute(
          // Some real work in the backend: a sort of a million generated numbers.
          sql`select count(*) from (select g from generate_series(1, 1000000) g order by g desc) s`,
        );
        await backends.sample();
        expect(backends.usedUs()).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    },
  );
});
