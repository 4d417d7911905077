import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LANGS, type Lang } from '@onestop/protocol';
import type { Context } from 'hono';
import { z } from 'zod';
import type { PromptKey } from './prompts.js';

/** `src/kiosk/` and `dist/kiosk/` are both two levels below the package root, next to `assets/`. */
export const PROMPT_DIR = new URL('../../assets/prompts/', import.meta.url);
export const PROMPT_CONTENT_TYPE = 'audio/ogg; codecs=opus';

export const PromptManifest = z.strictObject({
  format: z.string(),
  prompts: z.array(
    z.strictObject({
      file: z.string().regex(/^[a-z]{2}-[a-z0-9-]+\.ogg$/),
      lang: z.enum(LANGS),
      key: z.string(),
      voice: z.string(),
      text: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.int().positive(),
    }),
  ),
});
export type PromptManifest = z.infer<typeof PromptManifest>;

export function loadPromptManifest(dir: URL = PROMPT_DIR): PromptManifest {
  return PromptManifest.parse(JSON.parse(readFileSync(new URL('manifest.json', dir), 'utf8')));
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Page-relative URLs of one language's prompts; `?v=` pins the rendering so it can be cached for good. */
export function promptUrls(manifest: PromptManifest, lang: Lang): Partial<Record<PromptKey, string>> {
  const urls: Partial<Record<PromptKey, string>> = {};
  for (const p of manifest.prompts)
    if (p.lang === lang) urls[p.key as PromptKey] = `audio/${p.file}?v=${p.sha256.slice(0, 12)}`;
  return urls;
}

/**
 * `GET /audio/:file`. Only names listed in the manifest are served (no path is ever built from the
 * request), files are read once and kept: twelve prompts are a few dozen KB.
 */
export function promptHandler(manifest: PromptManifest, dir: URL = PROMPT_DIR) {
  const byName = new Map(manifest.prompts.map((p) => [p.file, p]));
  const cache = new Map<string, Uint8Array<ArrayBuffer>>();
  return (c: Context) => {
    const entry = byName.get(c.req.param('file') ?? '');
    if (!entry) return c.text('no such prompt', 404);
    const etag = `"${entry.sha256.slice(0, 32)}"`;
    // A versioned URL never changes content; an unversioned one must be revalidated after re-rendering.
    const pinned = c.req.query('v') === entry.sha256.slice(0, 12);
    const headers = {
      'content-type': PROMPT_CONTENT_TYPE,
      'cache-control': pinned ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag,
      'x-content-type-options': 'nosniff',
    };
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, headers);
    let data = cache.get(entry.file);
    if (!data) {
      data = new Uint8Array(readFileSync(new URL(entry.file, dir)));
      cache.set(entry.file, data);
    }
    return c.body(data, 200, { ...headers, 'content-length': String(data.byteLength) });
  };
}
