import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { OLDEST_READABLE_CONFIG_SCHEMA, writePrivateFile } from '@onestop/firmware-config';
import { type ReleaseComponent, ReleaseVersion } from '@onestop/protocol';
import {
  type BundleSource,
  createBundle,
  generateReleaseKeyPair,
  openBundle,
  releaseKeyId,
  releasePrivateKey,
  releasePublicKey,
} from '@onestop/release';
import { UsageError } from '../errors.js';

export const KEY_FILES = { private: 'release-key.pem', public: 'release-key.pub.pem' } as const;

/** Writes a new key pair; refuses to replace either file (a lost key strands every board on it). */
export function releaseKeygen(outDir: string): string[] {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const priv = join(dir, KEY_FILES.private);
  const pub = join(dir, KEY_FILES.public);
  for (const f of [priv, pub])
    if (existsSync(f)) throw new UsageError(`${f} exists: refusing to replace a release key`);
  const keys = generateReleaseKeyPair();
  writePrivateFile(priv, keys.privatePem, true);
  writePrivateFile(pub, keys.publicPem, true, 0o644);
  const id = releaseKeyId(releasePublicKey(keys.publicPem));
  return [
    `private key → ${priv} (mode 0600: keep it off the centre and the boards)`,
    `public key  → ${pub} (key id ${id}: give it to the centre, which hands it to boards at pairing)`,
  ];
}

function readKey(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

export async function releaseCreate(o: {
  version: string;
  key: string;
  out: string;
  agent?: boolean;
  models?: string;
  notes?: string;
}): Promise<string[]> {
  const version = ReleaseVersion.safeParse(o.version);
  if (!version.success) throw new UsageError(`--version: ${version.error.issues[0]?.message}`);
  if (!o.agent && !o.models)
    throw new UsageError('say what the release holds: --agent, --models DIR, or both');
  const privatePem = readKey(o.key, 'private key');
  try {
    releasePrivateKey(privatePem);
  } catch (e) {
    throw new UsageError(`--key ${o.key}: ${(e as Error).message.split('\n')[0]}`);
  }
  const out = resolve(o.out);
  if (existsSync(out)) throw new UsageError(`${out} exists: choose another --out`);
  const { RELEASE_ENTRY, RELEASE_MODELS_DIR, releaseEntrySource, releaseModelFiles } = await import(
    '@onestop/edge-agent'
  );

  const components: ReleaseComponent[] = [];
  const sources: BundleSource[] = [];
  let platform = null;
  const scratch = mkdtempSync(join(tmpdir(), 'onestop-release-'));
  try {
    if (o.agent) {
      if (process.platform !== 'linux')
        throw new UsageError(
          'an agent release is built on Linux, on the CPU the boards have (its native addons)',
        );
      const arch = process.arch;
      if (arch !== 'arm64' && arch !== 'arm' && arch !== 'x64')
        throw new UsageError(`boards are arm64, arm or x64; this machine is ${arch}`);
      const { agentFiles } = await import('./agent-files.js');
      let files: ReturnType<typeof agentFiles>;
      try {
        files = agentFiles(arch);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (!files.some((f) => f.path.startsWith('node_modules/@onestop/edge-agent/dist/')))
        throw new UsageError('the agent is not built: run `npm run build` first');
      components.push('agent');
      platform = { os: 'linux' as const, arch, nodeAbi: process.versions.modules };
      const entry = join(scratch, RELEASE_ENTRY);
      // The agent bundled in the release, found by Node under its node_modules/.
      writeFileSync(entry, releaseEntrySource('@onestop/edge-agent'));
      sources.push({ path: RELEASE_ENTRY, from: entry }, ...files);
    }
    // The models this release runs, hashed as birth.models reports them.
    let models: Awaited<ReturnType<typeof releaseModelFiles>>;
    try {
      models = await releaseModelFiles(o.models ? resolve(o.models) : undefined);
    } catch (e) {
      throw new UsageError(`--models: ${(e as Error).message}`);
    }
    if (o.models) {
      components.push('models');
      for (const m of models) sources.push({ path: `${RELEASE_MODELS_DIR}/${m.name}.onnx`, from: m.path });
    }
    const created = await createBundle(
      {
        version: version.data,
        components,
        platform,
        // Not this CLI's own schema: the oldest device file the release still reads, or the
        // first schema bump would stop every board on the previous one from updating.
        minConfigSchema: OLDEST_READABLE_CONFIG_SCHEMA,
        models: models.map(({ name, sha256 }) => ({ name, sha256 })),
        notes: o.notes ?? '',
      },
      sources,
      privatePem,
      out,
    );
    return [
      `release ${created.manifest.version} (${components.join(' + ')}${platform ? `, linux-${platform.arch} Node ABI ${platform.nodeAbi}` : ''}): ${created.manifest.files.length} files`,
      ...created.manifest.models.map((m) => `model ${m.name} sha256 ${m.sha256}`),
      `bundle → ${out} (${created.size} bytes, sha256 ${created.sha256})`,
    ];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One line either way: what the bundle is, or why it is refused. */
export async function releaseVerify(
  file: string,
  pubkeyFile: string,
): Promise<{ ok: boolean; line: string }> {
  let pem: string;
  try {
    pem = readFileSync(pubkeyFile, 'utf8');
    releasePublicKey(pem);
  } catch (e) {
    return { ok: false, line: `--pubkey ${pubkeyFile}: ${(e as Error).message.split('\n')[0]}` };
  }
  const r = await openBundle(file, { publicKeys: [pem] });
  if (!r.ok) return { ok: false, line: r.reason };
  const m = r.manifest;
  return {
    ok: true,
    line: `ok: release ${m.version} (${m.components.join(' + ')}${m.platform ? `, linux-${m.platform.arch} Node ABI ${m.platform.nodeAbi}` : ''}), ${m.files.length} files, signed by key ${r.keyId}, sha256 ${r.sha256}`,
  };
}
