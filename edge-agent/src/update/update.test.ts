import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { type AgentConfigInput, writeAgentConfigFile } from '@onestop/firmware-config';
import { releaseDownloadPath, type UpdateOffer } from '@onestop/protocol';
import { createBundle, generateReleaseKeyPair } from '@onestop/release';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Outbox } from '../outbox/outbox.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { installLayout, RELEASE_ENTRY, switchCurrent } from './layout.js';
import { readLauncherState } from './state.js';

/**
 * A board updating itself, end to end with real parts: the launcher (its own process), the real
 * agent (runAgent from the sources) in each release, Mosquitto, and the test's own HTTP server
 * standing in for the centre's download route (HTTP Range, Basic auth with the MQTT credentials).
 */
const FIXTURE = new URL('./release-agent.fixture.ts', import.meta.url).pathname;
const LAUNCHER = new URL('./launcher-main.ts', import.meta.url).pathname;
const keys = generateReleaseKeyPair();
const other = generateReleaseKeyPair();
const unitId = uniqueUnit('upd');
const addr = { unitId, counterId: 'q01', deviceId: 'upd-q01' };
const PASSWORD = 'pw-upd';

let root: string;
let work: string;
let configPath: string;
let dataDir: string;
let ingest: TestIngest;
let server: Server;
let centreUrl: string;
const layout = () => installLayout(root);
/** Bundles the centre serves, by version; `stall` stops sending half-way (a link that hangs). */
const served = new Map<string, Buffer>();
let stall = false;
const ranges: string[] = [];
const seeded: string[] = [];

function centre(req: IncomingMessage, res: ServerResponse): void {
  const expected = `Basic ${Buffer.from(`${addr.deviceId}:${PASSWORD}`).toString('base64')}`;
  if (req.headers.authorization !== expected) return void res.writeHead(401).end();
  const version = [...served.keys()].find((v) => req.url === releaseDownloadPath(v));
  const bytes = version ? served.get(version) : undefined;
  if (!bytes) return void res.writeHead(404).end();
  const m = req.headers.range?.match(/^bytes=(\d+)-$/);
  const start = m ? Number(m[1]) : 0;
  if (m) ranges.push(req.headers.range!);
  res.writeHead(m ? 206 : 200, {
    'content-length': bytes.length - start,
    ...(m ? { 'content-range': `bytes ${start}-${bytes.length - 1}/${bytes.length}` } : {}),
  });
  if (stall) res.write(bytes.subarray(start, start + Math.floor((bytes.length - start) / 2)));
  else res.end(bytes.subarray(start));
}

/** A release whose entry is the real agent, or a one-liner that crashes on start. */
async function buildRelease(version: string, entry: 'agent' | 'crash'): Promise<Buffer> {
  const src = join(work, `${version}.mjs`);
  writeFileSync(
    src,
    entry === 'agent' ? `await import(${JSON.stringify(FIXTURE)});\n` : 'process.exit(1);\n',
  );
  // Padding so that a download takes more than one chunk (the stalled-link case needs a middle).
  const pad = join(work, `${version}.pad`);
  writeFileSync(pad, Buffer.alloc(400_000, version));
  const out = join(work, `${version}.tar.gz`);
  await createBundle(
    {
      version,
      components: ['agent'],
      platform: { os: 'linux', arch: process.arch as 'x64', nodeAbi: process.versions.modules },
      minConfigSchema: 2,
      models: [],
    },
    [
      { path: RELEASE_ENTRY, from: src },
      { path: 'pad.bin', from: pad },
    ],
    keys.privatePem,
    out,
  );
  return readFileSync(out);
}

async function offer(version: string, bytes: Buffer): Promise<UpdateOffer> {
  served.set(version, bytes);
  const o: UpdateOffer = {
    v: 1,
    ts: Date.now(),
    rolloutId: randomUUID(),
    version,
    components: ['agent'],
    url: releaseDownloadPath(version),
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    healthDeadlineS: 60,
  };
  await ingest.send(addr, 'update', o, true);
  return o;
}

interface Board {
  child: ChildProcess;
  lines: string[];
  exited: Promise<void>;
}

/** The systemd service: the launcher in its own process group (a power cut takes the group). */
function boot(crashAt?: string): Board {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      LAUNCHER,
      '--root',
      root,
      '--poll-ms',
      '100',
      // A short stable window: the trial is settled in seconds, not a minute.
      '--stable-ms',
      '1000',
      '--',
      '--config',
      configPath,
    ],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        NODE_NO_WARNINGS: '1',
        // The releases' entries import TypeScript sources: the loader for them too.
        NODE_OPTIONS: '--conditions=source --import tsx',
        ...(crashAt ? { ONESTOP_TEST_CRASH_AT: crashAt } : {}),
      },
    },
  );
  const lines: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, lines, exited };
}

async function powerCut(b: Board): Promise<void> {
  try {
    process.kill(-b.child.pid!, 'SIGKILL');
  } catch {
    // Already gone (the fixture cut it at a step).
  }
  await b.exited;
  // The release the launcher ran is in its group; make sure it is gone too.
  try {
    process.kill(-b.child.pid!, 'SIGKILL');
  } catch {}
}

async function stopBoard(b: Board): Promise<void> {
  b.child.kill('SIGTERM');
  await b.exited;
}

async function until(what: string, test: () => boolean, b?: Board, limitMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > limitMs)
      throw new Error(`never: ${what}\n${b ? b.lines.slice(-30).join('\n') : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const statuses = (version: string) =>
  ingest
    .of('update/status')
    .map((r) => r.payload)
    .filter((p) => p.version === version);
const has = (version: string, state: string, running?: string) =>
  statuses(version).some((p) => p.state === state && (running === undefined || p.running === running));

/** `current` points at a whole release (its entry is there) and the outbox holds every seeded event. */
function assertRunnableAndIntact(): void {
  const target = realpathSync(layout().current);
  expect(basename(target)).not.toMatch(/tmp/);
  expect(existsSync(join(target, RELEASE_ENTRY))).toBe(true);
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const ids = new Set(
      (
        db
          .prepare('SELECT event_id AS id FROM outbox UNION SELECT event_id AS id FROM dead_letter')
          .all() as Array<{
          id: string;
        }>
      ).map((r) => r.id),
    );
    expect(seeded.filter((id) => !ids.has(id))).toEqual([]);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  ingest = await TestIngest.connect(unitId);
  // Nothing is acknowledged: the seeded ratings must stay in the outbox through every update.
  ingest.autoAck = false;
  server = createServer(centre);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  centreUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  work = mkdtempSync(join(tmpdir(), 'update-work-'));
  root = mkdtempSync(join(tmpdir(), 'update-root-'));
  dataDir = join(work, 'data');
  configPath = join(work, 'agent.json');
  const config: AgentConfigInput = {
    schemaVersion: 2,
    device: addr,
    mqtt: { url: MQTT_URL, username: addr.deviceId, password: PASSWORD },
    dataDir,
    updates: { centreUrl, releaseKeys: [keys.publicPem], installRoot: root },
  };
  writeAgentConfigFile(configPath, config);
  const outbox = new Outbox({ dataDir, address: addr, capacity: 1000, alertAt: 900 });
  for (let i = 0; i < 5; i++)
    seeded.push(
      outbox.append('evt/rating', {
        visitId: randomUUID(),
        officerId: null,
        dossierIds: [],
        ticket: `A${i}`,
        scale: 'keypad4',
        level: 4,
        source: 'keypad',
        reasons: [],
        responseMs: 1000,
      } as never).eventId,
    );
  outbox.close();
  // The board as installed: release 1.0.0, the real agent.
  mkdirSync(layout().release('1.0.0'), { recursive: true });
  writeFileSync(
    join(layout().release('1.0.0'), RELEASE_ENTRY),
    `await import(${JSON.stringify(FIXTURE)});\n`,
  );
  switchCurrent(layout(), '1.0.0');
}, 60_000);

afterAll(async () => {
  await ingest?.send(addr, 'update', '', true).catch(() => {});
  await ingest?.clearRetained(addr);
  await ingest?.close();
  await new Promise<void>((r) => server?.close(() => r()));
});

describe('a board updating itself', { timeout: 240_000 }, () => {
  it('refuses a bundle with a byte changed, or signed by another key: nothing switched', async () => {
    const b = boot();
    try {
      const good = await buildRelease('2.0.0', 'agent');
      const tampered = Buffer.from(good);
      const at = Math.floor(tampered.length / 2);
      tampered[at] = (tampered[at] as number) ^ 1;
      await offer('2.0.0', tampered);
      await until('2.0.0 refused', () => has('2.0.0', 'failed'), b);
      expect(statuses('2.0.0').find((p) => p.state === 'failed')?.reason).toMatch(/signature|damaged|gzip/);
      expect(basename(realpathSync(layout().current))).toBe('1.0.0');
      expect(existsSync(layout().release('2.0.0'))).toBe(false);

      ingest.received.length = 0;
      // A whole, well-made release, signed by a key the board was never given.
      await buildRelease('2.0.1', 'agent');
      const signedByOther = join(work, 'other.tar.gz');
      await createBundle(
        {
          version: '2.0.1',
          components: ['agent'],
          platform: { os: 'linux', arch: process.arch as 'x64', nodeAbi: process.versions.modules },
          minConfigSchema: 2,
          models: [],
        },
        [{ path: RELEASE_ENTRY, from: join(work, '2.0.1.mjs') }],
        other.privatePem,
        signedByOther,
      );
      await offer('2.0.1', readFileSync(signedByOther));
      await until('2.0.1 refused', () => has('2.0.1', 'failed'), b);
      expect(statuses('2.0.1').find((p) => p.state === 'failed')?.reason).toBe(
        'the signature does not verify with the given public key(s)',
      );
      expect(basename(realpathSync(layout().current))).toBe('1.0.0');
      assertRunnableAndIntact();
    } finally {
      await stopBoard(b);
    }
  });

  it('installs a signed release, restarts into it and keeps it once healthy', async () => {
    ingest.received.length = 0;
    const b = boot();
    try {
      await offer('2.0.0', await buildRelease('2.0.0', 'agent'));
      await until('2.0.0 healthy', () => has('2.0.0', 'healthy', '2.0.0'), b);
      const steps = statuses('2.0.0').map((p) => p.state);
      for (const s of ['downloading', 'verifying', 'installing', 'restarting', 'healthy'])
        expect(steps).toContain(s);
      expect(basename(realpathSync(layout().current))).toBe('2.0.0');
      await until('launcher committed', () => readLauncherState(layout()).last?.state === 'healthy', b);
      expect(readLauncherState(layout())).toMatchObject({ pending: null, last: { version: '2.0.0' } });
      assertRunnableAndIntact();
    } finally {
      await stopBoard(b);
    }
  });

  it('rolls a release that crashes on start back, by itself, and says why', async () => {
    ingest.received.length = 0;
    const b = boot();
    try {
      await offer('3.0.0', await buildRelease('3.0.0', 'crash'));
      await until('3.0.0 rolled back', () => has('3.0.0', 'rolled-back', '2.0.0'), b);
      expect(statuses('3.0.0').find((p) => p.state === 'rolled-back')?.reason).toBe(
        'exited with code 1 before reporting healthy',
      );
      expect(basename(realpathSync(layout().current))).toBe('2.0.0');
      assertRunnableAndIntact();
    } finally {
      await stopBoard(b);
    }
  });

  // A power cut at each step: the board comes back on a whole release with its outbox, and
  // finishes the update once powered again.
  const STEPS = [
    'downloading',
    'stalled-download',
    'verifying',
    'unpacked',
    'pending',
    'switched',
    'on-trial',
  ];
  for (const [i, step] of STEPS.entries()) {
    it(`survives kill -9 at step "${step}" and then completes the update`, async () => {
      ingest.received.length = 0;
      ranges.length = 0;
      const version = `4.0.${i}`;
      stall = step === 'stalled-download';
      const b = boot(stall ? undefined : step);
      try {
        await offer(version, await buildRelease(version, 'agent'));
        if (stall) {
          const part = join(layout().downloads, `${version}.tar.gz.part`);
          await until('half the bundle on disk', () => existsSync(part) && readFileSync(part).length > 0, b);
          await powerCut(b);
        } else {
          await until(`the cut at ${step}`, () => b.lines.some((l) => l.startsWith(`CRASH ${step}`)), b);
          await b.exited;
          await powerCut(b);
        }
      } finally {
        stall = false;
      }
      assertRunnableAndIntact();
      const again = boot();
      try {
        await until(`${version} healthy after the cut`, () => has(version, 'healthy', version), again);
        expect(basename(realpathSync(layout().current))).toBe(version);
        if (step === 'stalled-download') expect(ranges.length).toBeGreaterThan(0);
        assertRunnableAndIntact();
      } finally {
        await stopBoard(again);
      }
    });
  }
});
