import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Real photographs for tests and benchmarks. We never hand-craft faces: the images come from
 * Debian's python3-skimage (public-domain sample data) and from the pinned face-api package's demo.
 */
export interface FixtureImages {
  /** skimage astronaut.png: Eileen Collins, NASA portrait, public domain, one smiling face, 512x512. */
  astronaut: string;
  /** skimage chelsea.png: a cat, no human face (negative sample). */
  chelsea: string;
  /** skimage coffee.png: a coffee cup, no face (negative sample). */
  coffee: string;
  /** face-api demo/sample1..6.jpg: group photos with 1 to 5 faces, 1920 px wide. */
  faceApiSamples: string[];
}

const SKIMAGE_FILES = ['astronaut.png', 'chelsea.png', 'coffee.png'] as const;
const SKIMAGE_DATA = 'usr/lib/python3/dist-packages/skimage/data';

/** sha256 of the files in Debian bookworm's python3-skimage 0.19.3-8; a mismatch only warns. */
const KNOWN_SHA256: Record<string, string> = {
  'astronaut.png': '88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5',
  'chelsea.png': '596aa1e7cb875eb79f437e310381d26b338a81c2da23439704a73c4651e8c4bb',
  'coffee.png': 'cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7',
};

/** models/.fixtures (git-ignored); the same path from src/ and dist/. */
export const FIXTURE_DIR = fileURLToPath(new URL('../.fixtures/', import.meta.url));

async function aptDownload(dir: string): Promise<void> {
  try {
    await run('apt-get', ['download', 'python3-skimage'], { cwd: dir, maxBuffer: 1 << 24 });
  } catch {
    // A fresh machine or container often has empty package lists; refresh them once and retry.
    await run('apt-get', ['update'], { maxBuffer: 1 << 24 });
    await run('apt-get', ['download', 'python3-skimage'], { cwd: dir, maxBuffer: 1 << 24 });
  }
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Ensures astronaut/chelsea/coffee PNGs are in `cacheDir`, fetching them with `apt-get download
 * python3-skimage` + `dpkg-deb -x` on first use. Safe to call from parallel test workers: each fetch
 * extracts into its own temporary directory and files are moved into place with atomic renames.
 */
export async function fetchSkimageFixtures(cacheDir = FIXTURE_DIR): Promise<Record<string, string>> {
  const target = join(cacheDir, 'skimage');
  const paths = Object.fromEntries(SKIMAGE_FILES.map((f) => [f, join(target, f)]));
  if (SKIMAGE_FILES.every((f) => existsSync(join(target, f)))) return paths;
  mkdirSync(target, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, 'fetch-'));
  try {
    await aptDownload(tmp);
    const deb = readdirSync(tmp).find((f) => f.startsWith('python3-skimage_') && f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download python3-skimage produced no .deb');
    const root = join(tmp, 'root');
    await run('dpkg-deb', ['-x', join(tmp, deb), root], { maxBuffer: 1 << 24 });
    for (const f of SKIMAGE_FILES) {
      const staged = join(tmp, f);
      copyFileSync(join(root, SKIMAGE_DATA, f), staged);
      const known = KNOWN_SHA256[f];
      if (known && sha256(staged) !== known) {
        process.emitWarning(`fixture ${f} from ${deb} differs from the pinned sha256 ${known}`);
      }
      renameSync(staged, join(target, f));
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`could not fetch python3-skimage fixtures (needs apt-get and dpkg-deb): ${reason}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return paths;
}

/** The face-api demo photographs shipped in the npm package (sorted by name). */
export function faceApiSamples(): string[] {
  const require = createRequire(import.meta.url);
  const demo = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
  return readdirSync(demo)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => join(demo, f));
}

/** All real-photo fixtures, fetching the Debian ones if needed. */
export async function fixtureImages(cacheDir = FIXTURE_DIR): Promise<FixtureImages> {
  const sk = await fetchSkimageFixtures(cacheDir);
  return {
    astronaut: sk['astronaut.png'] as string,
    chelsea: sk['chelsea.png'] as string,
    coffee: sk['coffee.png'] as string,
    faceApiSamples: faceApiSamples(),
  };
}
