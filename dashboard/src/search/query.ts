import { DossierId, describeIssues, LANGS, QueueTicket } from '@onestop/protocol';
import { validator } from 'hono/validator';
import { z } from 'zod';
import { badRequest } from '../errors/answer.js';
import { PageNumber } from '../pages/pager.js';

/**
 * What a leader types from a receipt: a dossier ID or a queue ticket, as the protocol writes them
 * (a ticket's characters are a subset of a dossier ID's), trimmed, at most 64 characters.
 */
export const SearchTerm = z
  .string()
  .trim()
  .min(1, 'type a dossier ID or a queue ticket')
  .max(64, 'at most 64 characters')
  .refine((s) => DossierId.safeParse(s).success || QueueTicket.safeParse(s).success, {
    message: 'a dossier ID or queue ticket is letters, digits and . _ / : - only',
  });

/** `q`, and one page number per list of results (ratings, visits, comments). */
export const SearchQuery = z.strictObject({
  q: SearchTerm,
  page: PageNumber,
  visitPage: PageNumber,
  commentPage: PageNumber,
  lang: z.enum(LANGS).optional(),
});
export type SearchQuery = z.output<typeof SearchQuery>;

/** 400 naming the field, as a page (the search box is on every leader's page). */
export const searchQuery = validator('query', (value, c) => {
  const r = SearchQuery.safeParse(value);
  if (!r.success) return badRequest(c, { error: 'invalid query', ...describeIssues(r.error) });
  return r.data;
});
