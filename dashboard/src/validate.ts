import { describeIssues } from '@onestop/protocol';
import { validator } from 'hono/validator';
import type { z } from 'zod';

/** Query validation at the edge of every route: 400 with the field and the reason. */
export function query<S extends z.ZodType>(schema: S) {
  return validator('query', (value, c) => {
    const r = schema.safeParse(value);
    if (!r.success) return c.json({ error: 'invalid query', ...describeIssues(r.error) }, 400);
    return r.data as z.infer<S>;
  });
}
