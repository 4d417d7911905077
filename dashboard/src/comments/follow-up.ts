import { describeIssues, LANGS, UnitId } from '@onestop/protocol';
import {
  commentIdOfReference,
  countComments,
  type Database,
  findUnit,
  followUpComment,
  recentComments,
} from '@onestop/store';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { type AuthEnv, canFollowUpComments } from '../auth/access.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { PageNumber, pager, pageWindow } from '../pages/pager.js';
import { commentList } from '../pages/unit.js';
import { query } from '../validate.js';

type Env = DashboardEnv;

const Params = z.strictObject({ unitId: UnitId, commentId: z.coerce.number().int().positive().optional() });
const ListQuery = z.strictObject({
  ref: z.string().trim().max(24).optional(),
  page: PageNumber,
  lang: z.enum(LANGS).optional(),
});
const FollowUp = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('handled') }),
  z.strictObject({
    status: z.literal('replied'),
    reply: z.string().trim().min(1, 'write what was answered').max(2000),
  }),
]);

/** How many comments one page of the unit's comment list holds (newest first). */
const PAGE_SIZE = 50;

/**
 * The unit's leaders follow citizens' comments up: the list with the citizen's contact, a search
 * by the reference the citizen was given, and marking a comment handled or replied (audited).
 */
export function commentFollowUpRoutes(db: Database) {
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const params = validator('param', (value, c) => {
    const p = Params.safeParse(value);
    if (!p.success) return badRequest(c, { error: 'invalid path', ...describeIssues(p.error) });
    if (!canFollowUpComments(c.get('staff'), p.data.unitId)) return forbidden(c, 'otherWard');
    return p.data;
  });

  app.get('/:unitId/comments', leaders, params, query(ListQuery), async (c) => {
    const { unitId } = c.req.valid('param');
    const { ref, page } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = await findUnit(db, unitId);
    if (!unit) return notFound(c, { error: 'unknown unit', unitId });
    // A reference that fails its check digit finds nothing rather than a neighbour's comment.
    const id = ref ? commentIdOfReference(ref) : null;
    const window = pageWindow(page, PAGE_SIZE);
    const [rows, total] = ref
      ? [id ? await recentComments(db, unitId, 1, [id]) : [], null]
      : await Promise.all([
          recentComments(db, unitId, window.limit, undefined, window.offset),
          countComments(db, unitId),
        ]);
    const pages =
      total === null
        ? ''
        : pager(t, {
            page,
            size: PAGE_SIZE,
            total,
            shown: rows.length,
            href: (n) => `/units/${unitId}/comments?page=${n}&lang=${lang}`,
            id: 'comment-pages',
          });
    const body = html`<h2>${t('comments')} <small class="muted">${unit.name}</small></h2>
<p><a href="/units/${unitId}">${t('unit')}: ${unit.name}</a></p>
${commentList(t, rows, { unitId, leader: true, reference: ref })}${pages}`;
    return c.html(layout({ lang, t, title: t('comments'), body, staff: c.get('staff') }));
  });

  app.post(
    '/:unitId/comments/:commentId/follow-up',
    leaders,
    bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.json({ error: 'form too large' }, 413) }),
    params,
    async (c) => {
      const { unitId, commentId } = c.req.valid('param');
      const form = FollowUp.safeParse(
        Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => v !== '')),
      );
      if (!form.success) return badRequest(c, { error: 'invalid follow-up', ...describeIssues(form.error) });
      const staff = c.get('staff')!;
      const done = await followUpComment(db, {
        unitId,
        commentId: commentId!,
        status: form.data.status,
        reply: form.data.status === 'replied' ? form.data.reply : null,
        username: staff.username,
        actor: `dashboard:${staff.username}`,
      });
      if (done === 'not-found') return notFound(c, { error: 'unknown comment' });
      if (done === 'not-allowed')
        return badRequest(c, {
          error: 'comment already followed up',
          field: 'status',
          reason: translator(c.get('lang'))('commentNotAllowed'),
        });
      return c.redirect(`/units/${unitId}/comments`, 303);
    },
  );

  return app;
}
