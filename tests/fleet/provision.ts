import { join } from 'node:path';
import {
  AROUND_THE_CLOCK,
  type DatabaseOptions,
  initUnitSettings,
  openStore,
  provisionDevice,
  upsertOfficer,
  upsertUnit,
} from '@onestop/store';
import type { CounterSpec } from './spec.js';

/** Counters per ward: a ward's one-stop centre has a handful (Hanoi: 126 wards). */
const COUNTERS_PER_WARD = 8;

/**
 * Wards, officers and devices of the simulated city, written to the database before the centre
 * opens it (PGlite has one writer; PostgreSQL before the brokers start), so that the day starts with every device paired.
 * Wards open around the clock: the compressed day runs at whatever real hour the bench does,
 * while the counters themselves keep Vietnam's opening hours on the simulated clock.
 */
export async function provisionFleet(
  database: DatabaseOptions,
  agentsDir: string,
  n: number,
  cameras = 0,
): Promise<CounterSpec[]> {
  // Camera counters spread over the city, one in each n/cameras stretch.
  const withCamera = new Set(
    Array.from({ length: Math.min(cameras, n) }, (_, c) => Math.floor(((c + 0.5) * n) / cameras)),
  );
  const store = await openStore(database);
  try {
    const out: CounterSpec[] = [];
    for (let i = 0; i < n; i += COUNTERS_PER_WARD) {
      const ward = i / COUNTERS_PER_WARD + 1;
      const unitId = `phuong-${String(ward).padStart(3, '0')}`;
      await upsertUnit(store.db, { id: unitId, name: `Phường ${ward}`, province: 'Hà Nội' });
      await initUnitSettings(store.db, {
        unitId,
        settings: { openingHours: AROUND_THE_CLOCK },
        actor: 'bench:fleet',
      });
      // A ward's counters together, each provisioned as the CLI does.
      const counters = Array.from({ length: Math.min(COUNTERS_PER_WARD, n - i) }, (_, k) => i + k);
      const ready = await Promise.all(
        counters.map(async (j) => {
          const counterId = `q${String((j % COUNTERS_PER_WARD) + 1).padStart(2, '0')}`;
          const officers = [1, 2].map((shift) => ({
            id: `cb-${unitId}-${counterId}-${shift}`,
            name: `Cán bộ ${ward}.${counterId}.${shift}`,
          }));
          for (const o of officers) await upsertOfficer(store.db, { ...o, unitId });
          const d = await provisionDevice(store.db, { unitId, counterId, actor: 'bench:fleet' });
          return {
            unitId,
            counterId,
            deviceId: d.deviceId,
            username: d.username,
            password: d.password,
            officers,
            dataDir: join(agentsDir, d.deviceId),
            seed: j + 1,
            touch: j % 5 === 0,
            camera: withCamera.has(j),
          };
        }),
      );
      out.push(...ready);
    }
    return out;
  } finally {
    await store.close();
  }
}
