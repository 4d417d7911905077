import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * The kiosk page's script: `client/main.ts` bundled for the browser by esbuild.
 *
 * `npm run build` writes it once to `dist/kiosk/client.js`, beside the compiled server, and the
 * device only reads that file: esbuild is a build tool, never needed at the counter. Run from
 * sources (vitest, tsx) the server bundles the source itself, so a test always sees the current
 * client, never a stale build.
 */
const fromSources = import.meta.url.endsWith('.ts');
const ENTRY = fromSources
  ? new URL('./client/main.ts', import.meta.url)
  : new URL('../../src/kiosk/client/main.ts', import.meta.url);
const BUILT = new URL('./client.js', import.meta.url);

/** esbuild's output for the client; `esbuild` (a devDependency) is loaded only here. */
async function bundle(minify: boolean): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(ENTRY)],
    bundle: true,
    write: false,
    format: 'esm',
    // The kiosk is Debian's Chromium on the counter board.
    target: ['chrome100'],
    minify,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no kiosk client');
  return file.text;
}

/** Build step: bundles the client next to the compiled server. Returns the file written. */
export async function writeKioskClient(): Promise<string> {
  if (fromSources) throw new Error('run the build from dist/ (after tsc -b), not from sources');
  await writeFile(BUILT, await bundle(true));
  return fileURLToPath(BUILT);
}

async function load(): Promise<string> {
  if (fromSources) return bundle(false);
  try {
    return await readFile(BUILT, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // Compiled with `tsc -b` alone, inside the repository: the sources and esbuild are at hand.
  try {
    return await bundle(true);
  } catch (e) {
    throw new Error(
      `kiosk client missing (${fileURLToPath(BUILT)}): run \`npm run build\` (${(e as Error).message})`,
    );
  }
}

let script: Promise<string> | null = null;

/** The client script, loaded (or bundled) once per process; a failure is retried next time. */
export function kioskClientScript(): Promise<string> {
  script ??= load().catch((e: unknown) => {
    script = null;
    throw e;
  });
  return script;
}
