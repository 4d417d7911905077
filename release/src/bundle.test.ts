import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELEASE_TRAILER_BYTES } from '@onestop/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateReleaseKeyPair } from './keys.js';
import { openBundle } from './read.js';
import { createBundle } from './write.js';

let dir: string;
let bundle: string;
const keys = generateReleaseKeyPair();
const other = generateReleaseKeyPair();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'release-'));
  await mkdir(join(dir, 'src/lib'), { recursive: true });
  await writeFile(join(dir, 'src/main.js'), 'console.log("agent 1.2.0");\n');
  await writeFile(join(dir, 'src/lib/big.bin'), Buffer.alloc(200_000, 7));
  await writeFile(join(dir, 'src/run.sh'), '#!/bin/sh\nexec node main.js\n');
  bundle = join(dir, 'agent-1.2.0.tar.gz');
  await createBundle(
    {
      version: '1.2.0',
      components: ['agent'],
      platform: { os: 'linux', arch: 'arm64', nodeAbi: '115' },
      minConfigSchema: 1,
      models: [],
    },
    [
      { path: 'main.js', from: join(dir, 'src/main.js') },
      { path: 'lib/big.bin', from: join(dir, 'src/lib/big.bin') },
      { path: 'run.sh', from: join(dir, 'src/run.sh'), executable: true },
    ],
    keys.privatePem,
    bundle,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function tampered(at: number, name: string): Promise<string> {
  const bytes = await readFile(bundle);
  bytes[at] = (bytes[at] as number) ^ 0x01;
  const out = join(dir, name);
  await writeFile(out, bytes);
  return out;
}

describe('release bundles', () => {
  it('verifies and unpacks an intact bundle, with modes and the bundle digest', async () => {
    const to = join(dir, 'unpacked');
    const r = await openBundle(bundle, { publicKeys: [other.publicPem, keys.publicPem], extractTo: to });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.manifest.version).toBe('1.2.0');
    expect(r.manifest.files.map((f) => f.path).sort()).toEqual(['lib/big.bin', 'main.js', 'run.sh']);
    expect(r.size).toBe((await stat(bundle)).size);
    expect(r.sha256).toMatch(/^[a-f0-9]{64}$/);
    expect(await readFile(join(to, 'main.js'), 'utf8')).toContain('agent 1.2.0');
    expect((await stat(join(to, 'run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(to, 'main.js'))).mode & 0o777).toBe(0o644);
  });

  it('refuses a bundle signed by another key', async () => {
    const r = await openBundle(bundle, { publicKeys: [other.publicPem] });
    expect(r).toEqual({ ok: false, reason: 'the signature does not verify with the given public key(s)' });
  });

  it('refuses without a key, and a missing or short file', async () => {
    expect((await openBundle(bundle, { publicKeys: [] })).ok).toBe(false);
    expect(await openBundle(join(dir, 'nope'), { publicKeys: [keys.publicPem] })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no such file'),
    });
    await writeFile(join(dir, 'short'), 'x');
    expect((await openBundle(join(dir, 'short'), { publicKeys: [keys.publicPem] })).ok).toBe(false);
  });

  it('refuses a change of any byte: header, archive, signature, and extra or missing bytes', async () => {
    const size = (await stat(bundle)).size;
    // Every byte would take minutes; a spread of positions covers the gzip header (0–9), the
    // compressed manifest and files, the gzip trailer, the marker and the signature itself.
    const positions = new Set<number>([
      0,
      3,
      4,
      9,
      10,
      50,
      200,
      Math.floor(size / 2),
      size - RELEASE_TRAILER_BYTES - 8,
    ]);
    for (let p = size - RELEASE_TRAILER_BYTES; p < size; p += 7) positions.add(p);
    positions.add(size - 1);
    for (const at of positions) {
      const r = await openBundle(await tampered(at, `t-${at}`), { publicKeys: [keys.publicPem] });
      expect(r.ok, `byte ${at} flipped`).toBe(false);
    }
    const bytes = await readFile(bundle);
    await writeFile(join(dir, 'longer'), Buffer.concat([bytes, Buffer.from('\n')]));
    expect((await openBundle(join(dir, 'longer'), { publicKeys: [keys.publicPem] })).ok).toBe(false);
    await writeFile(join(dir, 'shorter'), bytes.subarray(0, bytes.length - 1));
    expect((await openBundle(join(dir, 'shorter'), { publicKeys: [keys.publicPem] })).ok).toBe(false);
  });

  it('unpacks nothing when the signature fails', async () => {
    const to = join(dir, 'never');
    const r = await openBundle(await tampered(100, 'bad-sig'), {
      publicKeys: [keys.publicPem],
      extractTo: to,
    });
    expect(r.ok).toBe(false);
    await expect(readdir(to)).rejects.toThrow();
  });

  it('refuses to build a manifest with a path that escapes the release', async () => {
    await expect(
      createBundle(
        { version: '1.2.1', components: ['agent'], platform: null, minConfigSchema: 1, models: [] },
        [{ path: '../evil.js', from: join(dir, 'src/main.js') }],
        keys.privatePem,
        join(dir, 'evil.tar.gz'),
      ),
    ).rejects.toThrow(/relative path|segments/);
  });
});
