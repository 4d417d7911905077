import { UnitId } from '@onestop/protocol';
import { type Database, findUnit } from '@onestop/store';
import type { Context } from 'hono';
import { html } from 'hono/html';
import { type AuthEnv, canSeeUnit } from '../auth/access.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';

export type Env = { Variables: AuthEnv['Variables'] & { lang: Lang } };

/**
 * The unit of `:unitId` if the leader asking may see it (`canSeeUnit`, as on every unit page),
 * else the answer to send instead: 400, 403 (another ward's unit), 404 (a page for pages).
 */
export async function visibleUnit(db: Database, c: Context<Env>) {
  const id = UnitId.safeParse(c.req.param('unitId'));
  if (!id.success) return { refusal: c.json({ error: 'invalid unitId' }, 400) };
  if (!canSeeUnit(c.get('staff'), id.data))
    return { refusal: c.json({ error: 'forbidden', reason: 'this unit belongs to another ward' }, 403) };
  const unit = await findUnit(db, id.data);
  if (unit) return { unit };
  if (c.req.path.startsWith('/api/'))
    return { refusal: c.json({ error: 'unknown unit', unitId: id.data }, 404) };
  const lang = c.get('lang');
  const t = translator(lang);
  const body = html`<p class="bad">404: ${id.data}</p>`;
  return { refusal: c.html(layout({ lang, t, title: id.data, body, staff: c.get('staff') }), 404) };
}
