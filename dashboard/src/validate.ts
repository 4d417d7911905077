import { describeIssues } from '@onestop/protocol';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest } from './errors/answer.js';

/** Path parameters: 400 naming the parameter (a page on pages, JSON on /api). */
export function params<S extends z.ZodType>(schema: S) {
  return validator('param', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) return badRequest(c, { error: 'invalid path', ...describeIssues(r.error) });
    return r.data as z.infer<S>;
  });
}

/**
 * A posted form (urlencoded or multipart): 400 naming the field. A blank field is an absent one
 * (browsers send every input, filled or not), so optional fields stay optional.
 */
export function form<S extends z.ZodType>(schema: S, error = 'invalid form') {
  return validator('form', (value, c) => {
    const r = schema.safeParse(Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '')));
    if (!r.success) return badRequest(c, { error, ...describeIssues(r.error) });
    return r.data as z.infer<S>;
  });
}

/** Query validation at the edge of every route: 400 with the field and the reason (a page on pages). */
export function query<S extends z.ZodType>(schema: S) {
  return validator('query', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) return badRequest(c, { error: 'invalid query', ...describeIssues(r.error) });
    return r.data as z.infer<S>;
  });
}
