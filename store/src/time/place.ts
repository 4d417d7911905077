import { sql } from 'drizzle-orm';
import { applyAlertChanges } from '../alerts.js';
import type { Executor } from '../db.js';
import type { IngestEvent } from '../ingest.js';
import {
  CLOCK_SKEW_ALERT,
  clockAlertChanges,
  type DeviceClockReport,
  QUARANTINE_ALERT,
} from './clock-alerts.js';
import { type DeviceBootState, liveFlags } from './live.js';
import {
  type BatchEventClock,
  type BootAnchor,
  bootBound,
  type Placement,
  placeBatch,
  placeByOrder,
  type TimeSource,
} from './placement.js';

export type { TimeSource } from './placement.js';

/** An event with the time the centre can defend for it; `at` is null when quarantined. */
export type PlacedEvent = IngestEvent & { at: number | null; timeSource: TimeSource };

/**
 * A boot's `device_boots` row is rewritten when its anchor tightens, and otherwise at most this
 * often (for `last_seen_at` and `clock_offset_ms`), so that the usual batch writes nothing here.
 */
export const BOOT_REFRESH_MS = 60_000;

interface KnownRow {
  device_id: string;
  boot_id: string;
  provisioned_ms: number | null;
  current_boot: string | null;
  current_max_seq: number | null;
  skew_open: boolean;
  quarantine_open: boolean;
  last_quarantined_ms: number | null;
  booted_at_ms: number | null;
  claimed_boot_ms: number | null;
  anchor: 'birth' | 'event' | null;
  last_seen_ms: number | null;
  /** The latest birth of the device, if it is of this boot and carries `mono`: when it arrived. */
  birth_received_ms: number | null;
  birth_mono: number | null;
}

const rowsOf = <T>(result: unknown) => (result as { rows: T[] }).rows;
/** A boot of a device, as one map key (a device ID is a slug: no `/`). */
const key = (deviceId: string, bootId: string) => `${deviceId}/${bootId.toLowerCase()}`;

/**
 * Places each event's time before it is projected (the rule: placement.ts; which boot is live:
 * live.ts). One statement reads what is known of the batch's devices and boots; the boots the
 * batch saw live are remembered in `device_boots` (one set-based upsert, only when something was
 * learnt), and the device's `clock_skew` / `quarantined_events` alerts follow (only on change).
 * These writes record what was received, so they hold even if the projection then fails: an upper
 * bound of a boot instant stays one.
 */
export async function placeTimes(
  exec: Executor,
  batch: readonly IngestEvent[],
  receivedAtMs: number,
): Promise<PlacedEvent[]> {
  const known = await readKnown(exec, batch);
  const devices = new Map<string, KnownRow>();
  const anchors = new Map<string, BootAnchor>();
  for (const r of known) {
    devices.set(r.device_id, r);
    const anchor = anchorOf(r);
    if (anchor) anchors.set(key(r.device_id, r.boot_id), anchor);
  }
  const boots = new Map<string, DeviceBootState>(
    [...devices.values()].map((d) => [
      d.device_id,
      {
        currentBootId: d.current_boot,
        currentMaxSeq: d.current_max_seq === null ? null : Number(d.current_max_seq),
      },
    ]),
  );
  // The database spells UUIDs in lower case; a device may not.
  const live = liveFlags(
    batch.map((e) => ({
      deviceId: e.payload.deviceId,
      bootId: e.payload.bootId.toLowerCase(),
      seq: e.payload.seq,
    })),
    boots,
  );
  const bootKeys = batch.map((e) => key(e.payload.deviceId, e.payload.bootId));
  const clocks: BatchEventClock[] = batch.map((e, i) => {
    const provisioned = devices.get(e.payload.deviceId)?.provisioned_ms ?? null;
    return {
      boot: bootKeys[i] ?? '',
      live: live[i] ?? false,
      ts: e.payload.ts,
      mono: e.payload.mono,
      receivedAtMs,
      provisionedAtMs: provisioned === null ? null : Number(provisioned),
    };
  });
  const { placements: byClock, learnt } = placeBatch(clocks, anchors);
  const placements = await checkOutboxOrder(exec, batch, byClock);

  // Per device: the latest live event's offset (by seq) and how many events were set aside.
  const reports = new Map<string, DeviceClockReport & { seq: number }>();
  const offsets = new Map<string, number>();
  batch.forEach((e, i) => {
    const p = placements[i];
    const d = devices.get(e.payload.deviceId);
    // Alerts belong to registered devices only.
    if (!p || !d || d.provisioned_ms === null) return;
    const r = reports.get(d.device_id) ?? {
      deviceId: d.device_id,
      liveOffsetMs: null,
      quarantined: 0,
      skewAlertOpen: d.skew_open,
      quarantineAlertOpen: d.quarantine_open,
      lastQuarantinedAtMs: d.last_quarantined_ms === null ? null : Number(d.last_quarantined_ms),
      seq: -1,
    };
    reports.set(d.device_id, r);
    if (p.timeSource === 'quarantined') r.quarantined++;
    if (live[i] && p.clockOffsetMs !== null) {
      offsets.set(bootKeys[i] ?? '', p.clockOffsetMs);
      if (e.payload.seq > r.seq) {
        r.seq = e.payload.seq;
        r.liveOffsetMs = p.clockOffsetMs;
      }
    }
  });

  await rememberBoots(exec, known, anchors, learnt, offsets, receivedAtMs);
  const changes = clockAlertChanges([...reports.values()], receivedAtMs);
  if (changes.length > 0) await applyAlertChanges(exec, changes);

  return batch.map((e, i) => {
    const p = placements[i] ?? { at: null, timeSource: 'quarantined' as const };
    return { ...e, at: p.at, timeSource: p.timeSource };
  });
}

/**
 * Events believed on their device clock alone (their boot has no anchor: a replay) are checked
 * against the outbox order: one statement finds, per such event, the placed times of the device's
 * stored events just before and just after it by `seq` (index `events_device_seq_idx`). The usual
 * batch (live boots) has none and costs nothing here.
 */
async function checkOutboxOrder(
  exec: Executor,
  batch: readonly IngestEvent[],
  placements: Placement[],
): Promise<Placement[]> {
  const unanchored = placements.flatMap((p, i) =>
    p.timeSource === 'device' && p.clockOffsetMs === null ? [i] : [],
  );
  if (unanchored.length === 0) return placements;
  const probes = JSON.stringify(
    unanchored.map((i) => [i, batch[i]?.payload.deviceId ?? '', batch[i]?.payload.seq ?? 0]),
  );
  const rows = rowsOf<{ i: number; after_ms: number | null; before_ms: number | null }>(
    await exec.execute(sql`
select (x->>0)::int as i,
  (select (extract(epoch from e.at) * 1000)::float8 from events e
    where e.device_id = x->>1 and e.seq < (x->>2)::bigint and e.at is not null
    order by e.seq desc limit 1) as after_ms,
  (select (extract(epoch from e.at) * 1000)::float8 from events e
    where e.device_id = x->>1 and e.seq > (x->>2)::bigint and e.at is not null
    order by e.seq limit 1) as before_ms
from jsonb_array_elements(${probes}::jsonb) as x`),
  );
  const out = [...placements];
  for (const r of rows) {
    const p = out[r.i];
    if (!p) continue;
    out[r.i] = placeByOrder(p, {
      afterMs: r.after_ms === null ? null : Number(r.after_ms),
      beforeMs: r.before_ms === null ? null : Number(r.before_ms),
    });
  }
  return out;
}

/**
 * What is known of a boot before the batch: its stored anchor, tightened by the device's latest
 * birth when that birth is of this boot and says its `mono` (the broker records the birth; the
 * anchor is learnt here, where every other boot anchor is, so `device_boots` has one writer).
 */
function anchorOf(r: KnownRow): BootAnchor | null {
  const stored = r.booted_at_ms === null ? null : Number(r.booted_at_ms);
  const birth =
    r.birth_received_ms === null || r.birth_mono === null
      ? null
      : bootBound({
          ts: 0,
          mono: Number(r.birth_mono),
          receivedAtMs: Number(r.birth_received_ms),
          provisionedAtMs: r.provisioned_ms === null ? null : Number(r.provisioned_ms),
        });
  const claimedBootMs = r.claimed_boot_ms === null ? null : Number(r.claimed_boot_ms);
  if (birth === null)
    return stored === null ? null : { bootedAtMs: stored, tight: r.anchor === 'birth', claimedBootMs };
  return { bootedAtMs: Math.min(birth, stored ?? birth), tight: true, claimedBootMs };
}

/**
 * One row per (device, boot) of the batch: the device's provisioning and live boot, its open time
 * alerts, and what is known of the boot. The costlier look-ups run only when needed: the highest
 * stored `seq` of the live boot when the batch holds another boot of the device (live.ts), the
 * last quarantined event when a quarantine alert is open.
 */
async function readKnown(exec: Executor, batch: readonly IngestEvent[]): Promise<KnownRow[]> {
  const pairs = new Map(batch.map((e) => [key(e.payload.deviceId, e.payload.bootId), e.payload]));
  const keys = JSON.stringify([...pairs.values()].map((p) => [p.deviceId, p.bootId]));
  const result = await exec.execute(sql`
with k as (
  select x->>0 as device_id, (x->>1)::uuid as boot_id from jsonb_array_elements(${keys}::jsonb) as x
),
dev as materialized (
  select ds.device_id, ds.boots, (extract(epoch from d.created_at) * 1000)::float8 as provisioned_ms,
    d.birth, (extract(epoch from d.birth_received_at) * 1000)::float8 as birth_received_ms,
    coalesce(d.boot_id, (
      select b.boot_id from device_boots b where b.device_id = ds.device_id order by b.booted_at_ms desc limit 1
    )) as current_boot,
    a.kinds as open_alerts
  from (select device_id, array_agg(boot_id) as boots from k group by device_id) as ds
  left join devices d on d.id = ds.device_id
  left join (
    select device_id, array_agg(kind) as kinds from alerts
    where resolved_at is null and kind in (${CLOCK_SKEW_ALERT}, ${QUARANTINE_ALERT})
    group by device_id
  ) as a on a.device_id = ds.device_id
)
select k.device_id, k.boot_id, dev.provisioned_ms, dev.current_boot,
  case when dev.current_boot is not null and not dev.boots <@ array[dev.current_boot] then (
    select max(e.seq)::float8 from events e where e.device_id = k.device_id and e.boot_id = dev.current_boot
  ) end as current_max_seq,
  coalesce(${CLOCK_SKEW_ALERT} = any(dev.open_alerts), false) as skew_open,
  coalesce(${QUARANTINE_ALERT} = any(dev.open_alerts), false) as quarantine_open,
  case when ${QUARANTINE_ALERT} = any(dev.open_alerts) then (
    select (extract(epoch from max(e.received_at)) * 1000)::float8 from events e
    where e.device_id = k.device_id and e.at is null
  ) end as last_quarantined_ms,
  b.booted_at_ms::float8 as booted_at_ms, b.claimed_boot_ms::float8 as claimed_boot_ms, b.anchor,
  (extract(epoch from b.last_seen_at) * 1000)::float8 as last_seen_ms,
  case when lower(dev.birth->>'bootId') = k.boot_id::text and jsonb_typeof(dev.birth->'mono') = 'number'
    then dev.birth_received_ms end as birth_received_ms,
  case when lower(dev.birth->>'bootId') = k.boot_id::text and jsonb_typeof(dev.birth->'mono') = 'number'
    then (dev.birth->>'mono')::float8 end as birth_mono
from k
join dev on dev.device_id = k.device_id
left join device_boots b on b.device_id = k.device_id and b.boot_id = k.boot_id`);
  return rowsOf<KnownRow>(result);
}

/**
 * Upserts the boots whose anchor tightened (live events, a birth), that are new, or whose row is
 * getting old (live ones only).
 */
async function rememberBoots(
  exec: Executor,
  known: readonly KnownRow[],
  anchors: ReadonlyMap<string, BootAnchor>,
  learnt: ReadonlyMap<string, BootAnchor>,
  offsets: ReadonlyMap<string, number>,
  receivedAtMs: number,
): Promise<void> {
  const rows = known.flatMap((r) => {
    const k = key(r.device_id, r.boot_id);
    const anchor = learnt.get(k) ?? anchors.get(k);
    if (anchor === undefined) return [];
    const stale =
      r.booted_at_ms === null ||
      anchor.bootedAtMs < Number(r.booted_at_ms) ||
      (anchor.tight && r.anchor !== 'birth') ||
      (learnt.has(k) && Number(r.last_seen_ms) <= receivedAtMs - BOOT_REFRESH_MS);
    if (!stale) return [];
    return [
      {
        device_id: r.device_id,
        boot_id: r.boot_id,
        booted_at_ms: Math.round(anchor.bootedAtMs),
        anchor: anchor.tight ? 'birth' : 'event',
        claimed_boot_ms: anchor.claimedBootMs === null ? null : Math.round(anchor.claimedBootMs),
        clock_offset_ms: Math.round(offsets.get(k) ?? 0),
        seen_ms: receivedAtMs,
      },
    ];
  });
  if (rows.length === 0) return;
  // Key order keeps two transactions from deadlocking; least() keeps the tighter bound whoever
  // wins, and a boot once anchored by its birth stays so (a lesser bound is tighter still).
  await exec.execute(sql`
insert into device_boots (device_id, boot_id, booted_at_ms, claimed_boot_ms, anchor, clock_offset_ms, first_seen_at, last_seen_at)
select device_id, boot_id, booted_at_ms, claimed_boot_ms, anchor, clock_offset_ms, to_timestamp(seen_ms / 1000.0), to_timestamp(seen_ms / 1000.0)
from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
  as v(device_id text, boot_id uuid, booted_at_ms bigint, claimed_boot_ms bigint, anchor text, clock_offset_ms bigint, seen_ms bigint)
order by device_id, boot_id
on conflict (device_id, boot_id) do update set
  booted_at_ms = least(device_boots.booted_at_ms, excluded.booted_at_ms),
  claimed_boot_ms = coalesce(device_boots.claimed_boot_ms, excluded.claimed_boot_ms),
  anchor = case when 'birth' in (device_boots.anchor, excluded.anchor) then 'birth' else 'event' end,
  clock_offset_ms = excluded.clock_offset_ms,
  last_seen_at = greatest(device_boots.last_seen_at, excluded.last_seen_at)`);
}
