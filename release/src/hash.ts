import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** SHA-256 and size of a finished bundle, as the centre's offer names it. */
export async function bundleDigest(file: string): Promise<{ sha256: string; size: number }> {
  const [sha256, info] = await Promise.all([sha256OfFile(file), stat(file)]);
  return { sha256, size: info.size };
}
