import type { IncomingMessage } from 'node:http';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
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
  // 'unknown' / 'local' (no socket) and anything else that is not an address stay as they are.
  if (!ipaddr.isValid(address)) return address;
  // `process` turns an IPv4-mapped IPv6 address (`::ffff:203.0.113.9`) into the IPv4 one.
  const ip = ipaddr.process(address);
  if (ip.kind() === 'ipv4') return ip.toString();
  return `${ipaddr.IPv6.networkAddressFromCIDR(`${ip.toString()}/64`).toString()}/64`;
}
