import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import type { UpdateOffer, UpdateStatus } from '@onestop/protocol';
import { generateReleaseKeyPair } from '@onestop/release';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentBus } from '../agent/bus.js';
import type { AgentContext } from '../agent/context.js';
import { installLayout } from './layout.js';
import { type LauncherState, writeLauncherState } from './state.js';
import { Updater } from './updater.js';

/** The updater's decisions on an offer, with a real HTTP server and files, before any install. */
const BYTES = Buffer.from('not a bundle');
const seen: IncomingMessage[] = [];
let server: Server;
let base: string;
const dirs: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req);
    if (req.url?.includes('stall')) {
      // A slow link: some bytes, then nothing until the updater lets go.
      res.writeHead(200, { 'content-length': BYTES.length }).write(BYTES.subarray(0, 3));
      return;
    }
    res.writeHead(200, { 'content-length': BYTES.length }).end(BYTES);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(test: () => boolean): Promise<void> {
  while (!test()) await new Promise((r) => setTimeout(r, 10));
}

function updater(centreUrl: string, underLauncher = true, state?: LauncherState) {
  const dir = mkdtempSync(join(tmpdir(), 'updater-'));
  dirs.push(dir);
  const layout = installLayout(join(dir, 'root'));
  if (state) {
    mkdirSync(layout.root, { recursive: true });
    writeLauncherState(layout, state);
  }
  const logs: string[] = [];
  const log = (...a: unknown[]) => void logs.push(a.map((x) => (typeof x === 'string' ? x : '')).join(''));
  const bus = new AgentBus();
  const statuses: UpdateStatus[] = [];
  const ctx = {
    config: defineAgentConfig({
      schemaVersion: 2,
      device: { unitId: 'u', counterId: 'q01', deviceId: 'dev-u' },
      mqtt: { url: 'mqtt://127.0.0.1:1', username: 'dev-u', password: 'the-password' },
      dataDir: join(dir, 'data'),
      updates: {
        centreUrl,
        releaseKeys: [generateReleaseKeyPair().publicPem],
        installRoot: join(dir, 'root'),
      },
    }),
    address: { unitId: 'u', counterId: 'q01', deviceId: 'dev-u' },
    bus,
    outbox: { bootId: randomUUID() },
    clock: { now: () => Date.now(), mono: () => 0 },
    logger: { info: log, warn: log, debug: log, error: log },
    camera: () => ({ state: 'off', fps: null, inferenceMs: null, error: null }),
    publish: async (_channel: string, payload: UpdateStatus) => {
      statuses.push(payload);
    },
  } as unknown as AgentContext;
  const u = new Updater(ctx, {
    layout: underLauncher ? layout : null,
    running: '1.0.0',
    exit: () => {
      throw new Error('must not restart');
    },
    retryMs: [3_600_000],
    healthPollMs: 20,
  });
  u.start();
  const offer = (url: string, over: Partial<UpdateOffer> = {}) => {
    const o: UpdateOffer = {
      v: 1,
      ts: Date.now(),
      rolloutId: randomUUID(),
      version: '2.0.0',
      components: ['agent'],
      url,
      size: BYTES.length,
      sha256: createHash('sha256').update(BYTES).digest('hex'),
      healthDeadlineS: 60,
      ...over,
    };
    bus.emit('mqtt.message', { channel: 'update', payload: Buffer.from(JSON.stringify(o)) });
  };
  const ended = async () => {
    for (let i = 0; i < 400 && !statuses.some((s) => s.state === 'failed'); i++)
      await new Promise((r) => setTimeout(r, 10));
    u.stop();
    return statuses;
  };
  const withdraw = () => bus.emit('mqtt.message', { channel: 'update', payload: Buffer.alloc(0) });
  return { offer, withdraw, ended, statuses, bus, layout, logs };
}

describe('the updater, given an offer', () => {
  it('sends the device credentials to the centre it was paired with', async () => {
    seen.length = 0;
    const u = updater(base);
    u.offer('/api/releases/2.0.0/bundle');
    const statuses = await u.ended();
    expect(seen[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from('dev-u:the-password').toString('base64')}`,
    );
    // The bytes are not a bundle: refused at verification, reported with the reason.
    expect(statuses.map((s) => s.state)).toEqual(
      expect.arrayContaining(['downloading', 'verifying', 'failed']),
    );
    expect(statuses.at(-1)).toMatchObject({
      version: '2.0.0',
      running: '1.0.0',
      state: 'failed',
      progress: null,
    });
  });

  it('never sends them to a mirror named by the offer', async () => {
    seen.length = 0;
    const u = updater('https://centre.example');
    u.offer(`${base}/mirror/2.0.0.tar.gz`);
    await u.ended();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('refuses a URL that is not http(s), and says so off the launcher', async () => {
    const a = updater(base);
    a.offer('file:///etc/shadow');
    expect((await a.ended()).at(-1)?.reason).toMatch(/not http\(s\)/);
    const b = updater(base, false);
    b.offer('/api/releases/2.0.0/bundle');
    expect((await b.ended()).at(-1)?.reason).toBe('this board does not run under the update launcher');
  });

  it('ignores an offer of what runs, and refuses a malformed one', async () => {
    const u = updater(base);
    const rejected: string[] = [];
    u.bus.on('rejected', (r) => void rejected.push(r.source));
    u.offer('/api/releases/1.0.0/bundle', { version: '1.0.0' });
    u.offer('/x', { sha256: 'nope' });
    // A real offer after them: once it has ended, the two before have had every chance to act.
    u.offer('/api/releases/2.0.0/bundle');
    const statuses = await u.ended();
    expect(statuses.every((s) => s.version === '2.0.0')).toBe(true);
    expect(rejected).toEqual(['mqtt update']);
  });

  it('waits while a release is on trial: the last healthy one stays the way back', async () => {
    seen.length = 0;
    const trial: LauncherState = {
      pending: {
        version: '1.0.0',
        previous: '0.9.0',
        rolloutId: null,
        deadline: Date.now() + 60_000,
        attempts: 1,
      },
      last: null,
    };
    const u = updater(base, true, trial);
    u.offer('/api/releases/2.0.0/bundle');
    await until(() => u.logs.filter((l) => l.includes('deferred')).length >= 2);
    expect(seen).toHaveLength(0);
    expect(u.statuses).toHaveLength(0);
    // The trial is settled (committed): the offer is taken up.
    writeLauncherState(u.layout, { pending: null, last: null });
    await u.ended();
    expect(seen).toHaveLength(1);
  });

  it('drops a withdrawn offer: the download stops, nothing fails, nothing is rejected', async () => {
    seen.length = 0;
    const u = updater(base);
    const rejected: string[] = [];
    u.bus.on('rejected', (r) => void rejected.push(r.source));
    mkdirSync(u.layout.downloads, { recursive: true });
    writeFileSync(join(u.layout.downloads, '1.5.0.tar.gz.part'), 'an older offer');
    u.offer('/api/releases/2.0.0/stall');
    await until(() => seen.length === 1);
    const closed = new Promise((r) => seen[0]!.socket.once('close', r));
    u.withdraw();
    await closed;
    await until(() => u.logs.some((l) => l.includes('abandoned')));
    // Neither the withdrawn offer's .part nor an older one stays behind.
    expect(readdirSync(u.layout.downloads)).toEqual([]);
    expect(rejected).toEqual([]);
    expect(u.statuses.map((s) => s.state)).not.toContain('failed');
  });

  it('refuses a downgrade, and says so', async () => {
    seen.length = 0;
    const u = updater(base);
    u.offer('/api/releases/0.9.0/bundle', { version: '0.9.0' });
    expect((await u.ended()).at(-1)).toMatchObject({
      version: '0.9.0',
      state: 'failed',
      reason: 'downgrade refused',
    });
    expect(seen).toHaveLength(0);
  });
});
