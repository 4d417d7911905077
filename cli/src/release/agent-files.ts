import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { ReleasePath } from '@onestop/protocol';

/** One file of the agent as it will sit in the release (`path`), and where it is here (`from`). */
export interface AgentFile {
  path: string;
  from: string;
  executable: boolean;
}

interface PackageJson {
  name: string;
  files?: string[];
  workspaces?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as PackageJson;

/** What no board runs: sources, build bookkeeping, nested installs (walked as packages of their own). */
const WORKSPACE_SKIP = new Set(['node_modules', 'src', 'scripts', 'bench', 'test', 'tests']);
/**
 * Folders no package loads at run time (its own tests and their fixtures, build intermediates),
 * left out as node-prune does; dot files and folders (.github, .npmignore, .deps) too, which a
 * release path may not even name (ReleasePath).
 */
const ANY_SKIP = new Set(['test', 'tests', '__tests__', 'fixture', 'fixtures', 'obj.target']);
const ARCHS = ['x64', 'arm64', 'arm', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64'];
const OTHER_OS = ['darwin', 'win32', 'freebsd', 'openbsd', 'android', 'sunos', 'aix'];

/**
 * Whether a path inside a package is a prebuilt binary for another platform (onnxruntime-node
 * ships every OS and CPU in `bin/napi-v3/<os>/<arch>/`, others use `prebuilds/<os>-<arch>/`): the
 * board never loads them and they would make the bundle many times larger.
 */
export function forAnotherPlatform(path: string, arch: string): boolean {
  const segs = path.split('/');
  return segs.some((s, i) => {
    if (OTHER_OS.some((os) => s === os || s.startsWith(`${os}-`))) return true;
    if (s === 'linux') return ARCHS.includes(segs[i + 1] ?? '') && segs[i + 1] !== arch;
    if (s.startsWith('linux-')) {
      const parts = s.slice('linux-'.length).split('-');
      return ARCHS.includes(parts[0] ?? '') && parts[0] !== arch;
    }
    return false;
  });
}

/**
 * The agent's runnable files: `@onestop/edge-agent` and the closure of its production and
 * optional dependencies (never devDependencies), each at the place Node's resolution will look
 * for it under `node_modules/` of the release, with the installed builds of native addons (so the
 * release is for the platform of the machine that built it). Workspace packages contribute what
 * they publish (`files`, or everything but their sources); other packages all of their files but
 * other platforms' binaries. Throws when a required dependency is not installed.
 */
export function agentFiles(arch: string = process.arch): AgentFile[] {
  const require = createRequire(import.meta.url);
  const agentDir = packageRoot(realpathSync(require.resolve('@onestop/edge-agent')));
  const repoRoot = findWorkspaceRoot(agentDir);
  const rootPkg = readJson(join(repoRoot, 'package.json'));
  /** Real folder of each workspace → its name, to place it under node_modules/ in the release. */
  const workspaces = new Map<string, string>();
  for (const w of rootPkg.workspaces ?? []) {
    const dir = join(repoRoot, w);
    if (existsSync(join(dir, 'package.json')))
      workspaces.set(realpathSync(dir), readJson(join(dir, 'package.json')).name);
  }
  const placeOf = (realDir: string): string => {
    for (const [dir, name] of workspaces)
      if (realDir === dir || realDir.startsWith(dir + sep))
        return join('node_modules', name, relative(dir, realDir)).split(sep).join('/');
    const rel = relative(repoRoot, realDir).split(sep).join('/');
    if (!rel.startsWith('node_modules/')) throw new Error(`${realDir} is outside ${repoRoot}`);
    return rel;
  };

  const files: AgentFile[] = [];
  const done = new Set<string>();
  const queue = [agentDir];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (done.has(dir)) continue;
    done.add(dir);
    const pkg = readJson(join(dir, 'package.json'));
    const place = placeOf(dir);
    const isWorkspace = workspaces.has(dir);
    for (const f of packageFiles(dir, pkg, isWorkspace))
      if (!forAnotherPlatform(f, arch))
        files.push({
          path: `${place}/${f}`,
          from: join(dir, f),
          executable: (lstatSync(join(dir, f)).mode & 0o111) !== 0,
        });
    for (const [deps, optional] of [
      [pkg.dependencies, false],
      [pkg.optionalDependencies, true],
    ] as const)
      for (const name of Object.keys(deps ?? {})) {
        const found = resolvePackage(name, dir);
        if (found) queue.push(found);
        else if (!optional) throw new Error(`${pkg.name} needs ${name}, which is not installed: run npm ci`);
      }
  }
  const unnamable = files.find((f) => !ReleasePath.safeParse(f.path).success);
  if (unnamable) throw new Error(`${unnamable.from}: a release cannot hold a file of that name`);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Node's own lookup: `node_modules/<name>` in the folder and each parent, whatever `exports` says. */
function resolvePackage(name: string, fromDir: string): string | null {
  for (let d = fromDir; ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(dirname(candidate));
    if (dirname(d) === d) return null;
  }
}

function packageRoot(file: string): string {
  for (let d = dirname(file); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new Error(`no package.json above ${file}`);
  }
}

function findWorkspaceRoot(from: string): string {
  for (let d = dirname(from); ; d = dirname(d)) {
    const p = join(d, 'package.json');
    if (existsSync(p) && readJson(p).workspaces) return d;
    if (dirname(d) === d) throw new Error(`no workspace root above ${from}`);
  }
}

function packageFiles(dir: string, pkg: PackageJson, isWorkspace: boolean): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = join(dir, rel);
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return;
    if (st.isFile()) {
      if (!/\.tsbuildinfo$|(^|\/)tsconfig[^/]*\.json$|\.test\.[cm]?[jt]sx?$/.test(rel)) out.push(rel);
      return;
    }
    if (!st.isDirectory()) return; // symlinks (.bin) are not shipped: Node resolves without them
    for (const e of readdirSync(abs)) {
      if (e === 'node_modules' || e.startsWith('.')) continue;
      if ((rel !== '' || !isWorkspace) && ANY_SKIP.has(e) && lstatSync(join(abs, e)).isDirectory()) continue;
      if (isWorkspace && rel === '' && !pkg.files && WORKSPACE_SKIP.has(e)) continue;
      walk(rel ? `${rel}/${e}` : e);
    }
  };
  if (isWorkspace && pkg.files) {
    walk('package.json');
    for (const f of pkg.files) walk(f.replace(/^\.\//, '').replace(/\/$/, ''));
  } else {
    walk('');
  }
  return [...new Set(out)];
}
