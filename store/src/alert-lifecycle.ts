import { and, desc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { OpenAlert } from './alerts.js';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { inTransaction } from './notify.js';
import { alertHistory, alerts, auditLog, staffAccounts } from './schema.js';

/**
 * The life of an alert, as ThingsBoard's alarms: open → acknowledged (a technician has seen it,
 * with a comment) → cleared, by hand with a comment or on its own when the device recovers (the
 * broker's resolve). Acknowledging is optional, an assignee (a technician account) can be set at
 * any time while it is not cleared, and every step is in its history and the audit log.
 */
export const ALERT_STATUSES = ['open', 'acknowledged', 'cleared'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** A comment long enough to say what was done, short enough to stay a comment. */
export const ALERT_COMMENT_MAX = 1_000;

/** An alert with where it stands in its lifecycle. */
export interface AlertRow extends OpenAlert {
  status: AlertStatus;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  assignee: string | null;
  clearedAt: Date | null;
  /** Null when it cleared on its own (the device recovered, or was revoked). */
  clearedBy: string | null;
}

export interface AlertStep {
  at: Date;
  actor: string;
  action: string;
  comment: string | null;
}

const statusOf = (r: { resolvedAt: Date | null; acknowledgedAt: Date | null }): AlertStatus =>
  r.resolvedAt ? 'cleared' : r.acknowledgedAt ? 'acknowledged' : 'open';

const columns = {
  id: alerts.id,
  unitId: alerts.unitId,
  deviceId: alerts.deviceId,
  kind: alerts.kind,
  message: alerts.message,
  createdAt: alerts.createdAt,
  resolvedAt: alerts.resolvedAt,
  acknowledgedAt: alerts.acknowledgedAt,
  acknowledgedBy: alerts.acknowledgedBy,
  assignee: alerts.assignee,
  clearedBy: alerts.clearedBy,
};

function toRow(r: { resolvedAt: Date | null; acknowledgedAt: Date | null; [k: string]: unknown }): AlertRow {
  const { resolvedAt, ...rest } = r;
  return { ...(rest as Omit<AlertRow, 'status' | 'clearedAt'>), clearedAt: resolvedAt, status: statusOf(r) };
}

export interface AlertFilter {
  /** One ward's alerts only (a ward leader's scope); null: all. */
  unitId: string | null;
  status?: AlertStatus | 'active' | undefined;
  kind?: string | undefined;
  limit?: number;
}

/** Alerts newest first, filtered; `active` is open and acknowledged together (not cleared). */
export async function listAlerts(db: Executor, f: AlertFilter): Promise<AlertRow[]> {
  const where: Array<SQL | undefined> = [
    f.unitId ? eq(alerts.unitId, f.unitId) : undefined,
    f.kind ? eq(alerts.kind, f.kind) : undefined,
  ];
  if (f.status === 'cleared') where.push(isNotNull(alerts.resolvedAt));
  if (f.status === 'active') where.push(isNull(alerts.resolvedAt));
  if (f.status === 'open') where.push(isNull(alerts.resolvedAt), isNull(alerts.acknowledgedAt));
  if (f.status === 'acknowledged') where.push(isNull(alerts.resolvedAt), isNotNull(alerts.acknowledgedAt));
  const rows = await db
    .select(columns)
    .from(alerts)
    .where(and(...where))
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(f.limit ?? 200);
  return rows.map(toRow);
}

export async function getAlert(db: Executor, id: number): Promise<AlertRow | null> {
  const [row] = await db.select(columns).from(alerts).where(eq(alerts.id, id)).limit(1);
  return row ? toRow(row) : null;
}

/** Who did what to the alert, oldest first. */
export async function alertSteps(db: Executor, alertId: number): Promise<AlertStep[]> {
  return db
    .select({
      at: alertHistory.at,
      actor: alertHistory.actor,
      action: alertHistory.action,
      comment: alertHistory.comment,
    })
    .from(alertHistory)
    .where(eq(alertHistory.alertId, alertId))
    .orderBy(alertHistory.at, alertHistory.id);
}

/** Active technician accounts: whom an alert can be assigned to. */
export async function technicians(db: Executor): Promise<Array<{ username: string; displayName: string }>> {
  return db
    .select({ username: staffAccounts.username, displayName: staffAccounts.displayName })
    .from(staffAccounts)
    .where(and(eq(staffAccounts.role, 'technician'), isNull(staffAccounts.disabledAt)))
    .orderBy(staffAccounts.username);
}

function commentOf(comment: string | undefined, required: boolean): string | null {
  const c = comment?.trim() ?? '';
  if (required && c === '') throw new StoreInputError('comment: say what was seen or done');
  if (c.length > ALERT_COMMENT_MAX)
    throw new StoreInputError(`comment: at most ${ALERT_COMMENT_MAX} characters`);
  return c === '' ? null : c;
}

type Step = { alertId: number; actor: string; comment?: string };

/**
 * Applies one person's step to an alert that is not cleared, in one transaction with its history
 * and audit entries. The update's own condition decides (no read-then-write race with the broker
 * clearing it meanwhile): a cleared or missing alert is refused in words.
 */
async function step(
  db: Executor,
  s: Step,
  action: 'acknowledged' | 'assigned' | 'commented' | 'cleared',
  set: PgUpdateSetSource<typeof alerts>,
  extra: SQL | undefined,
  comment: string | null,
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const changed = await tx
      .update(alerts)
      .set(set)
      .where(and(eq(alerts.id, s.alertId), isNull(alerts.resolvedAt), extra))
      .returning({ id: alerts.id, unitId: alerts.unitId });
    if (changed.length === 0) {
      const current = await getAlert(tx, s.alertId);
      if (!current) throw new StoreInputError(`no alert ${s.alertId}`);
      throw new StoreInputError(`alert ${s.alertId} is ${current.status}`);
    }
    // A hand clear's history is written by the table's trigger (it carries the comment).
    if (action !== 'cleared')
      await tx.insert(alertHistory).values({ alertId: s.alertId, actor: s.actor, action, comment });
    await tx.insert(auditLog).values({
      actor: s.actor,
      action: `alert.${action}`,
      target: `alert:${s.alertId}`,
      details: { unitId: changed[0]!.unitId, comment },
    });
  });
}

/** A technician has seen the alert and says so (a comment is required: what they will do). */
export async function acknowledgeAlert(db: Executor, s: Step): Promise<void> {
  const comment = commentOf(s.comment, true);
  await step(
    db,
    s,
    'acknowledged',
    { acknowledgedAt: sql`now()`, acknowledgedBy: s.actor },
    isNull(alerts.acknowledgedAt),
    comment,
  );
}

/** Cleared by hand, saying why; a condition that persists opens a fresh alert on its next report. */
export async function clearAlert(db: Executor, s: Step): Promise<void> {
  const comment = commentOf(s.comment, true);
  await step(
    db,
    s,
    'cleared',
    { resolvedAt: sql`now()`, clearedBy: s.actor, clearComment: comment },
    undefined,
    comment,
  );
}

/** A note on an alert that is not cleared. */
export async function commentAlert(db: Executor, s: Step): Promise<void> {
  // Nothing of the alert itself changes; touching it (kind = kind) still signals the page.
  await step(db, s, 'commented', { kind: sql`${alerts.kind}` }, undefined, commentOf(s.comment, true));
}

/** Assigns the alert to an active technician account, or to nobody (`assignee` null). */
export async function assignAlert(db: Executor, s: Step & { assignee: string | null }): Promise<void> {
  if (s.assignee !== null && !(await technicians(db)).some((t) => t.username === s.assignee))
    throw new StoreInputError(`assignee: '${s.assignee}' is not an active technician account`);
  await step(
    db,
    s,
    'assigned',
    { assignee: s.assignee },
    undefined,
    s.assignee ?? commentOf(s.comment, false),
  );
}
