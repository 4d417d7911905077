import { LANGS, UnitId } from '@onestop/protocol';
import {
  COMMENT_STATUSES,
  type CommentStatus,
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
import { canSeeCitizenContact } from '../auth/access.js';
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
  state: z.enum(COMMENT_STATUSES).optional(),
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
    const { ref, page, state } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = c.var.unit;
    // A reference that fails its check digit finds nothing rather than a neighbour's comment.
    const id = ref ? commentIdOfReference(ref) : null;
    const window = pageWindow(page, PAGE_SIZE);
    const [rows, total] = ref
      ? [id ? await recentComments(db, unitId, { limit: 1, ids: [id] }) : [], null]
      : await Promise.all([
          recentComments(db, unitId, { limit: window.limit, offset: window.offset, status: state }),
          countComments(db, unitId, { status: state }),
        ]);
    const listHref = (s: CommentStatus | undefined) =>
      `/units/${unitId}/comments?${new URLSearchParams({ ...(s ? { state: s } : {}), lang })}`;
    const pages =
      total === null
        ? ''
        : pager(t, {
            page,
            size: PAGE_SIZE,
            total,
            shown: rows.length,
            href: (n) => `${listHref(state)}&page=${n}`,
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
        <nav class="filters" aria-label={t('commentStateFilter')} data-testid="comment-state-filter">
          {[undefined, ...COMMENT_STATUSES].map((s) => (
            <a href={listHref(s)} aria-current={s === state && !ref ? 'page' : undefined}>
              {s ? t(`commentStatus_${s}`) : t('allComments')}
            </a>
          ))}
        </nav>
        <CommentList
          t={t}
          rows={rows}
          unitId={unitId}
          leader
          contact={canSeeCitizenContact(c.get('staff'), unitId)}
          reference={ref}
        />
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
