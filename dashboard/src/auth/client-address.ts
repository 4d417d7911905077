import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import proxyaddr from 'proxy-addr';

/** Addresses worked out by `resolveClientAddress`, per request. */
const resolved = new WeakMap<Request, string>();

/**
 * Reads a list of trusted reverse proxies (`ONESTOP_TRUSTED_PROXIES`): comma-separated IPs and
 * CIDR ranges, or proxy-addr's names `loopback`, `linklocal`, `uniquelocal`. An entry that is
 * none of these throws, naming it, so that a typo fails at start-up instead of trusting nothing.
 */
export function parseTrustedProxies(list: string | undefined): string[] {
  const entries = (list ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const e of entries) {
    try {
      proxyaddr.compile(e);
    } catch (err) {
      throw new Error(
        `ONESTOP_TRUSTED_PROXIES: '${e}' is not an IP address or range (${(err as Error).message})`,
      );
    }
  }
  return entries;
}

/**
 * Works out each request's client address for throttling. `X-Forwarded-For` is honoured only
 * when the direct peer is one of the `trusted` proxies (and then only back to the first hop that
 * is not one): anyone can set the header, and trusting it from anywhere would let one client pose
 * as many. Behind a proxy that is not listed every user shares the proxy's address.
 */
export function resolveClientAddress(trusted: readonly string[]): MiddlewareHandler {
  const trust = proxyaddr.compile([...trusted]);
  return async (c, next) => {
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (incoming?.socket) resolved.set(c.req.raw, proxyaddr(incoming, trust));
    await next();
  };
}

/**
 * The client's address as `resolveClientAddress` found it, else the direct peer's. `app.request()`
 * in tests has no socket, hence the fallback.
 */
export function clientAddress(c: Context): string {
  const known = resolved.get(c.req.raw);
  if (known) return known;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'local';
  }
}

/**
 * The key a client is throttled under: its IPv4 address, or the /64 network of its IPv6 address.
 * One IPv6 subscriber holds a whole /64 (2^64 addresses), so keying by the full address would give
 * a script a fresh allowance with every request.
 */
export function throttleKey(c: Context): string {
  return throttleKeyOf(clientAddress(c));
}

export function throttleKeyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
