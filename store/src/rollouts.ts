import { createHash, randomUUID } from 'node:crypto';
import {
  DeviceId,
  type ReleaseManifest,
  releaseDownloadPath,
  UnitId,
  type UpdateOffer,
  type UpdateStatus,
} from '@onestop/protocol';
import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { activeDevice } from './device-config.js';
import { StoreInputError } from './devices.js';
import { inTransaction, notify } from './notify.js';
import { getRelease } from './releases.js';
import { auditLog, devices, deviceUpdateStatus, releases, rolloutDevices, rollouts } from './schema.js';

export type RolloutStage = 'canary' | 'percent' | 'all';
export type RolloutState = 'active' | 'paused' | 'withdrawn' | 'done';
/**
 * States in which the rollout's offers stand (retained on the boards, downloads allowed), when it
 * is the board's newest rollout: an older one never stands in for a newer one (see currentOffers).
 */
export const OFFERING_STATES: readonly RolloutState[] = ['active', 'paused', 'done'];
/** States that block another rollout over the same counters. */
const LIVE_STATES: readonly RolloutState[] = ['active', 'paused'];

/**
 * The automatic halt: a rollout whose boards (any stage) fail this often pauses by itself (audited)
 * so that a broken release reaches no further board before someone looks.
 */
export const HALT_AT_FAILURES = 2;
export const HALT_ABOVE_SHARE = 0.2;
export const MAX_CANARY_DEVICES = 50;

/**
 * A refusal of a rollout command with a stable code and its values, so the console can say it in
 * Vietnamese (dashboard/src/devices/releases/messages.ts, `rolloutRefusal_<code>`) while the CLI
 * shows the English message with its flags.
 */
export class RolloutRefusal extends StoreInputError {
  constructor(
    readonly code: RolloutRefusalCode,
    readonly values: Record<string, string | number>,
    message: string,
  ) {
    super(message);
  }
}
export type RolloutRefusalCode =
  | 'unit_invalid'
  | 'canary_missing'
  | 'canary_too_many'
  | 'canary_invalid'
  | 'deadline_range'
  | 'release_unknown'
  | 'still_live'
  | 'canary_not_live'
  | 'percent_range'
  | 'not_active'
  | 'widen_more'
  | 'stage_failed'
  | 'stage_not_healthy'
  | 'bad_transition';

export interface Rollout {
  id: string;
  version: string;
  /** null: every counter of the city. */
  unitId: string | null;
  canary: string[];
  stage: RolloutStage;
  percent: number;
  state: RolloutState;
  haltReason: string | null;
  healthDeadlineS: number;
  createdBy: string;
  createdAt: Date;
  updatedBy: string;
  updatedAt: Date;
}

/**
 * Where a device falls in a rollout, 0–9999: the first 32 bits of SHA-256(rolloutId, deviceId).
 * Per rollout, so that the same boards are not always the first to get every release; fixed for
 * a rollout, so widening from 10 % to 30 % keeps the first 10 % and adds to them.
 */
export function rolloutBucket(rolloutId: string, deviceId: string): number {
  const h = createHash('sha256').update(rolloutId).update('\0').update(deviceId).digest();
  return h.readUInt32BE(0) % 10_000;
}

/** The one rule of targeting: canary devices, and at `percent` those whose bucket is below it. */
export function isTargeted(
  r: Pick<Rollout, 'id' | 'canary' | 'stage' | 'percent'>,
  deviceId: string,
): boolean {
  if (r.canary.includes(deviceId)) return true;
  if (r.stage === 'all') return true;
  return r.stage === 'percent' && rolloutBucket(r.id, deviceId) < r.percent * 100;
}

const scopeOf = (unitId: string | null) => (unitId ? `unit:${unitId}` : 'city');

async function loadRollout(db: Executor, id: string, lock = false): Promise<Rollout> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new StoreInputError(`no rollout '${id}'`);
  const q = db.select().from(rollouts).where(eq(rollouts.id, id));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw new StoreInputError(`no rollout '${id}'`);
  return row;
}

export async function getRollout(db: Executor, id: string): Promise<Rollout | null> {
  return loadRollout(db, id).catch((err: unknown) => {
    if (err instanceof StoreInputError) return null;
    throw err;
  });
}

export async function listRollouts(db: Executor, limit = 100): Promise<Rollout[]> {
  return db.select().from(rollouts).orderBy(desc(rollouts.createdAt)).limit(limit);
}

/** Boards a rollout may reach: live (not revoked, not draining), in its unit or anywhere. */
async function eligibleDevices(
  db: Executor,
  unitId: string | null,
  platform: ReleaseManifest['platform'] = null,
): Promise<string[]> {
  // A board whose birth names another platform could not load the release's native addons: it is
  // not offered it. One that names none (an older agent) is: it refuses the bundle and reports.
  const samePlatform = platform
    ? sql`(${devices.birth}->'platform' is null or (${devices.birth}->'platform'->>'arch' = ${platform.arch} and ${devices.birth}->'platform'->>'nodeAbi' = ${platform.nodeAbi}))`
    : undefined;
  const rows = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(activeDevice(), unitId ? eq(devices.unitId, unitId) : undefined, samePlatform))
    .orderBy(devices.id);
  return rows.map((r) => r.id);
}

/**
 * Offers the release to every eligible board the rollout now targets and has not offered it to
 * yet; nothing unless it is active (a paused rollout reaches no new board). Returns the new ones.
 */
/** The platform an agent release was built for; null: runs anywhere (models only). */
async function platformOf(db: Executor, version: string): Promise<ReleaseManifest['platform']> {
  const [row] = await db
    .select({ components: releases.components, manifest: releases.manifest })
    .from(releases)
    .where(eq(releases.version, version));
  return row?.components.includes('agent') ? ((row.manifest as ReleaseManifest).platform ?? null) : null;
}

async function assignTargets(tx: Executor, r: Rollout): Promise<string[]> {
  if (r.state !== 'active') return [];
  const offered = new Set(
    (
      await tx
        .select({ id: rolloutDevices.deviceId })
        .from(rolloutDevices)
        .where(eq(rolloutDevices.rolloutId, r.id))
    ).map((x) => x.id),
  );
  const fresh = (await eligibleDevices(tx, r.unitId, await platformOf(tx, r.version))).filter(
    (id) => !offered.has(id) && isTargeted(r, id),
  );
  for (let i = 0; i < fresh.length; i += 1_000) {
    await tx.insert(rolloutDevices).values(
      fresh.slice(i, i + 1_000).map((deviceId) => ({
        rolloutId: r.id,
        deviceId,
        stage: r.canary.includes(deviceId) ? ('canary' as const) : r.stage,
      })),
    );
  }
  return fresh;
}

async function audit(tx: Executor, actor: string, action: string, r: Rollout, details: object) {
  await tx.insert(auditLog).values({
    actor,
    action,
    target: `rollout:${r.id}`,
    details: { version: r.version, scope: scopeOf(r.unitId), ...details },
  });
}

/**
 * Starts a rollout of a published release at its canary devices (each live, in the scope).
 * Refused while another live rollout covers any of the same counters: a board is offered one
 * release at a time, and a city-wide rollout covers every unit.
 */
export async function startRollout(
  db: Executor,
  input: {
    version: string;
    unitId: string | null;
    canary: readonly string[];
    healthDeadlineS?: number;
    actor: string;
  },
): Promise<Rollout> {
  if (input.unitId !== null && !UnitId.safeParse(input.unitId).success)
    throw new RolloutRefusal(
      'unit_invalid',
      { unit: input.unitId },
      `--unit: not a unit ID '${input.unitId}'`,
    );
  const canary = [...new Set(input.canary)];
  if (canary.length === 0)
    throw new RolloutRefusal('canary_missing', {}, '--canary: name at least one device to start with');
  if (canary.length > MAX_CANARY_DEVICES)
    throw new RolloutRefusal(
      'canary_too_many',
      { max: MAX_CANARY_DEVICES },
      `--canary: at most ${MAX_CANARY_DEVICES} devices`,
    );
  for (const id of canary)
    if (!DeviceId.safeParse(id).success)
      throw new RolloutRefusal('canary_invalid', { device: id }, `--canary: not a device ID '${id}'`);
  const deadline = input.healthDeadlineS ?? 300;
  if (!Number.isInteger(deadline) || deadline < 30 || deadline > 3_600)
    throw new RolloutRefusal('deadline_range', {}, '--health-deadline: 30 to 3600 seconds');
  return inTransaction(db, async (tx) => {
    const release = await getRelease(tx, input.version);
    if (!release)
      throw new RolloutRefusal(
        'release_unknown',
        { version: input.version },
        `no published release '${input.version}'`,
      );
    // Serialises starts: two at once could each see no overlap.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('onestop.rollout.start'))`);
    const live = await tx
      .select({ id: rollouts.id, unitId: rollouts.unitId, version: rollouts.version })
      .from(rollouts)
      .where(inArray(rollouts.state, [...LIVE_STATES]));
    const clash = live.find((l) => l.unitId === null || input.unitId === null || l.unitId === input.unitId);
    if (clash)
      throw new RolloutRefusal(
        'still_live',
        { version: clash.version, scope: scopeOf(clash.unitId) },
        `rollout ${clash.id} of ${clash.version} (${scopeOf(clash.unitId)}) is still live there: withdraw it, or let it finish, first`,
      );
    const eligible = new Set(await eligibleDevices(tx, input.unitId, await platformOf(tx, release.version)));
    const outside = canary.filter((id) => !eligible.has(id));
    if (outside.length > 0)
      throw new RolloutRefusal(
        'canary_not_live',
        { devices: outside.join(', '), scope: scopeOf(input.unitId) },
        `--canary: ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not a live device of ${scopeOf(input.unitId)}`,
      );
    const [row] = await tx
      .insert(rollouts)
      .values({
        id: randomUUID(),
        version: release.version,
        unitId: input.unitId,
        canary,
        stage: 'canary',
        percent: 0,
        state: 'active',
        healthDeadlineS: deadline,
        createdBy: input.actor,
        updatedBy: input.actor,
      })
      .returning();
    const r = row!;
    const offered = await assignTargets(tx, r);
    await audit(tx, input.actor, 'rollout.start', r, { canary, offered: offered.length });
    await notify(tx, 'update_offers_changed', { rolloutId: r.id });
    return r;
  });
}

/** Widens an active rollout to a larger percentage, or to all (`percent` 100 means all). */
export async function widenRollout(
  db: Executor,
  input: { rolloutId: string; percent: number; actor: string },
): Promise<Rollout & { offered: number }> {
  const { percent } = input;
  if (!Number.isInteger(percent) || percent < 1 || percent > 100)
    throw new RolloutRefusal('percent_range', {}, '--percent: a whole number from 1 to 100');
  return inTransaction(db, async (tx) => {
    const r = await loadRollout(tx, input.rolloutId, true);
    if (r.state !== 'active')
      throw new RolloutRefusal(
        'not_active',
        { state: r.state },
        `rollout ${r.id} is ${r.state}: only an active rollout widens (resume it first)`,
      );
    if (r.stage === 'all' || (r.stage === 'percent' && percent <= r.percent))
      throw new RolloutRefusal(
        'widen_more',
        { at: r.stage === 'all' ? '100' : r.percent },
        `rollout ${r.id} is at ${r.stage === 'all' ? 'all' : `${r.percent} %`} already: widen to more`,
      );
    // Widening is the human's "the stage looks good": it must not outrun the stage's own boards.
    const inStage = (await deviceProgress(tx, r.id)).filter((d) => d.stage === r.stage);
    const bad = inStage.filter(isFailure);
    if (bad.length > 0)
      throw new RolloutRefusal(
        'stage_failed',
        { n: bad.length, stage: r.stage, device: bad[0]!.deviceId },
        `rollout ${r.id}: ${bad.length} board(s) of stage ${r.stage} failed or rolled back (first: ${bad[0]!.deviceId}): look into it (or withdraw) before widening`,
      );
    if (!inStage.some((d) => d.outcome === 'healthy'))
      throw new RolloutRefusal(
        'stage_not_healthy',
        { stage: r.stage },
        `rollout ${r.id}: no board of stage ${r.stage} reports healthy yet: widen once one does`,
      );
    const stage: RolloutStage = percent === 100 ? 'all' : 'percent';
    const [row] = await tx
      .update(rollouts)
      .set({ stage, percent, updatedBy: input.actor, updatedAt: new Date() })
      .where(eq(rollouts.id, r.id))
      .returning();
    const next = row!;
    const offered = await assignTargets(tx, next);
    await audit(tx, input.actor, 'rollout.widen', next, { stage, percent, offered: offered.length });
    await notify(tx, 'update_offers_changed', { rolloutId: r.id });
    return { ...next, offered: offered.length };
  });
}

type Transition = 'pause' | 'resume' | 'withdraw';
const FROM: Record<Transition, readonly RolloutState[]> = {
  pause: ['active'],
  resume: ['paused'],
  withdraw: ['active', 'paused', 'done'],
};
const TO: Record<Transition, RolloutState> = { pause: 'paused', resume: 'active', withdraw: 'withdrawn' };

/**
 * Pause (no new board is offered it; those offered keep their offer), resume (clears an automatic
 * halt and offers it to whom the stage targets), withdraw (every offer cleared: boards that have
 * not installed it never will; those that have stay on it until a newer release).
 */
export async function changeRollout(
  db: Executor,
  input: { rolloutId: string; action: Transition; actor: string },
): Promise<Rollout> {
  return inTransaction(db, async (tx) => {
    const r = await loadRollout(tx, input.rolloutId, true);
    if (!FROM[input.action].includes(r.state))
      throw new RolloutRefusal(
        'bad_transition',
        { state: r.state, action: input.action },
        `rollout ${r.id} is ${r.state}: it cannot ${input.action}`,
      );
    const [row] = await tx
      .update(rollouts)
      .set({
        state: TO[input.action],
        haltReason: input.action === 'pause' ? r.haltReason : null,
        updatedBy: input.actor,
        updatedAt: new Date(),
      })
      .where(eq(rollouts.id, r.id))
      .returning();
    const next = row!;
    const offered = await assignTargets(tx, next);
    await audit(tx, input.actor, `rollout.${input.action}`, next, {
      from: r.state,
      offered: offered.length,
      ...(r.haltReason && input.action !== 'pause' ? { clearedHalt: r.haltReason } : {}),
    });
    await notify(tx, 'update_offers_changed', { rolloutId: r.id });
    return next;
  });
}

/**
 * Offers active rollouts to boards that joined their scope since the last stage change (a board
 * paired or replaced in a unit at stage `all`): the stage says who is targeted, not only who was
 * there when it was set. Run now and then by the brokers; returns the rollouts that offered more.
 */
export async function offerToNewDevices(db: Executor): Promise<string[]> {
  const active = await db.select({ id: rollouts.id }).from(rollouts).where(eq(rollouts.state, 'active'));
  const moved: string[] = [];
  for (const { id } of active) {
    const n = await inTransaction(db, async (tx) => {
      const r = await loadRollout(tx, id, true);
      const fresh = await assignTargets(tx, r);
      if (fresh.length > 0) {
        await audit(tx, 'centre', 'rollout.offer', r, { devices: fresh });
        await notify(tx, 'update_offers_changed', { rolloutId: r.id });
      }
      return fresh.length;
    });
    if (n > 0) moved.push(id);
  }
  return moved;
}

/** How an offered board stands: no report yet, on its way, or an end. */
export type OfferOutcome = 'offered' | 'downloading' | 'healthy' | 'failed' | 'rolled-back';

const outcomeOf = (state: string | null): OfferOutcome =>
  state === null
    ? 'offered'
    : state === 'healthy' || state === 'failed' || state === 'rolled-back'
      ? state
      : 'downloading';

export interface RolloutDeviceProgress {
  deviceId: string;
  unitId: string;
  counterId: string;
  stage: RolloutStage;
  offeredAt: Date;
  outcome: OfferOutcome;
  running: string | null;
  reason: string | null;
  reportedAt: Date | null;
}

export interface RolloutProgress {
  rollout: Rollout;
  /** Per stage, how many boards stand where. */
  stages: Record<RolloutStage, Record<OfferOutcome, number>>;
  devices: RolloutDeviceProgress[];
}

const emptyCounts = (): Record<OfferOutcome, number> => ({
  offered: 0,
  downloading: 0,
  healthy: 0,
  failed: 0,
  'rolled-back': 0,
});

const isFailure = (d: RolloutDeviceProgress): boolean =>
  d.outcome === 'failed' || d.outcome === 'rolled-back';

async function deviceProgress(db: Executor, rolloutId: string): Promise<RolloutDeviceProgress[]> {
  // Only the reports that name this rollout and came after its offer count for it: an older
  // update's last word does not, nor a board's claim about a rollout before it was offered it.
  const rows = await db
    .select({
      deviceId: rolloutDevices.deviceId,
      unitId: devices.unitId,
      counterId: devices.counterId,
      stage: rolloutDevices.stage,
      offeredAt: rolloutDevices.offeredAt,
      state: deviceUpdateStatus.state,
      running: deviceUpdateStatus.running,
      reason: deviceUpdateStatus.reason,
      reportedAt: deviceUpdateStatus.receivedAt,
    })
    .from(rolloutDevices)
    .innerJoin(devices, eq(devices.id, rolloutDevices.deviceId))
    .leftJoin(
      deviceUpdateStatus,
      and(
        eq(deviceUpdateStatus.deviceId, rolloutDevices.deviceId),
        eq(deviceUpdateStatus.rolloutId, rolloutDevices.rolloutId),
        gte(deviceUpdateStatus.receivedAt, rolloutDevices.offeredAt),
      ),
    )
    .where(eq(rolloutDevices.rolloutId, rolloutId))
    .orderBy(rolloutDevices.offeredAt, rolloutDevices.deviceId);
  return rows.map(({ state, ...r }) => ({ ...r, outcome: outcomeOf(state) }));
}

export async function rolloutProgress(db: Executor, rolloutId: string): Promise<RolloutProgress | null> {
  const rollout = await getRollout(db, rolloutId);
  if (!rollout) return null;
  const list = await deviceProgress(db, rolloutId);
  const stages = { canary: emptyCounts(), percent: emptyCounts(), all: emptyCounts() };
  for (const d of list) stages[d.stage][d.outcome]++;
  return { rollout, stages, devices: list };
}

/**
 * Stores a device's `update/status` (the latest only) and lets it move its rollout on: too many
 * failures in the current stage halt it (paused, with the reason, audited as the centre's act);
 * every board of the last stage healthy, nobody left to offer, and it is done. Returns what
 * changed, for the caller's log.
 */
export async function recordUpdateStatus(
  db: Executor,
  deviceId: string,
  status: UpdateStatus,
): Promise<{ halted?: string; done?: boolean }> {
  return inTransaction(db, async (tx) => {
    const values = {
      deviceId,
      rolloutId: status.rolloutId,
      version: status.version,
      running: status.running,
      state: status.state,
      progress: status.progress,
      reason: status.reason,
      ts: status.ts,
      // The database's clock, as `offered_at`'s: the two are compared (deviceProgress).
      receivedAt: sql`now()`,
    };
    await tx
      .insert(deviceUpdateStatus)
      .values(values)
      .onConflictDoUpdate({ target: deviceUpdateStatus.deviceId, set: values });
    if (!status.rolloutId) return {};
    const [offer] = await tx
      .select({ stage: rolloutDevices.stage })
      .from(rolloutDevices)
      .where(and(eq(rolloutDevices.rolloutId, status.rolloutId), eq(rolloutDevices.deviceId, deviceId)));
    // A device reporting on a rollout that never offered it moves nothing.
    if (!offer) return {};
    const r = await loadRollout(tx, status.rolloutId, true);
    if (r.state !== 'active') return {};
    const list = await deviceProgress(tx, r.id);
    if (status.state === 'failed' || status.state === 'rolled-back') {
      // Counted over the whole rollout, not the current stage: a canary that failed before the
      // rollout was widened still counts against the release.
      const failed = list.filter(isFailure);
      if (failed.length >= HALT_AT_FAILURES || failed.length / Math.max(list.length, 1) > HALT_ABOVE_SHARE) {
        const reason = `${failed.length} of ${list.length} boards failed or rolled back (rollout at stage ${r.stage}; first: ${failed[0]?.deviceId}: ${failed[0]?.reason ?? status.state})`;
        await tx
          .update(rollouts)
          .set({
            state: 'paused',
            haltReason: reason.slice(0, 500),
            updatedBy: 'centre',
            updatedAt: new Date(),
          })
          .where(eq(rollouts.id, r.id));
        await audit(tx, 'centre', 'rollout.halt', r, { reason, failed: failed.map((d) => d.deviceId) });
        await notify(tx, 'update_offers_changed', { rolloutId: r.id });
        return { halted: reason };
      }
      return {};
    }
    if (status.state === 'healthy' && r.stage === 'all' && list.every((d) => d.outcome === 'healthy')) {
      const eligible = await eligibleDevices(tx, r.unitId, await platformOf(tx, r.version));
      const offered = new Set(list.map((d) => d.deviceId));
      if (eligible.every((id) => offered.has(id))) {
        await tx
          .update(rollouts)
          .set({ state: 'done', updatedBy: 'centre', updatedAt: new Date() })
          .where(eq(rollouts.id, r.id));
        await audit(tx, 'centre', 'rollout.done', r, { devices: list.length });
        return { done: true };
      }
    }
    return {};
  });
}

/** One board's retained offer, or null to clear it; with the address its topic is built from. */
export interface DeviceOffer {
  deviceId: string;
  unitId: string;
  counterId: string;
  offer: UpdateOffer | null;
}

/**
 * What the broker publishes retained on `update`: for each board that any rollout has offered
 * something, the offer of its NEWEST rollout if that one still offers (active, paused, done), or
 * null (withdrawn, or the board revoked or draining). Never an older rollout's offer: withdrawing
 * R2 must not quietly re-offer the finished R1 (a downgrade nobody chose, with no audit line).
 * `deviceIds` omitted: every such board.
 */
export async function currentOffers(
  db: Executor,
  where: { deviceIds: readonly string[] } | { rolloutId: string } | Record<string, never> = {},
): Promise<DeviceOffer[]> {
  const filter =
    'deviceIds' in where
      ? inArray(rolloutDevices.deviceId, [...where.deviceIds])
      : 'rolloutId' in where
        ? inArray(
            rolloutDevices.deviceId,
            db
              .select({ id: rolloutDevices.deviceId })
              .from(rolloutDevices)
              .where(eq(rolloutDevices.rolloutId, where.rolloutId)),
          )
        : undefined;
  if ('deviceIds' in where && where.deviceIds.length === 0) return [];
  const offering = inArray(rollouts.state, [...OFFERING_STATES]);
  const rows = await db
    .selectDistinctOn([rolloutDevices.deviceId], {
      deviceId: rolloutDevices.deviceId,
      unitId: devices.unitId,
      counterId: devices.counterId,
      live: sql<boolean>`${activeDevice()} and ${offering}`.mapWith(Boolean),
      offeredAt: rolloutDevices.offeredAt,
      rolloutId: rollouts.id,
      healthDeadlineS: rollouts.healthDeadlineS,
      version: releases.version,
      components: releases.components,
      size: releases.size,
      sha256: releases.sha256,
    })
    .from(rolloutDevices)
    .innerJoin(devices, eq(devices.id, rolloutDevices.deviceId))
    .innerJoin(rollouts, eq(rollouts.id, rolloutDevices.rolloutId))
    .innerJoin(releases, eq(releases.version, rollouts.version))
    .where(filter)
    .orderBy(rolloutDevices.deviceId, desc(rollouts.createdAt), desc(rolloutDevices.offeredAt));
  return rows.map((r) => ({
    deviceId: r.deviceId,
    unitId: r.unitId,
    counterId: r.counterId,
    offer: r.live
      ? {
          v: 1,
          // When it was offered: republishing the same offer publishes the same bytes.
          ts: r.offeredAt.getTime(),
          rolloutId: r.rolloutId,
          version: r.version,
          components: r.components,
          url: releaseDownloadPath(r.version),
          size: r.size,
          sha256: r.sha256,
          healthDeadlineS: r.healthDeadlineS,
        }
      : null,
  }));
}

/** Whether a board may download a release now: it stands offered it (the download route's rule). */
export async function isOfferedRelease(db: Executor, deviceId: string, version: string): Promise<boolean> {
  const [row] = await currentOffers(db, { deviceIds: [deviceId] });
  return row?.offer?.version === version;
}

/** Each board's last update report, for the devices table (version it runs, last update's state). */
export async function updateStatuses(
  db: Executor,
  deviceIds?: readonly string[],
): Promise<Map<string, { version: string; running: string; state: string; reason: string | null }>> {
  if (deviceIds && deviceIds.length === 0) return new Map();
  const rows = await db
    .select({
      deviceId: deviceUpdateStatus.deviceId,
      version: deviceUpdateStatus.version,
      running: deviceUpdateStatus.running,
      state: deviceUpdateStatus.state,
      reason: deviceUpdateStatus.reason,
    })
    .from(deviceUpdateStatus)
    .where(deviceIds ? inArray(deviceUpdateStatus.deviceId, [...deviceIds]) : undefined);
  return new Map(rows.map(({ deviceId, ...r }) => [deviceId, r]));
}
