import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CONFIG_SCHEMA_VERSION } from '@onestop/firmware-config';
import type { ReleaseManifest } from '@onestop/protocol';
import { openBundle } from '@onestop/release';
import { type InstallLayout, RELEASE_ENTRY, RELEASE_MODELS_DIR, syncDir } from './layout.js';

export type Installed = { ok: true; manifest: ReleaseManifest } | { ok: false; reason: string };

export interface InstallOptions {
  layout: InstallLayout;
  bundle: string;
  /** The version the offer named: a bundle of another version is refused. */
  version: string;
  publicKeys: readonly string[];
  /** The release running now: a models-only release takes its agent code from it. */
  running: string | null;
  platform?: { arch: string; nodeAbi: string };
}

/**
 * Verifies the bundle with the paired keys and unpacks it into `releases/<version>/`: into a
 * temporary folder first, renamed into place only once every file matched the signed manifest,
 * so a `releases/<version>` that exists is always complete (a crash leaves only a `.tmp` folder,
 * removed on the next attempt). Nothing else changes here: `current` is switched by the caller.
 */
export async function installRelease(o: InstallOptions): Promise<Installed> {
  const { layout } = o;
  const platform = o.platform ?? { arch: process.arch, nodeAbi: process.versions.modules };
  await mkdir(layout.releases, { recursive: true });
  const tmp = join(layout.releases, `.${o.version}.tmp`);
  await rm(tmp, { recursive: true, force: true });
  const r = await openBundle(o.bundle, { publicKeys: o.publicKeys, extractTo: tmp });
  const refuse = async (reason: string): Promise<Installed> => {
    await rm(tmp, { recursive: true, force: true });
    return { ok: false, reason };
  };
  if (!r.ok) return refuse(r.reason);
  const m = r.manifest;
  if (m.version !== o.version)
    return refuse(`the bundle is version ${m.version}, the offer says ${o.version}`);
  // This agent writes (and pairing wrote) the device file at its own schema: the release must
  // read files that old.
  if (m.minConfigSchema > CONFIG_SCHEMA_VERSION)
    return refuse(
      `the release reads device files of config schema ${m.minConfigSchema} and later; this board's is ${CONFIG_SCHEMA_VERSION}`,
    );
  if (m.components.includes('agent')) {
    if (!m.platform) return refuse('an agent release without a platform');
    if (m.platform.arch !== platform.arch || m.platform.nodeAbi !== platform.nodeAbi)
      return refuse(
        `built for linux-${m.platform.arch} Node ABI ${m.platform.nodeAbi}; this board is linux-${platform.arch} ABI ${platform.nodeAbi}`,
      );
    if (!m.files.some((f) => f.path === RELEASE_ENTRY)) return refuse(`the release has no ${RELEASE_ENTRY}`);
  } else {
    // Models only: the running release's code, with the new models beside it. Anything else in
    // it would replace that code without the agent checks above (platform, entry).
    const stray = m.files.find(
      (f) => f.path !== RELEASE_MODELS_DIR && !f.path.startsWith(`${RELEASE_MODELS_DIR}/`),
    );
    if (stray) return refuse(`a models-only release may hold only ${RELEASE_MODELS_DIR}/, not ${stray.path}`);
    if (!o.running) return refuse('a models-only release needs an agent release installed first');
    const from = layout.release(o.running);
    await cp(from, tmp, {
      recursive: true,
      force: false,
      errorOnExist: false,
      verbatimSymlinks: true,
      filter: (src) => {
        const rel = relative(from, src);
        return rel !== RELEASE_MODELS_DIR && !rel.startsWith(`${RELEASE_MODELS_DIR}${sep}`);
      },
    });
  }
  const final = layout.release(o.version);
  // The old copy is renamed aside, not deleted first: a power cut between the two renames leaves
  // it under `.<version>.old` rather than losing the release altogether.
  const aside = join(layout.releases, `.${o.version}.old`);
  await rm(aside, { recursive: true, force: true });
  if (await stat(final).catch(() => null)) await rename(final, aside);
  await rename(tmp, final);
  syncDir(layout.releases);
  await rm(aside, { recursive: true, force: true });
  return { ok: true, manifest: m };
}
