import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * One browser script of a server: a TypeScript entry bundled for the browser by esbuild.
 *
 * The package's build step writes it once beside the compiled server, which then only reads that
 * file: esbuild is a build tool (a devDependency), never needed where the server runs. Run from
 * sources (vitest, tsx) the server bundles the source itself, so a test always sees the current
 * client, never a stale build. Shared by the edge agent's kiosk and the dashboard, which must not
 * depend on each other.
 */
export interface ClientBundleOptions {
  /** What the script is, for messages ("kiosk client"). */
  name: string;
  /** The TypeScript entry. */
  entry: URL;
  /** Where the build step writes the bundle (under the package's dist/). */
  built: URL;
  /** The caller runs from its sources (`import.meta.url` ends in `.ts`): always bundle afresh. */
  fromSources: boolean;
  /** esbuild targets: the browsers the script must run in. */
  target: string[];
}

export interface ClientBundle {
  /** The script, loaded (or bundled) once per process; a failure is retried next time. */
  script(): Promise<string>;
  /** Build step: bundles the entry minified into `built`. Returns the file written. */
  write(): Promise<string>;
}

/** esbuild's output for one entry; `esbuild` (a devDependency) is loaded only here. */
async function bundle(opts: ClientBundleOptions, minify: boolean): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [fileURLToPath(opts.entry)],
    bundle: true,
    write: false,
    format: 'esm',
    target: opts.target,
    minify,
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error(`esbuild produced no ${opts.name}`);
  return file.text;
}

async function load(opts: ClientBundleOptions): Promise<string> {
  if (opts.fromSources) return bundle(opts, false);
  try {
    return await readFile(opts.built, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  // Compiled with `tsc -b` alone, inside the repository: the sources and esbuild are at hand.
  try {
    return await bundle(opts, true);
  } catch (e) {
    throw new Error(
      `${opts.name} missing (${fileURLToPath(opts.built)}): run \`npm run build\` (${(e as Error).message})`,
    );
  }
}

export function clientBundle(opts: ClientBundleOptions): ClientBundle {
  let script: Promise<string> | null = null;
  return {
    script() {
      script ??= load(opts).catch((e: unknown) => {
        script = null;
        throw e;
      });
      return script;
    },
    async write() {
      if (opts.fromSources) throw new Error('run the build from dist/ (after tsc -b), not from sources');
      await writeFile(opts.built, await bundle(opts, true));
      return fileURLToPath(opts.built);
    },
  };
}

/**
 * A short content hash for an asset's URL (`name.<hash>.js`): a changed script gets a new URL,
 * so the old one may be cached forever.
 */
export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 12);
}
