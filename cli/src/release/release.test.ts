import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RELEASE_TRAILER_BYTES } from '@onestop/protocol';
import { openBundle } from '@onestop/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliFromSource } from '../test-support/run-cli.js';
import { KEY_FILES } from './commands.js';

const dir = mkdtempSync(join(tmpdir(), 'onestop-release-cli-'));
const keys = join(dir, 'keys');
const otherKeys = join(dir, 'other');
const models = join(dir, 'models');
const bundle = join(dir, 'models-1.1.0.tar.gz');
const MODEL_NAMES = ['tiny_face_detector', 'face_expression'];
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const onestop = (...args: string[]) => runCliFromSource(['release', ...args]);

beforeAll(async () => {
  mkdirSync(models);
  const shipped = new URL('../../../models/onnx/', import.meta.url).pathname;
  for (const m of MODEL_NAMES) copyFileSync(join(shipped, `${m}.onnx`), join(models, `${m}.onnx`));
  const [a, b] = await Promise.all([onestop('keygen', '--out', keys), onestop('keygen', '--out', otherKeys)]);
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
}, 60_000);

describe('onestop release', { timeout: 60_000 }, () => {
  it('keygen writes the private key 0600 and refuses to replace a key', async () => {
    expect(statSync(join(keys, KEY_FILES.private)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keys, KEY_FILES.private), 'utf8')).toContain('PRIVATE KEY');
    expect(readFileSync(join(keys, KEY_FILES.public), 'utf8')).toContain('PUBLIC KEY');
    const before = readFileSync(join(keys, KEY_FILES.private), 'utf8');
    const again = await onestop('keygen', '--out', keys);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toMatch(/exists: refusing to replace a release key$/);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(keys, KEY_FILES.private), 'utf8')).toBe(before);
  });

  it('create builds a models release whose manifest names the models as birth does', async () => {
    const r = await onestop(
      'create',
      '--version',
      '1.1.0',
      '--key',
      join(keys, KEY_FILES.private),
      '--out',
      bundle,
      '--models',
      models,
      '--notes',
      'new expression model',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/release 1\.1\.0 \(models\): 2 files/);
    const opened = await openBundle(bundle, {
      publicKeys: [readFileSync(join(keys, KEY_FILES.public), 'utf8')],
    });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const sha = (m: string) =>
      createHash('sha256')
        .update(readFileSync(join(models, `${m}.onnx`)))
        .digest('hex');
    expect(opened.manifest).toMatchObject({
      version: '1.1.0',
      components: ['models'],
      platform: null,
      notes: 'new expression model',
      models: MODEL_NAMES.map((name) => ({ name, sha256: sha(name) })),
    });
    expect(opened.manifest.files.map((f) => f.path).sort()).toEqual(
      MODEL_NAMES.map((m) => `models/${m}.onnx`).sort(),
    );
  });

  it('create refuses a bad version, a missing key, an existing output, and nothing to ship', async () => {
    const key = join(keys, KEY_FILES.private);
    const cases: Array<[string[], RegExp]> = [
      [['--version', 'v1', '--key', key, '--out', join(dir, 'x'), '--models', models], /semantic version/],
      [
        ['--version', '1.0.0', '--key', join(dir, 'nokey'), '--out', join(dir, 'x'), '--models', models],
        /cannot read the private key/,
      ],
      [
        [
          '--version',
          '1.0.0',
          '--key',
          join(keys, KEY_FILES.public),
          '--out',
          join(dir, 'x'),
          '--models',
          models,
        ],
        /--key/,
      ],
      [['--version', '1.0.0', '--key', key, '--out', bundle, '--models', models], /exists/],
      [['--version', '1.0.0', '--key', key, '--out', join(dir, 'x')], /--agent, --models DIR, or both/],
    ];
    for (const [args, reason] of cases) {
      const r = await onestop('create', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(reason);
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
  });

  it('verify exits 0 for the intact bundle and its key only, with a one-line reason otherwise', async () => {
    const pub = join(keys, KEY_FILES.public);
    const ok = await onestop('verify', bundle, '--pubkey', pub);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^ok: release 1\.1\.0 \(models\), 2 files, signed by key [0-9a-f]{16}, sha256 [0-9a-f]{64}\n$/,
    );

    const wrongKey = await onestop('verify', bundle, '--pubkey', join(otherKeys, KEY_FILES.public));
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toBe(
      'onestop: refused: the signature does not verify with the given public key(s)\n',
    );

    const bytes = readFileSync(bundle);
    // One byte of the archive (a file or the manifest), and one of the signature itself.
    for (const at of [Math.floor(bytes.length / 3), 40, bytes.length - RELEASE_TRAILER_BYTES + 50]) {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] as number) ^ 0x20;
      const f = join(dir, `tampered-${at}`);
      writeFileSync(f, copy);
      const r = await onestop('verify', f, '--pubkey', pub);
      expect(r.code, `byte ${at}`).toBe(1);
      expect(r.stderr.trim().split('\n'), `byte ${at}`).toHaveLength(1);
      expect(r.stderr).toMatch(/^onestop: refused: /);
    }
    const noKey = await onestop('verify', bundle, '--pubkey', join(dir, 'missing.pem'));
    expect(noKey.code).toBe(1);
    expect(noKey.stderr.trim().split('\n')).toHaveLength(1);
  });
});
