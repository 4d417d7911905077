import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBundle, generateReleaseKeyPair } from '@onestop/release';
import { afterAll, describe, expect, it } from 'vitest';
import { installRelease } from './install.js';
import { installLayout, RELEASE_ENTRY } from './layout.js';

const keys = generateReleaseKeyPair();
const dir = mkdtempSync(join(tmpdir(), 'release-install-'));
const layout = installLayout(join(dir, 'root'));
const here = { arch: 'arm64', nodeAbi: '115' };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(
  version: string,
  files: Record<string, string>,
  o: { components?: Array<'agent' | 'models'>; arch?: 'arm64' | 'x64'; minConfigSchema?: number } = {},
): Promise<string> {
  const src = join(dir, `src-${version}`);
  mkdirSync(src, { recursive: true });
  const sources = Object.entries(files).map(([path, text], i) => {
    writeFileSync(join(src, String(i)), text);
    return { path, from: join(src, String(i)) };
  });
  const components = o.components ?? ['agent'];
  const out = join(dir, `${version}.tar.gz`);
  await createBundle(
    {
      version,
      components,
      platform: components.includes('agent')
        ? { os: 'linux', arch: o.arch ?? 'arm64', nodeAbi: '115' }
        : null,
      minConfigSchema: o.minConfigSchema ?? 2,
      models: [],
    },
    sources,
    keys.privatePem,
    out,
  );
  return out;
}

const install = (b: string, version: string, running: string | null = null) =>
  installRelease({ layout, bundle: b, version, publicKeys: [keys.publicPem], running, platform: here });

describe('unpacking a release on the board', () => {
  it('puts a whole release in releases/<version>, nothing half-made beside it', async () => {
    const r = await install(await bundle('1.0.0', { [RELEASE_ENTRY]: 'agent 1', 'lib/a.js': 'a' }), '1.0.0');
    expect(r.ok).toBe(true);
    expect(readFileSync(join(layout.release('1.0.0'), 'lib/a.js'), 'utf8')).toBe('a');
    expect(readdirSync(layout.releases)).toEqual(['1.0.0']);
  });

  it('gives a models-only release the running code and the new models', async () => {
    const b = await bundle(
      '1.0.1',
      { 'models/face_expression.onnx': 'new model' },
      { components: ['models'] },
    );
    const r = await install(b, '1.0.1', '1.0.0');
    expect(r.ok).toBe(true);
    expect(readFileSync(join(layout.release('1.0.1'), RELEASE_ENTRY), 'utf8')).toBe('agent 1');
    expect(readFileSync(join(layout.release('1.0.1'), 'models/face_expression.onnx'), 'utf8')).toBe(
      'new model',
    );
    // The running release is left as it was.
    expect(existsSync(join(layout.release('1.0.0'), 'models'))).toBe(false);
  });

  it('refuses what this board cannot run, and leaves nothing behind', async () => {
    const cases: Array<[Promise<string>, string, RegExp]> = [
      [bundle('2.0.0', { [RELEASE_ENTRY]: 'x' }, { arch: 'x64' }), '2.0.0', /built for linux-x64/],
      [bundle('2.0.1', { [RELEASE_ENTRY]: 'x' }, { minConfigSchema: 3 }), '2.0.1', /config schema 3/],
      [bundle('2.0.2', { 'lib/a.js': 'no entry' }), '2.0.2', /has no agent\.mjs/],
      [bundle('2.0.3', { [RELEASE_ENTRY]: 'x' }), '2.0.4', /the offer says 2\.0\.4/],
      [
        bundle('2.0.5', { [RELEASE_ENTRY]: 'evil', 'models/m.onnx': 'm' }, { components: ['models'] }),
        '2.0.5',
        /may hold only models\/, not agent\.mjs/,
      ],
    ];
    for (const [b, version, reason] of cases) {
      const r = await install(await b, version, '1.0.0');
      expect(r).toEqual({ ok: false, reason: expect.stringMatching(reason) });
    }
    expect(readdirSync(layout.releases).sort()).toEqual(['1.0.0', '1.0.1']);
  });
});
