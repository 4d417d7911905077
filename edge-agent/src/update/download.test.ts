import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, downloadWithResume } from './download.js';

/** The test's own stand-in for the centre's download route: Range, Basic auth, and misbehaviour. */
const BUNDLE = randomBytes(300_000);
const SHA = createHash('sha256').update(BUNDLE).digest('hex');
const AUTH = `Basic ${Buffer.from('dev-q01:secret').toString('base64')}`;
let mode: 'ok' | 'cut' | 'ignore-range' = 'ok';
const requests: Array<{ range: string | undefined; ifRange: string | undefined; auth: string | undefined }> =
  [];
let server: Server;
let url: string;
let dir: string;

function serve(req: IncomingMessage, res: ServerResponse): void {
  requests.push({
    range: req.headers.range,
    ifRange: req.headers['if-range'] as string | undefined,
    auth: req.headers.authorization,
  });
  if (req.headers.authorization !== AUTH) {
    res.writeHead(401).end();
    return;
  }
  const m = req.headers.range?.match(/^bytes=(\d+)-$/);
  if (m && mode !== 'ignore-range') {
    const start = Number(m[1]);
    if (start >= BUNDLE.length) {
      res.writeHead(416, { 'content-range': `bytes */${BUNDLE.length}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-range': `bytes ${start}-${BUNDLE.length - 1}/${BUNDLE.length}`,
      'content-length': BUNDLE.length - start,
    });
    res.end(BUNDLE.subarray(start));
    return;
  }
  res.writeHead(200, { 'content-length': BUNDLE.length });
  if (mode === 'cut') {
    // A link that drops a third of the way: the socket closes mid-body.
    res.write(BUNDLE.subarray(0, 100_000), () => res.destroy());
    return;
  }
  res.end(BUNDLE);
}

beforeAll(async () => {
  server = createServer(serve);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/releases/2.0.0/bundle`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  mode = 'ok';
  requests.length = 0;
  dir = mkdtempSync(join(tmpdir(), 'download-'));
});

const target = (over: Partial<Parameters<typeof downloadWithResume>[0]> = {}) => ({
  url,
  authorization: AUTH,
  size: BUNDLE.length,
  sha256: SHA,
  dest: join(dir, '2.0.0.tar.gz'),
  ...over,
});

describe('downloading a bundle', () => {
  it('resumes a broken download from where the .part file stops, with HTTP Range', async () => {
    mode = 'cut';
    await expect(downloadWithResume(target())).rejects.toThrow(DownloadError);
    const kept = statSync(join(dir, '2.0.0.tar.gz.part')).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(BUNDLE.length);
    mode = 'ok';
    const progress: number[] = [];
    await downloadWithResume(target({ onProgress: (f) => progress.push(f) }));
    expect(requests.map((r) => r.range)).toEqual([undefined, `bytes=${kept}-`]);
    // Resumed only for the bytes the offer names: the centre's ETag is their SHA-256.
    expect(requests.map((r) => r.ifRange)).toEqual([undefined, `"${SHA}"`]);
    expect(requests.every((r) => r.auth === AUTH)).toBe(true);
    expect(readFileSync(join(dir, '2.0.0.tar.gz')).equals(BUNDLE)).toBe(true);
    expect(existsSync(join(dir, '2.0.0.tar.gz.part'))).toBe(false);
    expect(progress.at(-1)).toBe(1);
  });

  it('starts over when the server ignores Range and sends the whole file', async () => {
    writeFileSync(join(dir, '2.0.0.tar.gz.part'), BUNDLE.subarray(0, 1000));
    mode = 'ignore-range';
    await downloadWithResume(target());
    expect(requests[0]?.range).toBe('bytes=1000-');
    expect(readFileSync(join(dir, '2.0.0.tar.gz')).equals(BUNDLE)).toBe(true);
  });

  it('refuses bytes that are not the offer: a damaged .part is thrown away, not installed', async () => {
    const bad = Buffer.from(BUNDLE.subarray(0, 1000));
    bad[10] = (bad[10] as number) ^ 1;
    writeFileSync(join(dir, '2.0.0.tar.gz.part'), bad);
    await expect(downloadWithResume(target())).rejects.toThrow(/SHA-256/);
    expect(existsSync(join(dir, '2.0.0.tar.gz'))).toBe(false);
    expect(existsSync(join(dir, '2.0.0.tar.gz.part'))).toBe(false);
    // The next attempt fetches it whole, and it is right.
    await downloadWithResume(target());
    expect(readFileSync(join(dir, '2.0.0.tar.gz')).equals(BUNDLE)).toBe(true);
  });

  it('refuses an offer whose size the centre does not agree with, and wrong credentials', async () => {
    await expect(downloadWithResume(target({ size: BUNDLE.length - 5 }))).rejects.toThrow(/more than/);
    await expect(downloadWithResume(target({ authorization: 'Basic eDp5' }))).rejects.toThrow(/HTTP 401/);
    expect(existsSync(join(dir, '2.0.0.tar.gz'))).toBe(false);
  });
});
