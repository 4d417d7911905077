import type { MiddlewareHandler } from 'hono';

/**
 * HEAD answered without running a body. Hono answers HEAD with the GET route and then drops the
 * body unread and uncancelled, so whatever the body holds stays held: a live stream's
 * subscription (fed for good, growing its queue per rating), an export's slot, a file's
 * descriptor. Cancelling the body here ends each of them the way a client hanging up does, once
 * for every route, present and future.
 */
export function headWithoutBody(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.req.method !== 'HEAD' || !c.res.body) return;
    await c.res.body.cancel().catch(() => {});
    c.res = new Response(null, c.res);
  };
}
