import { desc, eq } from 'drizzle-orm';
import type { Executor } from './db.js';
import { auditLog } from './schema.js';

export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  details: unknown;
}

/** Admin actions, newest first: who provisioned, revoked, changed settings, rosters, accounts. */
export async function recentAudit(db: Executor, limit = 200, action?: string): Promise<AuditEntry[]> {
  return db
    .select()
    .from(auditLog)
    .where(action ? eq(auditLog.action, action) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(limit);
}
