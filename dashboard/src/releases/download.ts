import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ReleaseVersion } from '@onestop/protocol';
import {
  type Database,
  findDeviceByUsername,
  generatePassword,
  getRelease,
  hashGeneratedSecret,
  isOfferedRelease,
  verifyDeviceSecret,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { clientAddress } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';

/** Every answer of the download route, counted (`onestop_release_downloads_total{result}`). */
export type DownloadResult =
  | 'full'
  | 'partial'
  | 'not_modified'
  | 'no_credentials'
  | 'auth_failed'
  | 'revoked'
  | 'throttled'
  | 'not_offered'
  | 'unknown_release'
  | 'bad_range'
  | 'missing_file';

export interface ReleaseDownloadOptions {
  db: Database;
  logger: Logger;
  registry: Registry;
  /** Failed logins allowed per username and address per `windowMs` (default 20 in 15 minutes). */
  maxFailures?: number;
  windowMs?: number;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`: one range, as a resuming board asks. Null: not one. */
export function parseRange(
  header: string,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * `GET /api/releases/:version/bundle`: a board downloads the release it is offered, with the MQTT
 * username and password it paired with as HTTP Basic credentials, checked like the broker checks
 * them (`verifyDeviceSecret`, revoked and draining boards refused), and only a release it stands offered now.
 * `Range` (one range; 206, or 416 past the end) lets it resume; the ETag is the bundle's SHA-256,
 * which the offer names too, so `If-Range` restarts a download whose bytes changed.
 */
export function releaseDownloadRoutes(o: ReleaseDownloadOptions) {
  const app = new Hono();
  const failures = new AttemptWindow(o.maxFailures ?? 20, o.windowMs ?? 15 * 60_000);
  const counted = downloadCounter(o.registry);
  // A board resuming makes several requests: a password verified once is not hashed again. The
  // MAC is keyed per process and over the stored hash, so a rotated password is checked anew.
  const macKey = randomBytes(32);
  const verified = new Map<string, Buffer>();
  // What a device provisioned now costs to check, so that timing tells no username apart.
  const dummy = hashGeneratedSecret(generatePassword());

  const refuse = (c: Context, result: DownloadResult, status: 401 | 403 | 404 | 429, message: string) => {
    counted.inc({ result });
    if (status === 401) c.header('www-authenticate', 'Basic realm="onestop releases", charset="UTF-8"');
    return c.json({ error: result, message }, status);
  };

  const checkPassword = async (password: string, stored: string): Promise<boolean> => {
    const mac = createHmac('sha256', macKey).update(stored).update('\0').update(password).digest();
    const known = verified.get(stored);
    if (known) return timingSafeEqual(known, mac);
    if (!(await verifyDeviceSecret(password, stored))) return false;
    if (verified.size > 50_000) verified.clear();
    verified.set(stored, mac);
    return true;
  };

  app.get('/:version/bundle', async (c) => {
    c.header('cache-control', 'private, no-store');
    const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const decoded = basic ? Buffer.from(basic, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon <= 0)
      return refuse(c, 'no_credentials', 401, "send the device's MQTT username and password (HTTP Basic)");
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    // Throttled per username AND address, failures only: boards of a site share one NAT address,
    // and one misconfigured board there must not lock the others out of their updates.
    const key = `${username}\0${clientAddress(c)}`;
    const wait = failures.retryAfter(key);
    if (wait > 0) {
      c.header('retry-after', String(Math.ceil(wait / 1000)));
      return refuse(c, 'throttled', 429, 'too many failed attempts for this device: wait and try again');
    }
    const device = await findDeviceByUsername(o.db, username);
    if (!device) {
      // The same work as for a real device: timing tells no username apart.
      await verifyDeviceSecret(password, dummy);
      failures.record(key);
      return refuse(c, 'auth_failed', 401, 'wrong username or password');
    }
    if (!(await checkPassword(password, device.passwordHash))) {
      failures.record(key);
      return refuse(c, 'auth_failed', 401, 'wrong username or password');
    }
    if (device.revokedAt || device.replacedBy)
      return refuse(c, 'revoked', 403, 'this device is revoked or replaced: it is offered no release');
    const version = c.req.param('version');
    // Offered first: a board learns of no release beyond its own offer (not even that one exists).
    if (!(await isOfferedRelease(o.db, device.deviceId, version)))
      return refuse(c, 'not_offered', 403, 'this device is not offered this release now');
    const release = ReleaseVersion.safeParse(version).success ? await getRelease(o.db, version) : null;
    if (!release) return refuse(c, 'unknown_release', 404, 'no such release');
    const info = await stat(release.path).catch(() => null);
    if (!info || info.size !== release.size) {
      counted.inc({ result: 'missing_file' });
      o.logger.error(
        { version, path: release.path },
        'a published release bundle is missing or changed on disk',
      );
      return c.json(
        { error: 'missing_file', message: 'the release file is not available: tell the centre' },
        503,
      );
    }
    return serveFile(c, release, counted);
  });
  return app;
}

function serveFile(
  c: Context,
  release: { path: string; size: number; sha256: string; version: string },
  counted: Counter<'result'>,
) {
  const etag = `"${release.sha256}"`;
  const size = release.size;
  const headers: Record<string, string> = {
    etag,
    'accept-ranges': 'bytes',
    'content-type': 'application/gzip',
    'content-disposition': `attachment; filename="onestop-${release.version}.tar.gz"`,
  };
  if (c.req.header('if-none-match') === etag) {
    counted.inc({ result: 'not_modified' });
    return c.body(null, 304, headers);
  }
  const rangeHeader = c.req.header('range');
  const ifRange = c.req.header('if-range');
  // A resumption is honoured only for the very bytes it began with.
  const range = rangeHeader && (!ifRange || ifRange === etag) ? parseRange(rangeHeader, size) : null;
  if (range === 'unsatisfiable') {
    counted.inc({ result: 'bad_range' });
    return c.body(null, 416, { ...headers, 'content-range': `bytes */${size}` });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const answer = {
    ...headers,
    'content-length': String(end - start + 1),
    ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}),
  };
  // Hono answers HEAD with this GET route and drops the body unread: a file stream opened for it
  // would hold its descriptor for good once the bundle is larger than the stream's buffer.
  if (c.req.method === 'HEAD') return c.body(null, range ? 206 : 200, answer);
  const stream = Readable.toWeb(createReadStream(release.path, { start, end })) as ReadableStream<Uint8Array>;
  counted.inc({ result: range ? 'partial' : 'full' });
  return c.body(stream, range ? 206 : 200, answer);
}

function downloadCounter(registry: Registry): Counter<'result'> {
  const name = 'onestop_release_downloads_total';
  return (
    (registry.getSingleMetric(name) as Counter<'result'> | undefined) ??
    new Counter({
      name,
      help: 'Release bundle downloads by result: full, partial, not_modified, or why refused (no_credentials, auth_failed, revoked, throttled, not_offered, unknown_release, bad_range, missing_file)',
      labelNames: ['result'],
      registers: [registry],
    })
  );
}
