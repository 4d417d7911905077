import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import {
  RELEASE_FILES_PREFIX,
  RELEASE_FORMAT,
  RELEASE_MANIFEST_ENTRY,
  type ReleaseFile,
  ReleaseManifest,
} from '@onestop/protocol';
import { pack } from 'tar-stream';
import { bundleDigest, sha256OfFile } from './hash.js';
import { releasePrivateKey } from './keys.js';
import { signatureTrailer } from './signature.js';

/** One file to ship: where it is here (`from`) and where it goes in the release (`path`). */
export interface BundleSource {
  path: string;
  from: string;
  executable?: boolean;
}

export type ManifestFields = Omit<ReleaseManifest, 'format' | 'files' | 'createdAt' | 'notes'> & {
  createdAt?: number;
  notes?: string;
};

export interface CreatedBundle {
  manifest: ReleaseManifest;
  /** SHA-256 and size of the bundle file itself, as the centre's offer names it. */
  sha256: string;
  size: number;
}

/**
 * Builds a signed bundle at `out`, written beside it and renamed so that a crash never leaves
 * half a bundle under the final name. The manifest is validated by the schema every reader uses,
 * so a bundle this writes is one every reader accepts.
 */
export async function createBundle(
  fields: ManifestFields,
  sources: readonly BundleSource[],
  privateKeyPem: string,
  out: string,
): Promise<CreatedBundle> {
  const key = releasePrivateKey(privateKeyPem);
  const files: ReleaseFile[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.path)) throw new Error(`file ${s.path} is listed twice`);
    seen.add(s.path);
    const info = await stat(s.from);
    if (!info.isFile()) throw new Error(`${s.from} is not a regular file`);
    files.push({
      path: s.path,
      size: info.size,
      sha256: await sha256OfFile(s.from),
      mode: s.executable ? 0o755 : 0o644,
    });
  }
  const manifest = ReleaseManifest.parse({
    ...fields,
    format: RELEASE_FORMAT,
    createdAt: fields.createdAt ?? Date.now(),
    notes: fields.notes ?? '',
    files,
  });
  const mtime = new Date(manifest.createdAt);

  const tmp = `${out}.tmp-${process.pid}`;
  try {
    const tar = pack();
    const archiveHash = createHash('sha256');
    const tap = new PassThrough();
    tap.on('data', (c: Buffer) => archiveHash.update(c));
    const out$ = createWriteStream(tmp);
    const written = pipeline(tar, createGzip(), tap, out$, { end: false });
    tar.entry({ name: RELEASE_MANIFEST_ENTRY, mode: 0o644, mtime }, `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [i, f] of files.entries()) {
      const entry = tar.entry({
        name: `${RELEASE_FILES_PREFIX}${f.path}`,
        size: f.size,
        mode: f.mode,
        mtime,
      });
      await pipeline(createReadStream((sources[i] as BundleSource).from), entry);
    }
    tar.finalize();
    await written;
    await new Promise<void>((resolve, reject) =>
      out$.end(signatureTrailer(archiveHash.digest(), key), (err?: Error | null) =>
        err ? reject(err) : resolve(),
      ),
    );
    const fd = await open(tmp, 'r');
    try {
      await fd.sync();
    } finally {
      await fd.close();
    }
    await rename(tmp, out);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { manifest, ...(await bundleDigest(out)) };
}
