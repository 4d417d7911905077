/**
 * `ingestBatch` alone, no MQTT: what one transaction of n ratings costs on each back end.
 * `node --conditions=source --import tsx centre/src/bench/batch.ts`
 */

import { ratingFor } from '@onestop/service/testing';
import { type IngestEvent, ingestBatch, openStore } from '@onestop/store';
import { openTestStore } from '@onestop/store/testing';

for (const kind of ['pglite', 'postgres'] as const) {
  const store = kind === 'pglite' ? await openStore({ kind, dataDir: null }) : await openTestStore(kind);
  for (const n of [100, 500]) {
    const t0 = performance.now();
    let total = 0;
    for (let k = 0; k < 10; k++) {
      const batch: IngestEvent[] = Array.from({ length: n }, (_, i) => ({
        unitId: 'u',
        counterId: `q${i % 20}`,
        type: 'rating',
        payload: ratingFor(`d${i % 50}`, { officerId: `o${i % 20}` }),
      }));
      await ingestBatch(store.db, batch);
      total += n;
    }
    const ms = performance.now() - t0;
    console.log(kind, 'batch', n, (ms / 10).toFixed(1), 'ms/commit', Math.round(total / (ms / 1000)), '/s');
  }
  await store.close();
}
