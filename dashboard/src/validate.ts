import { describeIssues } from '@onestop/protocol';
import { validator } from 'hono/validator';
import type { z } from 'zod';
import { badRequest } from './errors/answer.js';

/** Query validation at the edge of every route: 400 with the field and the reason (a page on pages). */
export function query<S extends z.ZodType>(schema: S) {
  return validator('query', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) return badRequest(c, { error: 'invalid query', ...describeIssues(r.error) });
    return r.data as z.infer<S>;
  });
}
