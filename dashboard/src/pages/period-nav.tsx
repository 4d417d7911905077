import {
  CALENDAR_PERIOD_KINDS,
  hasPreviousPeriod,
  nextPeriod,
  periodContaining,
  periodLabel,
  previousPeriod,
  type ReportPeriod,
} from '@onestop/evaluation';
import type { FC } from 'hono/jsx';
import type { Lang, Translate } from '../i18n.js';
import { periodSearch } from '../period.js';

/**
 * The period bar of every report: what the page covers (name and dates), what it is compared with,
 * arrows to the periods before and after, the calendar periods around the shown date, and a form
 * for any from–to. Links are relative (`?…`), so the same bar serves every report page; `keep` is
 * the page's own query (e.g. a list's filter), kept by every link and the form.
 */
type Props = {
  lang: Lang;
  t: Translate;
  period: ReportPeriod;
  /** Today's date (YYYY-MM-DD, Vietnam): no link leads past it. */
  today: string;
  /** The page's own query (e.g. a list's filter), kept by every link and the form. */
  keep?: string | undefined;
};

export const PeriodNav: FC<Props> = ({ lang, t, period: p, today, keep = '' }) => {
  const kept = keep ? `${keep}&` : '';
  // The date the calendar links are built around: today when shown, else the nearest shown day.
  const anchor = today < p.from ? p.from : today > p.to ? p.to : today;
  const previous = previousPeriod(p);
  // A period ending today or later has no next one to show (and past 9999 none exists).
  const next = p.to < today ? nextPeriod(p) : null;
  const Link: FC<{ q: ReportPeriod; text: string; rel?: string }> = ({ q, text, rel }) => (
    <a href={`?${kept}${periodSearch(q)}`} title={periodLabel(q, lang)} rel={rel}>
      {text}
    </a>
  );
  const kinds = CALENDAR_PERIOD_KINDS.map((kind) => {
    const q = periodContaining(kind, anchor);
    const text = t(`period_${kind}`);
    if (q.kind === p.kind && q.from === p.from)
      return (
        <>
          <b>{text}</b>{' '}
        </>
      );
    // Around 1970 a calendar period may start in 1969 or have none before it: not reportable.
    return hasPreviousPeriod(q) ? (
      <>
        <Link q={q} text={text} />{' '}
      </>
    ) : (
      <>{text} </>
    );
  });
  return (
    <>
      <nav class="period" aria-label={t('period')}>
        {hasPreviousPeriod(previous) ? (
          <Link q={previous} text={`« ${t('previousPeriod')}`} rel="prev" />
        ) : (
          ''
        )}{' '}
        {kinds}
        {next && next.from <= today ? <Link q={next} text={`${t('nextPeriod')} »`} rel="next" /> : ''}{' '}
        <a href={`?${keep}`}>{t('today')}</a>{' '}
        <form method="get" class="period-range">
          {[...new URLSearchParams(keep)].map(([k, v]) => (
            <input type="hidden" name={k} value={v} />
          ))}
          <label>
            {t('fromDate')} <input type="date" name="from" value={p.from} required />
          </label>{' '}
          <label>
            {t('toDate')} <input type="date" name="to" value={p.to} required />
          </label>{' '}
          <button type="submit">{t('show')}</button>
        </form>
      </nav>
      <p class="period-label" data-testid="period" data-kind={p.kind} data-from={p.from} data-to={p.to}>
        <b>{periodLabel(p, lang)}</b>{' '}
        <small class="muted">· {`${t('comparedWith')} ${periodLabel(previous, lang)}`}</small>
      </p>
    </>
  );
};
