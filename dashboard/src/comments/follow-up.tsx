import { LANGS, UnitId } from '@onestop/protocol';
import {
  commentIdOfReference,
  countComments,
  type Database,
  followUpComment,
  recentComments,
} from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { badRequest, formLimit, notFound } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { PageNumber, pager, pageWindow } from '../pages/pager.js';
import { CommentList } from '../pages/unit.js';
import { form, params as paramsOf, query } from '../validate.js';

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
  const scoped = unitScope(db);
  const params = paramsOf(Params);

  app.get('/:unitId/comments', leaders, scoped, params, query(ListQuery), async (c) => {
    const { unitId } = c.req.valid('param');
    const { ref, page } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = c.var.unit;
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
    const body = (
      <>
        <h2>
          {t('comments')} <small class="muted">{unit.name}</small>
        </h2>
        <p>
          <a href={`/units/${unitId}`}>
            {t('unit')}: {unit.name}
          </a>
        </p>
        <CommentList t={t} rows={rows} unitId={unitId} leader reference={ref} />
        {pages}
      </>
    );
    return c.html(layout({ lang, t, title: t('comments'), body, staff: c.get('staff') }));
  });

  const limit = formLimit(8 * 1024);
  const followUpForm = form(FollowUp, 'invalid follow-up');
  app.post(
    '/:unitId/comments/:commentId/follow-up',
    leaders,
    limit,
    scoped,
    params,
    followUpForm,
    async (c) => {
      const { unitId, commentId } = c.req.valid('param');
      const followUp = c.req.valid('form');
      const staff = c.get('staff')!;
      const done = await followUpComment(db, {
        unitId,
        commentId: commentId!,
        status: followUp.status,
        reply: followUp.status === 'replied' ? followUp.reply : null,
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
