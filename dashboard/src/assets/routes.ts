import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { notFound } from '../errors/answer.js';
import { clientAssets } from './bundle.js';

/**
 * Client modules at content-hashed URLs: a new build gets a new URL, so browsers may keep each
 * one for a year without asking again. Public: the code holds no data.
 */
export function assetRoutes() {
  const app = new Hono<DashboardEnv>();
  app.get('/:file', async (c) => {
    const asset = (await clientAssets()).find((a) => a.path === c.req.path);
    if (!asset) return notFound(c);
    return c.body(asset.script, 200, {
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  return app;
}
