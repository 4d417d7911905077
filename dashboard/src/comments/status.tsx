import { type CommentStatus, commentStatusOf, type Database } from '@onestop/store';
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { throttleKey } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';
import { tooManyRequests } from '../errors/answer.js';
import { type Lang, type Translate, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { query } from '../validate.js';

const StatusQuery = z.strictObject({
  ref: z.string().trim().max(32).optional(),
  lang: z.enum(['vi', 'en']).optional(),
});

/** Look-ups per address and 10 minutes: a citizen checks a few times, a script walks them all. */
const LOOKUPS_PER_ADDRESS = 30;

/** The citizen's words for each follow-up stage: received, being handled, answered. */
const STAGE: Record<CommentStatus, 'commentStage_new' | 'commentStage_handled' | 'commentStage_replied'> = {
  new: 'commentStage_new',
  handled: 'commentStage_handled',
  replied: 'commentStage_replied',
};

const dateOf = (d: Date, lang: Lang) =>
  d.toLocaleDateString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh' });

const StatusPage: FC<{
  t: Translate;
  lang: Lang;
  asked: string | undefined;
  found: Awaited<ReturnType<typeof commentStatusOf>>;
}> = ({ t, lang, asked, found }) => (
  <>
    <h2>{t('commentStatusHeading')}</h2>
    {found && (
      <p class="lead" data-testid="comment-stage" data-stage={found.status}>
        {found.reference}: <b>{t(STAGE[found.status])}</b> · {t('commentStatusSent')}{' '}
        {dateOf(found.createdAt, lang)}
        {found.handledAt && ` · ${t('commentStatusMoved')} ${dateOf(found.handledAt, lang)}`}
      </p>
    )}
    {asked !== undefined && !found && (
      <p class="lead" data-testid="comment-stage-none">
        {t('commentStatusNone')}
      </p>
    )}
    <form method="get" action="/comment/status">
      <label>
        {t('commentFormReference')}
        <br />
        <input name="ref" value={asked ?? ''} required maxlength={32} class="big" placeholder="GY-000000-0" />
      </label>{' '}
      <button type="submit" class="big">
        {t('commentStatusLook')}
      </button>
    </form>
  </>
);

/**
 * `/comment/status`: where a citizen, with the reference the thanks page gave them, sees whether
 * their comment was received, is being handled or was answered.
 */
export function commentStatusRoutes(db: Database) {
  const app = new Hono<{ Variables: { lang: Lang } }>();
  const lookups = new AttemptWindow(LOOKUPS_PER_ADDRESS, 10 * 60_000);
  app.get('/', query(StatusQuery), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const { ref } = c.req.valid('query');
    let found: Awaited<ReturnType<typeof commentStatusOf>> = null;
    if (ref) {
      const address = throttleKey(c);
      const wait = lookups.retryAfter(address);
      if (wait > 0)
        return tooManyRequests(c, wait, { error: 'too many look-ups', reason: 'try again later' });
      lookups.record(address);
      found = await commentStatusOf(db, ref);
    }
    const body = <StatusPage t={t} lang={lang} asked={ref} found={found} />;
    return c.html(
      layout({ lang, t, title: t('commentStatusHeading'), body, staff: null, citizen: true }),
      ref && !found ? 404 : 200,
    );
  });
  return app;
}
