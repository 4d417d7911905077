import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/**
 * The peer's address for throttling. Forwarded headers are ignored on purpose: anyone can set
 * them, and trusting them would let one client pose as many. `app.request()` in tests has no
 * socket, hence the fallback.
 */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}
