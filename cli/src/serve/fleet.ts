import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  AROUND_THE_CLOCK,
  type Database,
  findDeviceByUsername,
  initUnitSettings,
  provisionDevice,
  upsertOfficer,
  upsertUnit,
} from '@onestop/store';
import { z } from 'zod';
import { UsageError } from '../errors.js';

/** Demo wards: real names from the pilot (Nam Từ Liêm) and the articles (Kim Anh). */
const DEMO_UNITS = [
  { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
  { id: 'my-dinh-1', name: 'Phường Mỹ Đình 1', province: 'Hà Nội' },
  { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
] as const;

const DEMO_OFFICERS = [
  'Nguyễn Thị Lan',
  'Trần Văn Minh',
  'Lê Thu Hà',
  'Phạm Quốc Huy',
  'Hoàng Ngọc Anh',
  'Vũ Đức Thắng',
  'Đặng Thị Mai',
  'Bùi Văn Long',
  'Đỗ Thanh Hương',
  'Ngô Minh Tuấn',
  'Dương Thị Hồng',
  'Lý Văn Nam',
];

export interface SimulatedCounterCredentials {
  deviceId: string;
  unitId: string;
  counterId: string;
  username: string;
  password: string;
  /** Officers who work this counter (two shifts), by ID → display name. */
  officers: Array<{ id: string; name: string }>;
}

const SavedFleet = z.array(
  z.object({
    deviceId: z.string().min(1),
    unitId: z.string().min(1),
    counterId: z.string().min(1),
    username: z.string().min(1),
    password: z.string().min(1),
    officers: z.array(z.object({ id: z.string(), name: z.string() })),
  }),
);

function readSavedFleet(file: string): SimulatedCounterCredentials[] {
  if (!existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message}): fix or delete it`);
  }
  const parsed = SavedFleet.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${file}: ${issue?.path.join('.')}: ${issue?.message}; fix or delete it`);
  }
  return parsed.data;
}

/**
 * Provisions (once) the devices of the simulated fleet and keeps their credentials in the data
 * folder, so a restarted `onestop serve` reuses the same devices and their history.
 */
export async function ensureSimulatedFleet(
  db: Database,
  dataDir: string,
  n: number,
): Promise<SimulatedCounterCredentials[]> {
  const file = join(dataDir, 'simulator', 'credentials.json');
  mkdirSync(join(dataDir, 'simulator'), { recursive: true });
  const saved = readSavedFleet(file);
  const fleet: SimulatedCounterCredentials[] = [];
  for (let i = 0; i < n; i++) {
    const unit = DEMO_UNITS[i % DEMO_UNITS.length]!;
    const counterId = `q${String(Math.floor(i / DEMO_UNITS.length) + 1).padStart(2, '0')}`;
    const officers = [0, 1].map((shift) => {
      const k = (i * 2 + shift) % DEMO_OFFICERS.length;
      return { id: `cb-${unit.id}-${counterId}-${shift + 1}`, name: DEMO_OFFICERS[k]! };
    });
    await upsertUnit(db, unit);
    // Simulated counters rate at whatever hour `serve` runs: their demo wards never close.
    await initUnitSettings(db, {
      unitId: unit.id,
      settings: { openingHours: AROUND_THE_CLOCK },
      actor: 'simulator',
    });
    for (const o of officers) await upsertOfficer(db, { ...o, unitId: unit.id });
    const existing = saved.find((s) => s.unitId === unit.id && s.counterId === counterId);
    const row = existing ? await findDeviceByUsername(db, existing.username) : null;
    if (existing && row && !row.revokedAt) {
      fleet.push({ ...existing, officers });
      continue;
    }
    const d = await provisionDevice(db, { unitId: unit.id, counterId, actor: 'simulator' });
    fleet.push({ ...d, officers });
  }
  // Counters beyond this run's N keep their credentials, so a later, larger --simulate reuses
  // those devices and their history instead of provisioning new ones.
  const kept = saved.filter((s) => !fleet.some((f) => f.unitId === s.unitId && f.counterId === s.counterId));
  writeFileSync(file, `${JSON.stringify([...fleet, ...kept], null, 2)}\n`, { mode: 0o600 });
  return fleet;
}
