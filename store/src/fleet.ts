import { and, eq, exists, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { draining } from './lifecycle.js';
import { alerts, devices } from './schema.js';

/**
 * What the devices page filters the fleet by; `alerting`: an alert not cleared; `draining`: a
 * board replaced on its counter, still sending its queued events (whatever status it last said).
 */
export const FLEET_STATUSES = [
  'online',
  'offline',
  'stopped',
  'never_seen',
  'draining',
  'revoked',
  'alerting',
] as const;
export type FleetStatus = (typeof FLEET_STATUSES)[number];

export interface FleetFilter {
  unitId: string | null;
  status?: FleetStatus | undefined;
  /** An agent version as its birth said it. */
  version?: string | undefined;
}

const alerting = exists(
  sql`(select 1 from ${alerts} where ${alerts.deviceId} = ${devices.id} and ${alerts.resolvedAt} is null)`,
);

/** Active and not replaced: the boards whose own status and last-seen time mean something now. */
const serving = () => and(isNull(devices.revokedAt), isNull(devices.replacedBy));

/** The devices a filter keeps (one definition for the summary and the list under it). */
export function fleetWhere(f: FleetFilter): SQL | undefined {
  const status =
    f.status === undefined
      ? undefined
      : f.status === 'revoked'
        ? isNotNull(devices.revokedAt)
        : f.status === 'alerting'
          ? and(isNull(devices.revokedAt), alerting)
          : f.status === 'draining'
            ? draining()
            : and(serving(), eq(devices.status, f.status));
  return and(
    f.unitId ? eq(devices.unitId, f.unitId) : undefined,
    status,
    f.version ? eq(devices.agentVersion, f.version) : undefined,
  );
}

export interface FleetSummary {
  total: number;
  /**
   * Devices per state; a revoked device counts as revoked and a replaced one as draining,
   * whatever it last said.
   */
  states: Record<Exclude<FleetStatus, 'alerting'>, number>;
  /** Active devices with an alert not cleared. */
  alerting: number;
  versions: Array<{ version: string | null; n: number }>;
  /** The perception models the fleet's births name, by file hash: a mixed fleet shows here. */
  models: Array<{ name: string; sha256: string; n: number }>;
  lastSeenAt: Date | null;
  /** The serving (active, not draining) device heard from least recently (null: none seen yet). */
  stalest: { deviceId: string; lastSeenAt: Date } | null;
}

type Counts = { state: string; n: number };

/** The fleet at a glance, within the filter: states, alerting, versions, model hashes, last seen. */
export async function fleetSummary(db: Executor, f: FleetFilter): Promise<FleetSummary> {
  const where = fleetWhere(f);
  const [states, [al], versions, models, [seen], [stale]] = await Promise.all([
    db
      .select({
        state: sql<string>`case when ${devices.revokedAt} is not null then 'revoked'
          when ${devices.replacedBy} is not null then 'draining' else ${devices.status} end`,
        n: sql<number>`count(*)::int`,
      })
      .from(devices)
      .where(where)
      .groupBy(sql`1`) as Promise<Counts[]>,
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(devices)
      .where(and(where, isNull(devices.revokedAt), alerting)),
    db
      .select({ version: devices.agentVersion, n: sql<number>`count(*)::int` })
      .from(devices)
      .where(and(where, isNull(devices.revokedAt)))
      .groupBy(devices.agentVersion)
      .orderBy(sql`2 desc`, devices.agentVersion),
    db.execute(sql`
      select m->>'name' as name, m->>'sha256' as sha256, count(*)::int as n
      from ${devices}, jsonb_array_elements(case when jsonb_typeof(${devices.birth}->'models') = 'array'
        then ${devices.birth}->'models' else '[]'::jsonb end) as m
      where ${devices.revokedAt} is null ${where ? sql`and ${where}` : sql``}
      group by 1, 2 order by 1, 3 desc`),
    db
      .select({ at: sql<Date | string | null>`max(${devices.lastSeenAt})` })
      .from(devices)
      .where(where),
    db
      .select({ deviceId: devices.id, lastSeenAt: devices.lastSeenAt })
      .from(devices)
      // A draining board goes quiet by design once its outbox is empty: not the one to chase.
      .where(and(where, serving(), isNotNull(devices.lastSeenAt)))
      .orderBy(devices.lastSeenAt)
      .limit(1),
  ]);
  const count = { online: 0, offline: 0, stopped: 0, never_seen: 0, draining: 0, revoked: 0 };
  for (const s of states) if (s.state in count) count[s.state as keyof typeof count] += Number(s.n);
  const modelRows = (models as unknown as { rows: Array<{ name: string; sha256: string; n: number }> }).rows;
  return {
    total: states.reduce((sum, s) => sum + Number(s.n), 0),
    states: count,
    alerting: Number(al?.n ?? 0),
    versions: versions.map((v) => ({ version: v.version, n: Number(v.n) })),
    models: modelRows.map((m) => ({ ...m, n: Number(m.n) })),
    lastSeenAt: seen?.at ? new Date(seen.at) : null,
    stalest: stale?.lastSeenAt ? { deviceId: stale.deviceId, lastSeenAt: stale.lastSeenAt } : null,
  };
}
