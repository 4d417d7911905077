import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export interface DownloadTarget {
  url: string;
  /** `Authorization` header value, if any (HTTP Basic with the device's MQTT credentials). */
  authorization?: string;
  /** What the offer says the whole bundle is: anything else is refused. */
  size: number;
  sha256: string;
  /** Where the finished bundle goes; `<dest>.part` holds what has come so far. */
  dest: string;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class DownloadError extends Error {}

/**
 * Fetches a bundle with resume: the bytes already in `<dest>.part` (a link that dropped, or a
 * board that was switched off) are asked for again only from where they stop (HTTP Range), each
 * chunk synced as it lands. The whole file must then be exactly the offer's size and SHA-256
 * before it is renamed to `dest`, so the bytes unpacked later are the ones the centre stored. A
 * `.part` that cannot be the start of that file (longer than it, or a server that ignores Range)
 * is started over. Throws DownloadError with a one-line reason.
 */
export async function downloadWithResume(t: DownloadTarget): Promise<void> {
  const part = `${t.dest}.part`;
  if (await hasSize(t.dest, t.size)) {
    if ((await sha256Of(t.dest)) === t.sha256) return;
    await rm(t.dest, { force: true });
  }
  let have = (await stat(part).catch(() => null))?.size ?? 0;
  if (have > t.size) {
    await rm(part, { force: true });
    have = 0;
  }
  if (have < t.size) {
    const headers: Record<string, string> = { accept: 'application/octet-stream' };
    if (t.authorization) headers.authorization = t.authorization;
    if (have > 0) {
      headers.range = `bytes=${have}-`;
      // The centre's ETag is the bundle's SHA-256 (docs/fleet-updates.md): the rest of these very
      // bytes, or else the whole file (200), never the tail of another file.
      headers['if-range'] = `"${t.sha256}"`;
    }
    const signals = [AbortSignal.timeout(t.timeoutMs ?? 30 * 60_000), ...(t.signal ? [t.signal] : [])];
    let res: Response;
    try {
      res = await fetch(t.url, { headers, redirect: 'error', signal: AbortSignal.any(signals) });
    } catch (e) {
      const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
      throw new DownloadError(`cannot reach ${new URL(t.url).origin}: ${cause}`);
    }
    if (res.status === 416 && have > 0) {
      // The centre has fewer bytes than we do: what we have is not its file.
      await rm(part, { force: true });
      throw new DownloadError('the centre refused the resume range; starting over next time');
    }
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel();
      throw new DownloadError(`the centre answered HTTP ${res.status} for ${new URL(t.url).pathname}`);
    }
    // 200 to a Range request: the server sends the whole file again, so start the file over.
    const from = res.status === 206 ? have : 0;
    if (res.status === 206 && !contentRangeStartsAt(res.headers.get('content-range'), have, t.size)) {
      await res.body?.cancel();
      await rm(part, { force: true });
      throw new DownloadError('the centre answered a range other than the one asked for');
    }
    await appendBody(res, part, from, t);
  }
  if (!(await hasSize(part, t.size)))
    throw new DownloadError(`the download stopped early (${have} of ${t.size} bytes); resuming next time`);
  const got = await sha256Of(part);
  if (got !== t.sha256) {
    await rm(part, { force: true });
    throw new DownloadError(
      `the bundle's SHA-256 is ${got.slice(0, 12)}…, the offer says ${t.sha256.slice(0, 12)}…`,
    );
  }
  await rename(part, t.dest);
}

async function appendBody(res: Response, part: string, from: number, t: DownloadTarget): Promise<void> {
  const fd = await open(part, from === 0 ? 'w' : 'r+', 0o600);
  let at = from;
  let sinceSync = 0;
  try {
    if (!res.body) throw new DownloadError('the centre sent no body');
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (at + chunk.length > t.size) throw new DownloadError(`the centre sent more than ${t.size} bytes`);
      await fd.write(chunk, 0, chunk.length, at);
      at += chunk.length;
      sinceSync += chunk.length;
      // Synced every MiB: what a power cut keeps is what a resume need not fetch again.
      if (sinceSync >= 1 << 20) {
        await fd.sync();
        sinceSync = 0;
      }
      t.onProgress?.(at / t.size);
    }
    await fd.sync();
  } catch (e) {
    if (e instanceof DownloadError) throw e;
    throw new DownloadError(`the download broke off at ${at} of ${t.size} bytes: ${(e as Error).message}`);
  } finally {
    await fd.truncate(at).catch(() => {});
    await fd.close();
  }
}

function contentRangeStartsAt(header: string | null, start: number, size: number): boolean {
  const m = header?.match(/^bytes (\d+)-(\d+)\/(\d+|\*)$/);
  return !!m && Number(m[1]) === start && (m[3] === '*' || Number(m[3]) === size);
}

async function hasSize(path: string, size: number): Promise<boolean> {
  return (await stat(path).catch(() => null))?.size === size;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
