import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, mkdir, open, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import {
  RELEASE_FILES_PREFIX,
  RELEASE_MANIFEST_ENTRY,
  RELEASE_TRAILER_BYTES,
  ReleaseManifest,
} from '@onestop/protocol';
import { extract } from 'tar-stream';
import { releaseKeyId, releasePublicKey } from './keys.js';
import { findSigner, parseTrailer } from './signature.js';

/** A manifest lists ≤ 100,000 files: 16 MiB of JSON is far above any real one. */
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export type BundleCheck =
  | { ok: true; manifest: ReleaseManifest; keyId: string; sha256: string; size: number }
  | { ok: false; reason: string };

export interface OpenBundleOptions {
  /** PEM public keys; the bundle must be signed by one of them. */
  publicKeys: readonly string[];
  /**
   * Where to unpack the files (created; must not hold any of them yet). Nothing is unpacked
   * before the signature has verified; a file is checked against the manifest as it is written,
   * so on a refusal the caller must delete the folder.
   */
  extractTo?: string;
}

class Refusal extends Error {}

/**
 * Says whether a bundle is intact and signed by one of the keys: the signature over every byte
 * of the archive first, then (reading it again, and hashing it again so a file changed between
 * the two reads is caught) every file's size and SHA-256 against the manifest, none missing,
 * none extra, none twice, nothing but regular files. With `extractTo`, unpacks in the second
 * read. Never throws for a bad bundle: the reason is one line.
 */
export async function openBundle(file: string, options: OpenBundleOptions): Promise<BundleCheck> {
  try {
    return await check(file, options);
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, reason: err.message };
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT' && e.path === file) return { ok: false, reason: `no such file: ${file}` };
    if (e.code?.startsWith('Z_')) return { ok: false, reason: 'the archive is not gzip data or is damaged' };
    return { ok: false, reason: `unreadable bundle: ${String(e.message).split('\n')[0]}` };
  }
}

async function check(file: string, options: OpenBundleOptions): Promise<BundleCheck> {
  if (options.publicKeys.length === 0) throw new Refusal('no release public key to verify with');
  const keys = options.publicKeys.map((pem) => releasePublicKey(pem));
  const { size } = await stat(file);
  if (size <= RELEASE_TRAILER_BYTES) throw new Refusal('too short to be a release bundle');
  const archiveBytes = size - RELEASE_TRAILER_BYTES;

  const trailer = await readRange(file, archiveBytes, RELEASE_TRAILER_BYTES);
  const parsed = parseTrailer(trailer);
  if ('reason' in parsed) throw new Refusal(parsed.reason);
  const firstDigest = await hashRange(file, archiveBytes);
  const signer = findSigner(firstDigest, parsed.signature, keys);
  if (!signer) throw new Refusal('the signature does not verify with the given public key(s)');

  const { manifest, digest } = await unpack(file, archiveBytes, options.extractTo);
  if (!digest.equals(firstDigest)) throw new Refusal('the file changed while it was being read');
  return {
    ok: true,
    manifest,
    keyId: releaseKeyId(signer),
    sha256: await wholeFileSha256(file),
    size,
  };
}

async function readRange(file: string, start: number, length: number): Promise<Buffer> {
  const fd = await open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fd.read(buf, 0, length, start);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

async function hashRange(file: string, length: number): Promise<Buffer> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file, { start: 0, end: length - 1 }), hash);
  return hash.digest();
}

async function wholeFileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

async function readAll(stream: AsyncIterable<unknown>, limit: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += (c as Buffer).length;
    if (n > limit) throw new Refusal(`${what} is larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

async function unpack(
  file: string,
  archiveBytes: number,
  extractTo: string | undefined,
): Promise<{ manifest: ReleaseManifest; digest: Buffer }> {
  const hash = createHash('sha256');
  const raw = createReadStream(file, { start: 0, end: archiveBytes - 1 });
  raw.on('data', (c) => hash.update(c as Buffer));
  const tar = extract();
  const source = pipeline(raw, createGunzip(), tar);
  let manifest: ReleaseManifest | null = null;
  const expected = new Map<string, ReleaseManifest['files'][number]>();
  const seen = new Set<string>();
  const root = extractTo ? resolve(extractTo) : null;
  try {
    for await (const entry of tar) {
      const h = entry.header;
      if (!manifest) {
        if (h.name !== RELEASE_MANIFEST_ENTRY)
          throw new Refusal(`the first entry is ${h.name}, not ${RELEASE_MANIFEST_ENTRY}`);
        const bytes = await readAll(entry, MAX_MANIFEST_BYTES, 'the manifest');
        let json: unknown;
        try {
          json = JSON.parse(bytes.toString('utf8'));
        } catch {
          throw new Refusal('the manifest is not JSON');
        }
        const m = ReleaseManifest.safeParse(json);
        if (!m.success) throw new Refusal(`the manifest is invalid: ${m.error.issues[0]?.message}`);
        manifest = m.data;
        for (const f of manifest.files) {
          if (expected.has(f.path)) throw new Refusal(`the manifest lists ${f.path} twice`);
          expected.set(f.path, f);
        }
        if (root) await mkdir(root, { recursive: true });
        continue;
      }
      if (h.type !== 'file')
        throw new Refusal(`entry ${h.name} is a ${h.type}: only regular files are allowed`);
      if (!h.name.startsWith(RELEASE_FILES_PREFIX)) throw new Refusal(`unexpected entry ${h.name}`);
      const path = h.name.slice(RELEASE_FILES_PREFIX.length);
      const listed = expected.get(path);
      if (!listed) throw new Refusal(`file ${path} is not in the manifest`);
      if (seen.has(path)) throw new Refusal(`file ${path} appears twice`);
      seen.add(path);
      if (h.size !== listed.size)
        throw new Refusal(`file ${path} is ${h.size} bytes, the manifest says ${listed.size}`);
      const fileHash = createHash('sha256');
      if (root) {
        // ReleasePath forbids `..`; resolving again guards against anything the pattern missed.
        const target = resolve(join(root, path));
        if (!target.startsWith(root + sep)) throw new Refusal(`file ${path} would land outside the release`);
        await mkdir(dirname(target), { recursive: true });
        const fd = await open(target, 'wx', 0o600);
        try {
          for await (const c of entry) {
            fileHash.update(c as Buffer);
            await fd.write(c as Buffer);
          }
          await fd.sync();
        } finally {
          await fd.close();
        }
        await chmod(target, listed.mode);
      } else {
        for await (const c of entry) fileHash.update(c as Buffer);
      }
      if (fileHash.digest('hex') !== listed.sha256)
        throw new Refusal(`file ${path} does not match its SHA-256 in the manifest`);
    }
    await source;
  } catch (err) {
    tar.destroy();
    await source.catch(() => {});
    throw err;
  }
  if (!manifest) throw new Refusal('the archive is empty');
  for (const path of expected.keys()) if (!seen.has(path)) throw new Refusal(`file ${path} is missing`);
  return { manifest, digest: hash.digest() };
}
