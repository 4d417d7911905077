import type { MiddlewareHandler } from 'hono';

/**
 * CSRF hardening for the kiosk's POST routes. The kiosk listens on a local port, so any web page
 * open in any browser on the counter PC (or, if bound wider, on the LAN) could otherwise post
 * ratings with a plain HTML form. Forms cannot send `application/json`, and browsers always send
 * `Origin` on cross-origin POSTs, so requiring the one and matching the other shuts that door
 * while leaving non-browser clients (curl, tests), which send no `Origin`, working.
 */
export function sameOriginJson(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      const own = new URL(c.req.url).origin;
      if (origin !== own)
        return c.json(
          { ok: false, reason: `cross-origin request refused: Origin ${origin} is not ${own}` },
          403,
        );
    }
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json')
      return c.json(
        { ok: false, reason: `Content-Type must be application/json, got ${type || 'none'}`, field: null },
        415,
      );
    await next();
  };
}

/**
 * DNS-rebinding guard: a hostile page whose name re-resolves to 127.0.0.1 is "same-origin" with
 * itself, so the Origin check alone does not catch it; its `Host` header still carries the hostile
 * name. `hosts` lists the names this kiosk answers to (without port); null disables the check, for
 * a kiosk bound to every interface whose names cannot be known.
 */
export function knownHost(hosts: readonly string[] | null): MiddlewareHandler {
  const allowed = new Set(hosts?.map((h) => h.toLowerCase()));
  return async (c, next) => {
    if (hosts !== null) {
      const host = new URL(c.req.url).hostname.toLowerCase();
      if (!allowed.has(host)) return c.json({ ok: false, reason: `host ${host} is not this kiosk` }, 403);
    }
    await next();
  };
}

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

/** The names a kiosk bound to `bindHost` can be reached by; null when bound to every interface. */
export function kioskHosts(bindHost: string): string[] | null {
  if (bindHost === '0.0.0.0' || bindHost === '::') return null;
  const loopback = bindHost === 'localhost' || bindHost === '::1' || bindHost.startsWith('127.');
  const own = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  return loopback ? [...new Set([...LOOPBACK, own])] : [own];
}
