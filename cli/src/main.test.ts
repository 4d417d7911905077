import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliRun, runCliFromSource } from './test-support/run-cli.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
const dir = mkdtempSync(join(tmpdir(), 'onestop-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A module hook (node:module `register`) that appends every module URL the process resolves to
 * `log`: how a test sees which workspaces a command loaded without timing anything.
 */
function recordImports(log: string): string {
  const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`;
  const preload = `import { register } from 'node:module';
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return `data:text/javascript,${encodeURIComponent(preload)}`;
}

interface Run extends CliRun {
  /** Module URLs the process resolved. */
  loaded: string[];
}

let runs = 0;
async function onestop(args: string[]): Promise<Run> {
  const log = join(dir, `imports-${runs++}.log`);
  const run = await runCliFromSource(args, { nodeArgs: ['--import', recordImports(log)] });
  let loaded: string[] = [];
  try {
    loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  } catch {}
  return { ...run, loaded };
}

/** The project's own workspaces and the heavy libraries that only an action needs. */
const HEAVY =
  /\/(protocol|store|service|broker|ingest|centre|dashboard|edge-agent|firmware-config|models)\/(src|dist)\/|\/node_modules\/(pino|prom-client|yaml|aedes|mqtt|@electric-sql|onnxruntime-node|sharp|drizzle-orm)\//;

/** A module of constants alone, loaded so that `--help` prints the broker's connection limits. */
const CONSTANTS_ONLY = /\/broker\/(src|dist)\/broker\/connection-limits\.(ts|js)$/;
const heavy = (loaded: string[]) => loaded.filter((u) => HEAVY.test(u) && !CONSTANTS_ONLY.test(u));

describe('onestop command line', () => {
  it('prints the package version and loads no workspace', async () => {
    const r = await onestop(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${version}\n` });
    // The hook saw the CLI itself, so an empty match below means something.
    expect(r.loaded.some((u) => u.endsWith('/cli/src/main.ts'))).toBe(true);
    expect(heavy(r.loaded)).toEqual([]);
  });

  it('lists every command in its help and loads no workspace', async () => {
    const r = await onestop(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of [
      'serve',
      'broker',
      'ingest',
      'dashboard',
      'agent',
      'hid',
      'camera',
      'device',
      'user',
      'officer',
      'perceive',
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\b`, 'm'));
    expect(heavy(r.loaded)).toEqual([]);
  });

  it("keeps each command's flags and checks their values before loading anything", async () => {
    const help = await onestop(['serve', '--help']);
    expect(help.stdout).toContain('--mqtt-port <port>');
    expect(help.stdout).toContain('--camera-replay <dir>');
    expect(help.stdout).toContain('--redis <url>');
    const bad = await onestop(['serve', '--mqtt-port', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--mqtt-port must be a port number 0–65535, got 'x'");
    expect(heavy(bad.loaded)).toEqual([]);
    for (const [flags, message] of [
      [['--scale', 'stars5'], "--scale must be one of keypad3, keypad4, keypad5, got 'stars5'"],
      [['--officer-keys', 'start-visit,start-visit'], "--officer-keys: 'start-visit' is named twice"],
    ] as const) {
      const learn = await onestop([
        'hid',
        'learn',
        '--out',
        join(dir, 'k.json'),
        '--device',
        '1a2c:0e24',
        ...flags,
      ]);
      expect(learn.code).toBe(2);
      expect(learn.stderr).toContain(message);
      expect(heavy(learn.loaded)).toEqual([]);
    }
    for (const n of ['abc', '-5', '0', '2.5']) {
      const watchdog = await onestop(['agent', 'install', '--config', '/x.yaml', '--watchdog-sec', n]);
      expect(watchdog.code).toBe(2);
      expect(watchdog.stderr).toContain(`--watchdog-sec must be a whole number 1–3600, got '${n}'`);
    }
    const agent = await onestop(['agent', '--help']);
    expect(agent.stdout).toContain('--virtual-devices');
    expect((await onestop(['ingest', '--help'])).stdout).toContain('--commit-lanes <n>');
    const lanes = await onestop(['ingest', '--mqtt-url', 'mqtt://127.0.0.1:1', '--commit-lanes', '0']);
    expect(lanes.code).toBe(2);
    expect(lanes.stderr).toContain("--commit-lanes must be a whole number 1–16, got '0'");
    expect(heavy(lanes.loaded)).toEqual([]);
  });

  it('loads what an action needs inside the action', async () => {
    const r = await onestop(['device', 'config', 'set', '--unit', 'u1', '--file', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^onestop: --file: cannot read .*missing\.yaml/);
    expect(r.loaded.some((u) => u.includes('/node_modules/yaml/'))).toBe(true);
    // Refused before reaching any store: the settings file is the operator's, read first.
    expect(r.loaded.some((u) => u.includes('/store/src/'))).toBe(false);
    // With no centre running, the command opens the embedded database itself.
    const list = await onestop(['device', 'list', '--data', join(dir, 'no-centre')]);
    expect(list).toMatchObject({ code: 0, stdout: '' });
    expect(list.loaded.some((u) => u.includes('/store/src/'))).toBe(true);
  });
});
