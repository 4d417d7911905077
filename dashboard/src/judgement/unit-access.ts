import { UnitId } from '@onestop/protocol';
import { type Database, findUnit } from '@onestop/store';
import type { Context } from 'hono';
import type { DashboardEnv as Env } from '../access/env.js';
import type { AuthEnv } from '../auth/access.js';
import { canSeeUnit } from '../auth/access.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import type { Lang } from '../i18n.js';

export type { Env };

/**
 * The unit of `:unitId` if the leader asking may see it (`canSeeUnit`, as on every unit page),
 * else the answer to send instead: 400, 403 (another ward's unit), 404 (pages for pages).
 */
export async function visibleUnit(db: Database, c: Context<Env>) {
  const id = UnitId.safeParse(c.req.param('unitId'));
  if (!id.success) return { refusal: badRequest(c, { error: 'invalid unitId' }) };
  if (!canSeeUnit(c.get('staff'), id.data)) return { refusal: forbidden(c, 'otherWard') };
  const unit = await findUnit(db, id.data);
  if (unit) return { unit };
  return { refusal: notFound(c, { error: 'unknown unit', unitId: id.data }) };
}
