import { closeSync, fsyncSync, openSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * The install root of a board that updates itself (issue 14), shared by the launcher (which stays
 * outside releases) and the agent (which runs inside one):
 *
 *   <root>/releases/<version>/   one unpacked release each, complete or absent (renamed into place)
 *   <root>/current -> releases/<version>   what the launcher runs; swapped by rename only
 *   <root>/downloads/            bundles being fetched (`.part`) or waiting to be unpacked
 *   <root>/state.json            the launcher's durable state (state.ts)
 *   <root>/healthy.json          the running release's "I am healthy" mark
 *
 * The outbox and the device file live elsewhere (dataDir, /etc/onestop): nothing here touches them.
 */
export function installLayout(root: string) {
  return {
    root,
    releases: join(root, 'releases'),
    release: (version: string) => join(root, 'releases', version),
    current: join(root, 'current'),
    downloads: join(root, 'downloads'),
    state: join(root, 'state.json'),
    healthy: join(root, 'healthy.json'),
  };
}
export type InstallLayout = ReturnType<typeof installLayout>;

/** The file a release's `main` is: the launcher runs `node <release>/agent.mjs <args>`. */
export const RELEASE_ENTRY = 'agent.mjs';

/**
 * The source of a release's entry: one definition for `onestop release create` (which imports the
 * agent bundled in the release, `@onestop/edge-agent`) and `onestop agent install` (whose first
 * release imports the agent installed with the CLI, by file URL).
 */
export function releaseEntrySource(agentModule: string): string {
  return `// An onestop agent release, started by the launcher: node ${RELEASE_ENTRY} --config FILE
const { runAgent } = await import(${JSON.stringify(agentModule)});
const at = process.argv.indexOf('--config');
if (at < 0 || !process.argv[at + 1]) {
  process.stderr.write('usage: ${RELEASE_ENTRY} --config FILE\\n');
  process.exit(2);
}
await runAgent(process.argv[at + 1]);
`;
}

/** Where a release's own models are; the launcher points ONESTOP_MODEL_DIR there when present. */
export const RELEASE_MODELS_DIR = 'models';

/** Environment the launcher gives the release it runs: how the agent finds its install. */
export const LAUNCH_ENV = { root: 'ONESTOP_INSTALL_ROOT', release: 'ONESTOP_RELEASE' } as const;

/** The release the launcher started this process from, or null outside the launcher. */
export function runningRelease(env: NodeJS.ProcessEnv = process.env): string | null {
  return env[LAUNCH_ENV.release] || null;
}

/** The version `current` points at, or null when there is no `current` yet. */
export function currentVersion(layout: InstallLayout): string | null {
  try {
    return basename(readlinkSync(layout.current));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Points `current` at `releases/<version>` atomically: a new symlink beside it, renamed over it
 * (rename(2) replaces the old link in one step), then the folder synced. A crash leaves the old
 * link or the new one, never none; a relative target keeps the root movable.
 */
export function switchCurrent(layout: InstallLayout, version: string): void {
  const tmp = `${layout.current}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  symlinkSync(join('releases', version), tmp);
  try {
    renameSync(tmp, layout.current);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(layout.root);
}

/** Makes a rename or a new entry in `dir` durable (a power cut could otherwise undo it). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
