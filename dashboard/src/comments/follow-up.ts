import { describeIssues, UnitId } from '@onestop/protocol';
import {
  commentIdOfReference,
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
import { type AuthEnv, canFollowUpComments, requireRole } from '../auth/access.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { commentList } from '../pages/unit.js';
import { query } from '../validate.js';

type Env = { Variables: AuthEnv['Variables'] & { lang: Lang } };

const Params = z.strictObject({ unitId: UnitId, commentId: z.coerce.number().int().positive().optional() });
const ListQuery = z.strictObject({
  ref: z.string().trim().max(24).optional(),
  lang: z.enum(['vi', 'en']).optional(),
});
const FollowUp = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('handled') }),
  z.strictObject({
    status: z.literal('replied'),
    reply: z.string().trim().min(1, 'write what was answered').max(2000),
  }),
]);

/** How many comments the unit's comment page lists (newest first). */
const LIST_LIMIT = 100;

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
    const { ref } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = await findUnit(db, unitId);
    if (!unit) return notFound(c, { error: 'unknown unit', unitId });
    // A reference that fails its check digit finds nothing rather than a neighbour's comment.
    const id = ref ? commentIdOfReference(ref) : null;
    const rows = ref
      ? id
        ? await recentComments(db, unitId, 1, [id])
        : []
      : await recentComments(db, unitId, LIST_LIMIT);
    const body = html`<h2>${t('comments')} <small class="muted">${unit.name}</small></h2>
<p><a href="/units/${unitId}">${t('unit')}: ${unit.name}</a></p>
${commentList(t, rows, { unitId, leader: true, reference: ref })}`;
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
