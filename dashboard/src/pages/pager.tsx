import { describeIssues } from '@onestop/protocol';
import type { html } from 'hono/html';
import type { FC } from 'hono/jsx';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { badRequest } from '../errors/answer.js';
import { fill, type Translate } from '../i18n.js';
import { ReportQuery } from '../period.js';

/**
 * Long lists come in pages that say how much they show ("showing 51–100 of 234"), never stopping
 * silently. `page` counts from 1; the bound keeps an offset from asking the database to skip
 * millions of rows.
 */
export const PageNumber = z.coerce.number().int().min(1).max(10_000).default(1);

export function pageWindow(page: number, size: number): { limit: number; offset: number } {
  return { limit: size, offset: (page - 1) * size };
}

/** A list's paging: which page, its size, how many in all and on this page, and page links. */
export interface PagerProps {
  t: Translate;
  page: number;
  size: number;
  total: number;
  shown: number;
  /** A page's link (keeping the period and filters). */
  href: (page: number) => string;
  /** Which list it pages, when a page has several (`data-list`). */
  id?: string | undefined;
}

/**
 * "Showing X–Y of Z" with links to the previous and next pages. Nothing for an empty list: the
 * list says so itself.
 */
export const Pager: FC<PagerProps> = (p) => {
  if (p.total === 0) return null;
  const { t } = p;
  const from = (p.page - 1) * p.size + 1;
  const text =
    p.shown === 0
      ? fill(t('pageBeyond'), { total: p.total })
      : fill(t('shownOf'), { from, to: from + p.shown - 1, total: p.total });
  const last = Math.max(1, Math.ceil(p.total / p.size));
  return (
    <p class="note pager" data-testid="pager" data-list={p.id}>
      {text}
      {p.page > 1 ? (
        <>
          {' · '}
          <a href={p.href(Math.min(p.page - 1, last))} rel="prev">
            {t('pagePrevious')}
          </a>
        </>
      ) : (
        ''
      )}
      {p.page < last ? (
        <>
          {' · '}
          <a href={p.href(p.page + 1)} rel="next">
            {t('pageNext')}
          </a>
        </>
      ) : (
        ''
      )}
    </p>
  );
};

export type PagerHtml = ReturnType<typeof html> | '';

/** `Pager` for lists still built from `html` templates. */
export function pager(t: Translate, p: Omit<PagerProps, 't'>): PagerHtml {
  return p.total === 0 ? '' : <Pager t={t} {...p} />;
}

/**
 * A report's period query (`ReportQuery`) with one `page` number beside it: 400 naming the field
 * when either is wrong.
 */
export const pagedReportQuery = validator('query', (value, c) => {
  const { page, ...period } = value;
  const pg = PageNumber.safeParse(page);
  if (!pg.success)
    return badRequest(c, { error: 'invalid query', ...describeIssues(pg.error), field: 'page' });
  const p = ReportQuery.safeParse(period);
  if (!p.success) return badRequest(c, { error: 'invalid query', ...describeIssues(p.error) });
  return { ...p.data, page: pg.data };
});
