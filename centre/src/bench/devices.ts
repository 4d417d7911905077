import { signInFor } from '@onestop/service/testing';
import {
  AROUND_THE_CLOCK,
  type Database,
  hashGeneratedSecret,
  ingestBatch,
  saveOfficer,
  schema,
  setUnitSettings,
} from '@onestop/store';

export interface BenchDevice {
  username: string;
  password: string;
  clientId: string;
  address: { unitId: string; counterId: string; deviceId: string };
}

/**
 * Bench devices are inserted in bulk rather than through `provisionDevice` (one statement per
 * 1,000 instead of one round trip per device), sharing one password kept as every device's is now
 * (`hashGeneratedSecret`), so that the figures measure connection handling as a fleet meets it.
 */
export async function insertBenchDevices(db: Database, unitId: string, n: number): Promise<BenchDevice[]> {
  const password = 'bench-password-not-secret';
  const passwordHash = hashGeneratedSecret(password);
  // Provisioned the day before: the centre places no event before a device's provisioning.
  const createdAt = new Date(Date.now() - 86_400_000);
  await db.insert(schema.units).values({ id: unitId, name: unitId }).onConflictDoNothing();
  const out: BenchDevice[] = [];
  for (let i = 0; i < n; i += 1_000) {
    const rows = Array.from({ length: Math.min(1_000, n - i) }, (_, k) => {
      const idx = i + k;
      const counterId = `q${Math.floor(idx / 4)}`;
      const deviceId = `d${idx}`;
      out.push({
        username: `dev-${unitId}-${deviceId}`,
        password,
        clientId: deviceId,
        address: { unitId, counterId, deviceId },
      });
      return {
        id: deviceId,
        unitId,
        counterId,
        username: `dev-${unitId}-${deviceId}`,
        passwordHash,
        createdAt,
      };
    });
    await db.insert(schema.devices).values(rows);
  }
  return out;
}

/**
 * The start of a counter's day, so that ratings take the path of real traffic: the generator's
 * officer (`ratingFor`'s 'cb-test') on the unit's roster and signed in at every device, the unit
 * open at whatever hour the bench runs. The centre credits no officer it has not seen signed in.
 */
export async function signInBenchOfficer(db: Database, unitId: string, devices: readonly BenchDevice[]) {
  const officerId = 'cb-test';
  await saveOfficer(db, { unitId, officerId, name: 'Cán bộ thử', actor: 'bench' });
  await setUnitSettings(db, { unitId, settings: { openingHours: AROUND_THE_CLOCK }, actor: 'bench' });
  for (let i = 0; i < devices.length; i += 1_000)
    await ingestBatch(
      db,
      devices.slice(i, i + 1_000).map((d) => ({
        unitId,
        counterId: d.address.counterId,
        type: 'presence' as const,
        // Live, as the run starts: the first the centre hears of each board's boot, so it must be
        // prompt (an hour-old sign-in would only bound the boot, and be re-based to its receipt).
        payload: signInFor(d.address.deviceId, officerId, { ts: Date.now() }),
      })),
    );
}
