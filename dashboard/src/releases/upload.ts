import { Readable } from 'node:stream';
import type { Database } from '@onestop/store';
import { Hono } from 'hono';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { MAX_BUNDLE_BYTES, type PublishRefusal, publishReleaseStream } from './publish.js';

export interface ReleaseUploadOptions {
  db: Database;
  logger: Logger;
  registry: Registry;
  /** Where bundles are kept (`<data>/releases`); without it, uploads answer 503. */
  releasesDir: string | undefined;
  maxBytes?: number;
}

const STATUS: Record<PublishRefusal, 400 | 409 | 413 | 422> = {
  no_trusted_key: 422,
  invalid: 422,
  duplicate: 409,
  too_large: 413,
  empty: 400,
};

/**
 * `POST /api/releases`, the bundle as the raw body (`application/octet-stream`): technicians and
 * the city, by API token or signed in. Streamed to a temporary file, never held in memory, cut off
 * past the size limit, and verified against the trusted release keys before anything is stored.
 * Every answer counted (`onestop_release_uploads_total{result}`).
 */
export function releaseUploadRoutes(o: ReleaseUploadOptions) {
  const app = new Hono<DashboardEnv>();
  const counted = uploadCounter(o.registry);
  const max = o.maxBytes ?? MAX_BUNDLE_BYTES;

  app.post('/', requireRole('city', 'technician'), async (c) => {
    if (!o.releasesDir) {
      counted.inc({ result: 'not_configured' });
      return c.json(
        { error: 'not_configured', message: 'this server keeps no releases (no data folder)' },
        503,
      );
    }
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    if (declared > max) {
      counted.inc({ result: 'too_large' });
      return c.json({ error: 'too_large', message: `a release bundle may be at most ${max} bytes` }, 413);
    }
    const body = c.req.raw.body;
    if (!body || declared === 0) {
      counted.inc({ result: 'empty' });
      return c.json({ error: 'empty', message: 'send the bundle file as the request body' }, 400);
    }
    const actor = `dashboard:${c.get('staff')?.username}`;
    const outcome = await publishReleaseStream(
      o.db,
      Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>),
      { releasesDir: o.releasesDir, actor, maxBytes: max },
    );
    if (!outcome.ok) {
      counted.inc({ result: outcome.reason });
      o.logger.warn({ actor, reason: outcome.reason, message: outcome.message }, 'release upload refused');
      return c.json({ error: outcome.reason, message: outcome.message }, STATUS[outcome.reason]);
    }
    counted.inc({ result: 'published' });
    const r = outcome.release;
    o.logger.info({ actor, version: r.version, sha256: r.sha256 }, 'release published');
    return c.json(
      { version: r.version, components: r.components, sha256: r.sha256, size: r.size, keyId: r.keyId },
      201,
    );
  });
  return app;
}

function uploadCounter(registry: Registry): Counter<'result'> {
  const name = 'onestop_release_uploads_total';
  return (
    (registry.getSingleMetric(name) as Counter<'result'> | undefined) ??
    new Counter({
      name,
      help: 'Release bundle uploads by result: published, or why refused (no_trusted_key, invalid, duplicate, too_large, empty, not_configured)',
      labelNames: ['result'],
      registers: [registry],
    })
  );
}
