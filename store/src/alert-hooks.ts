import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { and, asc, eq, isNull, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { inTransaction } from './notify.js';
import { alertDeliveries, alerts, auditLog, unitAlertHooks } from './schema.js';

/**
 * What a unit's hook may not reach unless the centre's operator allows it (`allowInternal`, e.g.
 * a relay on the same host or a ward's own LAN service): the centre's own machine (loopback, its
 * interfaces' addresses), link-local and the cloud's metadata service, and the private networks
 * (RFC 1918, carrier-grade NAT, IPv6 unique-local) where the centre's neighbours and containers
 * live. Otherwise whoever sets a unit's hook could make the centre call private services (SSRF)
 * and read their answers' kind from the hooks page.
 */
const INTERNAL = (() => {
  const b = new BlockList();
  for (const [net, bits] of [
    ['127.0.0.0', 8],
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ] as const) {
    b.addSubnet(net, bits, 'ipv4');
    b.addSubnet(`::ffff:${net}`, 96 + bits, 'ipv6');
  }
  b.addAddress('::1', 'ipv6');
  b.addAddress('::', 'ipv6');
  b.addSubnet('fe80::', 10, 'ipv6');
  b.addSubnet('fec0::', 10, 'ipv6');
  b.addSubnet('fc00::', 7, 'ipv6');
  return b;
})();

/** The centre's own interface addresses, read once: a public address of its own is internal too. */
let own: Set<string> | null = null;
function ownAddresses(): Set<string> {
  own ??= new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => i?.address.toLowerCase())
      .filter((a): a is string => !!a),
  );
  return own;
}

/** Whether `address` (an IP) is internal to the centre (see `INTERNAL`). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return INTERNAL.check(address, family === 6 ? 'ipv6' : 'ipv4') || ownAddresses().has(address.toLowerCase());
}

export const HOOK_URL_MAX = 2_000;

/** An http(s) URL without a fragment; the host is checked again on every delivery, as resolved. */
export const HookUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// address' })
  .max(HOOK_URL_MAX)
  .refine((u) => !u.includes('#'), 'no #fragment');

export function checkHookUrl(url: string, opts: { allowInternal: boolean }): string {
  const r = HookUrl.safeParse(url.trim());
  if (!r.success) throw new StoreInputError(`url: ${r.error.issues[0]?.message ?? 'invalid'}`);
  const host = new URL(r.data).hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowInternal && (host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host)))
    throw new StoreInputError(
      `url: '${host}' is the centre itself or a private network; not allowed for a unit's hook`,
    );
  return r.data;
}

/** Sets (or with `url` null removes) a unit's hook, audited. */
export async function setUnitAlertHook(
  db: Executor,
  input: { unitId: string; url: string | null; actor: string; allowInternal: boolean },
): Promise<void> {
  const url = input.url === null ? null : checkHookUrl(input.url, input);
  await inTransaction(db, async (tx) => {
    if (url === null) await tx.delete(unitAlertHooks).where(eq(unitAlertHooks.unitId, input.unitId));
    else
      await tx
        .insert(unitAlertHooks)
        .values({ unitId: input.unitId, url, updatedBy: input.actor })
        .onConflictDoUpdate({
          target: unitAlertHooks.unitId,
          set: { url, updatedBy: input.actor, updatedAt: sql`now()` },
        });
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: url === null ? 'alert_hook.remove' : 'alert_hook.set',
      target: `unit:${input.unitId}`,
      details: { url },
    });
  });
}

export type UnitAlertHook = typeof unitAlertHooks.$inferSelect;

/** The hooks of every unit, or of one; with their delivery counts. */
export async function unitAlertHookList(db: Executor, unitId: string | null): Promise<UnitAlertHook[]> {
  return db
    .select()
    .from(unitAlertHooks)
    .where(unitId ? eq(unitAlertHooks.unitId, unitId) : undefined)
    .orderBy(unitAlertHooks.unitId);
}

/** What a hook is sent: the alert as it stands, and which change it announces. */
export interface HookDelivery {
  id: number;
  attempts: number;
  url: string;
  body: {
    event: 'opened' | 'cleared';
    alert: {
      id: number;
      unitId: string;
      deviceId: string | null;
      kind: string;
      message: string;
      openedAt: string;
      clearedAt: string | null;
      clearedBy: string | null;
    };
  };
}

/** Why a queued delivery was given up when its unit's hook was removed before it was sent. */
export const ORPHANED_DELIVERY = "the unit's hook was removed";

/**
 * Deliveries due now, claimed for `leaseMs` (their next attempt is pushed out), so that two
 * dashboards never send the same one at once and a crash mid-send only delays it.
 */
export async function claimDueDeliveries(
  db: Executor,
  limit = 20,
  leaseMs = 60_000,
): Promise<HookDelivery[]> {
  return inTransaction(db, async (tx) => {
    const due = await tx
      .select({ id: alertDeliveries.id })
      .from(alertDeliveries)
      .where(
        and(
          isNull(alertDeliveries.deliveredAt),
          isNull(alertDeliveries.abandonedAt),
          lte(alertDeliveries.nextAttemptAt, sql`now()`),
        ),
      )
      .orderBy(asc(alertDeliveries.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (due.length === 0) return [];
    const claimed = due.map((d) => d.id);
    // A delivery whose unit no longer has a hook has nowhere to go: without this it would be
    // leased, found hookless by the join below and leased again every minute, for ever.
    const orphaned = await tx
      .update(alertDeliveries)
      .set({ abandonedAt: sql`now()`, lastError: ORPHANED_DELIVERY })
      .where(
        and(
          sql`${alertDeliveries.id} in ${claimed}`,
          sql`not exists (select 1 from ${unitAlertHooks} where ${unitAlertHooks.unitId} = ${alertDeliveries.unitId})`,
        ),
      )
      .returning({ id: alertDeliveries.id });
    const gone = new Set(orphaned.map((o) => o.id));
    const ids = claimed.filter((id) => !gone.has(id));
    if (ids.length === 0) return [];
    await tx
      .update(alertDeliveries)
      .set({ nextAttemptAt: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
      .where(sql`${alertDeliveries.id} in ${ids}`);
    const rows = await tx
      .select({
        id: alertDeliveries.id,
        attempts: alertDeliveries.attempts,
        event: alertDeliveries.event,
        url: unitAlertHooks.url,
        alert: {
          id: alerts.id,
          unitId: alerts.unitId,
          deviceId: alerts.deviceId,
          kind: alerts.kind,
          message: alerts.message,
          openedAt: alerts.createdAt,
          clearedAt: alerts.resolvedAt,
          clearedBy: alerts.clearedBy,
        },
      })
      .from(alertDeliveries)
      .innerJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
      // The unit's hook as it is now: a hook removed meanwhile sends nothing more.
      .innerJoin(unitAlertHooks, eq(unitAlertHooks.unitId, alertDeliveries.unitId))
      .where(sql`${alertDeliveries.id} in ${ids}`);
    return rows.map((r) => ({
      id: r.id,
      attempts: r.attempts,
      url: r.url,
      body: {
        event: r.event as 'opened' | 'cleared',
        alert: {
          ...r.alert,
          openedAt: r.alert.openedAt.toISOString(),
          clearedAt: r.alert.clearedAt?.toISOString() ?? null,
        },
      },
    }));
  });
}

/**
 * The outcome of one attempt: delivered, or failed with the next attempt after `retryInMs`
 * (null: given up). Each failure is counted on the unit's hook with its reason.
 */
export async function recordDeliveryAttempt(
  db: Executor,
  id: number,
  outcome: { ok: true } | { ok: false; error: string; retryInMs: number | null },
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const error = outcome.ok ? null : outcome.error.slice(0, 500);
    const [row] = await tx
      .update(alertDeliveries)
      .set({
        attempts: sql`${alertDeliveries.attempts} + 1`,
        lastError: error,
        ...(outcome.ok
          ? { deliveredAt: sql`now()` }
          : outcome.retryInMs === null
            ? { abandonedAt: sql`now()` }
            : { nextAttemptAt: sql`now() + ${`${outcome.retryInMs} milliseconds`}::interval` }),
      })
      .where(eq(alertDeliveries.id, id))
      .returning({ unitId: alertDeliveries.unitId });
    if (!row) return;
    await tx
      .update(unitAlertHooks)
      .set(
        outcome.ok
          ? { delivered: sql`${unitAlertHooks.delivered} + 1`, lastDeliveredAt: sql`now()` }
          : { failures: sql`${unitAlertHooks.failures} + 1`, lastError: error, lastFailureAt: sql`now()` },
      )
      .where(eq(unitAlertHooks.unitId, row.unitId));
  });
}

/** When the next queued delivery is due (null: none queued): the worker's one timer. */
export async function nextDeliveryDue(db: Executor): Promise<Date | null> {
  const [row] = await db
    .select({ at: sql<Date | string | null>`min(${alertDeliveries.nextAttemptAt})` })
    .from(alertDeliveries)
    .where(and(isNull(alertDeliveries.deliveredAt), isNull(alertDeliveries.abandonedAt)));
  const at = row?.at;
  return at ? new Date(at) : null;
}
