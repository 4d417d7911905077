import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openBundle } from '@onestop/release';
import {
  type Database,
  getRelease,
  type StoredRelease,
  StoreInputError,
  storeRelease,
  trustedReleasePems,
} from '@onestop/store';

/** 1 GiB: an agent with its production dependencies and a few models, with room to spare. */
export const MAX_BUNDLE_BYTES = 1024 * 1024 * 1024;

/** Why a bundle was not published: each is counted (`onestop_release_uploads_total{result}`). */
export type PublishRefusal = 'no_trusted_key' | 'invalid' | 'duplicate' | 'too_large' | 'empty';

export type PublishOutcome =
  | { ok: true; release: StoredRelease }
  | { ok: false; reason: PublishRefusal; message: string };

/** The releases folder under the centre's data folder. */
export const releasesDirOf = (dataDir: string) => join(dataDir, 'releases');

class TooLarge extends Error {}

/** An `.incoming-*` file untouched this long is a crash's leftover, not an upload in progress. */
export const STALE_INCOMING_MS = 60 * 60 * 1000;

/**
 * Removes the temporary files a crash (or a kill mid-upload) left behind: nothing else ever
 * would, and each can be up to a bundle's size. An upload in progress keeps writing, so its
 * file's mtime stays fresh; only files untouched for STALE_INCOMING_MS go.
 */
export async function sweepStaleIncoming(releasesDir: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(releasesDir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith('.incoming-')) continue;
    const file = join(releasesDir, name);
    const st = await stat(file).catch(() => null);
    if (!st || now - st.mtimeMs < STALE_INCOMING_MS) continue;
    await rm(file, { force: true });
    removed.push(name);
  }
  return removed;
}

/** Creates the releases folder and clears old leftovers: the start of every publication. */
async function prepareReleasesDir(releasesDir: string): Promise<void> {
  await mkdir(releasesDir, { recursive: true, mode: 0o750 });
  await sweepStaleIncoming(releasesDir);
}

/** Counts bytes as they pass and fails the stream past `max`: a body is never buffered whole. */
function sizeLimit(max: number): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      n += chunk.length;
      if (n > max) done(new TooLarge(`larger than ${max} bytes`));
      else done(null, chunk);
    },
  });
}

/**
 * Publishes a bundle arriving as a stream (an upload): written to a temporary file in the
 * releases folder, then checked like any other (`publishReleaseFile`).
 */
export async function publishReleaseStream(
  db: Database,
  body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  o: { releasesDir: string; actor: string; maxBytes?: number },
): Promise<PublishOutcome> {
  const max = o.maxBytes ?? MAX_BUNDLE_BYTES;
  await prepareReleasesDir(o.releasesDir);
  const incoming = join(o.releasesDir, `.incoming-${randomUUID()}`);
  try {
    await pipeline(body, sizeLimit(max), createWriteStream(incoming, { mode: 0o640 }));
  } catch (err) {
    await rm(incoming, { force: true });
    if (err instanceof TooLarge)
      return { ok: false, reason: 'too_large', message: `a release bundle may be at most ${max} bytes` };
    throw err;
  }
  return verifyAndKeep(db, incoming, o);
}

/**
 * Publishes a bundle from a file on this machine (`onestop release publish FILE` through the
 * running centre): copied into the releases folder first, and the COPY verified, so what is
 * stored is exactly what was checked whatever happens to the original meanwhile.
 */
export async function publishReleaseFile(
  db: Database,
  file: string,
  o: { releasesDir: string; actor: string; maxBytes?: number },
): Promise<PublishOutcome> {
  await prepareReleasesDir(o.releasesDir);
  const incoming = join(o.releasesDir, `.incoming-${randomUUID()}`);
  try {
    await copyFile(file, incoming);
  } catch (err) {
    await rm(incoming, { force: true });
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')
      return { ok: false, reason: 'invalid', message: `cannot read ${file}: ${e.code}` };
    throw err;
  }
  return verifyAndKeep(db, incoming, o);
}

/**
 * Verifies the bundle against the centre's trusted release keys BEFORE it is stored: a bundle
 * no trusted key signed, or changed in any byte, is deleted and refused with the verifier's
 * one-line reason. Kept as `<version>-<sha256 prefix>-<random>.tar.gz`, then recorded; the file is
 * removed again if the record is refused (a version published meanwhile).
 */
async function verifyAndKeep(
  db: Database,
  incoming: string,
  o: { releasesDir: string; actor: string; maxBytes?: number },
): Promise<PublishOutcome> {
  let kept: string | null = null;
  try {
    const keys = await trustedReleasePems(db);
    if (keys.length === 0)
      return {
        ok: false,
        reason: 'no_trusted_key',
        message: 'no release key is trusted yet: add the public key of whoever signs releases first',
      };
    const check = await openBundle(incoming, { publicKeys: keys });
    if (!check.ok) return { ok: false, reason: 'invalid', message: `refused: ${check.reason}` };
    if (check.size > (o.maxBytes ?? MAX_BUNDLE_BYTES))
      return { ok: false, reason: 'too_large', message: 'the bundle is larger than allowed' };
    const { version } = check.manifest;
    if (await getRelease(db, version))
      return { ok: false, reason: 'duplicate', message: `release ${version} is published already` };
    // Unique: two uploads of one version racing must not overwrite, then delete, each other's file.
    kept = join(o.releasesDir, `${version}-${check.sha256.slice(0, 12)}-${randomUUID().slice(0, 8)}.tar.gz`);
    await rename(incoming, kept);
    const release = await storeRelease(db, {
      manifest: check.manifest,
      keyId: check.keyId,
      sha256: check.sha256,
      size: check.size,
      path: kept,
      actor: o.actor,
    });
    kept = null;
    return { ok: true, release };
  } catch (err) {
    if (err instanceof StoreInputError) return { ok: false, reason: 'duplicate', message: err.message };
    throw err;
  } finally {
    await rm(incoming, { force: true });
    if (kept) await rm(kept, { force: true });
  }
}
