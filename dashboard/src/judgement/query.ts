import { CounterId, describeIssues } from '@onestop/protocol';
import { UNCOUNTED_KINDS } from '@onestop/store';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { badRequest } from '../errors/answer.js';
import { PageNumber } from '../pages/pager.js';
import { ReportQuery } from '../period.js';

/** Ratings per page by default, and at most (`limit`): a page a leader reads, bounded. */
export const DEFAULT_UNCOUNTED_LIMIT = 200;
export const MAX_UNCOUNTED_LIMIT = 1000;

const UncountedFilterQuery = z.strictObject({
  counter: CounterId.optional(),
  kind: z.enum(UNCOUNTED_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_UNCOUNTED_LIMIT).default(DEFAULT_UNCOUNTED_LIMIT),
  page: PageNumber,
});

/**
 * The query of the uncounted list (page and JSON): `counter`, `kind`, `limit` (page size), `page`, and the period
 * asked as every report asks it (`ReportQuery`). 400 naming the field otherwise.
 */
export const uncountedQuery = validator('query', (value, c) => {
  const { counter, kind, limit, page, ...period } = value;
  const f = UncountedFilterQuery.safeParse({ counter, kind, limit, page });
  if (!f.success) return badRequest(c, { error: 'invalid query', ...describeIssues(f.error) });
  const p = ReportQuery.safeParse(period);
  if (!p.success) return badRequest(c, { error: 'invalid query', ...describeIssues(p.error) });
  return { ...f.data, ...p.data };
});
