import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentConfig, defineAgentConfig } from '@onestop/firmware-config';
import { CounterSettings, newEventId } from '@onestop/protocol';
import Database from 'better-sqlite3';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../clock.js';
import { createVirtualInputs } from '../devices/create-inputs.js';
import type { CounterInputs } from '../devices/inputs.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { MqttTransport } from '../transport/mqtt-transport.js';
import { type StartAgentOptions, startAgent } from './agent.js';
import type { TransportFactory } from './runtime.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Partial<StartAgentOptions> & { waitConnected?: boolean } = {}) {
  const unitId = uniqueUnit('life');
  const addr = { unitId, counterId: 'q01', deviceId: 'dev-l' };
  const ingest = await TestIngest.connect(unitId);
  cleanups.push(async () => {
    await ingest.clearRetained(addr);
    await ingest.close();
  });
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: addr,
    mqtt: { url: MQTT_URL, username: 'dev-l', password: 'x' },
    dataDir: mkdtempSync(join(tmpdir(), 'agent-life-')),
    devices: { keypad: { profile: 'generic-keypad4-fkeys' }, badge: { profile: 'generic-badge-rfid125' } },
    sessions: { maxHours: 2, endOfDay: null },
  });
  const v = createVirtualInputs({ keypad: 'generic-keypad4-fkeys', badge: 'generic-badge-rfid125' }, logger);
  const { waitConnected = true, ...rest } = options;
  const agent = await startAgent(config, { inputs: v.inputs, logger, ...rest });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await agent.stop();
  });
  if (waitConnected) await agent.bus.once('mqtt.connected');
  const stop = async () => {
    stopped = true;
    await agent.stop();
  };
  return { agent, ingest, addr, v, config, stop };
}

describe('agent lifecycle', () => {
  it('ends the open visit and records it before publishing status "stopped"', async () => {
    const { agent, ingest, v, stop } = await setup();
    v.badge!.typeLine('cb-a');
    agent.input({ type: 'officer', action: 'start-visit' });
    const visitId = agent.state().counter.visit?.id;
    expect(visitId).toBeDefined();
    await stop();
    await ingest.waitFor((r) => r.some((x) => x.channel === 'status' && x.payload.state === 'stopped'));
    const order = ingest.received.map((r) =>
      r.channel === 'evt/visit'
        ? `visit:${r.payload.phase}`
        : r.channel === 'status'
          ? `status:${r.payload.state}`
          : '',
    );
    expect(order.filter((o) => o === 'visit:end' || o === 'status:stopped')).toEqual([
      'visit:end',
      'status:stopped',
    ]);
    expect(ingest.of('evt/visit').at(-1)?.payload).toMatchObject({ visitId, phase: 'end', rated: false });
  });

  it('keeps an open visit across an in-process restart instead of orphaning it', async () => {
    const { agent } = await setup();
    agent.input({ type: 'officer', action: 'start-visit' });
    const visitId = agent.state().counter.visit?.id;
    await agent.restart('test');
    expect(agent.state().counter.visit?.id).toBe(visitId);
  });

  it('freezes the counter while a restarting runtime waits for its devices to close', async () => {
    // The devices take their time to close (a USB handle, a camera): the window the guard covers.
    const v0 = createVirtualInputs({ keypad: 'generic-keypad4-fkeys' }, logger);
    let inStop!: () => void;
    const stopping = new Promise<void>((r) => (inStop = r));
    let release: (() => void) | null = null;
    const inputs: CounterInputs = {
      start: (f) => v0.inputs.start(f),
      status: () => v0.inputs.status(),
      stop: async () => {
        if (release === null) {
          const gate = new Promise<void>((r) => (release = r));
          inStop();
          await gate;
        }
        await v0.inputs.stop();
      },
    };
    const { agent } = await setup({ inputs });
    // Run first (cleanups run in reverse): a failed assertion must not leave the stop hanging.
    cleanups.push(async () => (release as (() => void) | null)?.());
    const ratings: string[] = [];
    agent.bus.on('event.recorded', ({ event }) => {
      if (event.channel === 'evt/rating') ratings.push(event.body.visitId ?? 'none');
    });
    agent.input({ type: 'officer', action: 'start-visit' });
    agent.input({ type: 'officer', action: 'end-visit' });
    expect(agent.state().screen.kind).toBe('rating');
    const restarted = agent.restart('test');
    await stopping;
    // A touch arriving now must not be recorded by a runtime whose state is already handed over…
    agent.input({ type: 'press', level: 4, scale: 'keypad4', source: 'touch' });
    expect(ratings).toEqual([]);
    release!();
    await restarted;
    // …so the next runtime still shows the prompt, and the citizen's press counts exactly once.
    expect(agent.state().screen.kind).toBe('rating');
    agent.input({ type: 'press', level: 4, scale: 'keypad4', source: 'touch' });
    expect(ratings).toHaveLength(1);
    expect(agent.state().screen.kind).not.toBe('rating');
  });

  it('saves the signed-in officer in the same transaction as the presence event', async () => {
    const { agent, v, config } = await setup();
    // A second connection sees only what is committed: at `event.recorded` (right after the
    // commit of the presence event) the officer must already be on disk, not written after it.
    const disk = new Database(join(config.dataDir, 'outbox.sqlite'), { readonly: true });
    cleanups.push(async () => void disk.close());
    const read = disk.prepare("SELECT value FROM meta WHERE key = 'officer'");
    const onDisk: string[] = [];
    agent.bus.on('event.recorded', ({ event }) => {
      if (event.channel !== 'evt/presence') return;
      const row = read.get() as { value: string } | undefined;
      onDisk.push(`${event.body.state}: ${row?.value ?? 'nothing'}`);
    });
    v.badge!.typeLine('cb-a');
    v.badge!.typeLine('cb-a');
    expect(onDisk).toEqual([
      expect.stringMatching(/^signed_in: \{"id":"cb-a","since":\d+\}$/),
      'signed_out: null',
    ]);
  });

  it('signs a forgotten session out automatically (source "timeout") after sessions.maxHours', async () => {
    let offset = 0;
    const clock: Clock = {
      now: () => Date.now() + offset,
      mono: () => Math.floor(performance.now()) + offset,
    };
    const { agent, ingest, v } = await setup({ clock });
    v.badge!.typeLine('cb-a');
    offset = 2 * 3_600_000 + 1_000;
    agent.input({ type: 'tick' });
    expect(agent.state().counter.officer).toBeNull();
    await ingest.waitFor((r) =>
      r.some((x) => x.channel === 'evt/presence' && x.payload.state === 'signed_out'),
    );
    expect(ingest.of('evt/presence').at(-1)?.payload).toMatchObject({ officerId: 'cb-a', source: 'timeout' });
  });

  it('does not let a failed restart wedge the ones after it', async () => {
    let failing = 0;
    // Building the runtime fails while `failing` > 0.
    const transport: TransportFactory = (opts, handlers) => {
      if (failing > 0) {
        failing--;
        throw new Error('transport failed to build');
      }
      return new MqttTransport(opts, handlers);
    };
    const { agent, v } = await setup({ transport });
    const ratings: number[] = [];
    agent.bus.on('event.recorded', ({ event }) => {
      if (event.channel === 'evt/rating') ratings.push(event.body.level);
    });
    failing = 2;
    const back = agent.bus.once('mqtt.connected', () => true, 10_000);
    await expect(agent.restart('first')).rejects.toThrow(/transport failed to build/);
    // Same config, nothing left to fall back to, no broker link for a `cmd/restart`: the agent
    // must come back on its own (here after a second failed try), not wait for someone to come.
    await back;
    expect(failing).toBe(0);
    agent.input({ type: 'officer', action: 'start-visit' });
    agent.input({ type: 'officer', action: 'end-visit' });
    v.keypad!.pressLevel(4);
    expect(ratings).toEqual([4]);
    await agent.restart('second');
    await agent.bus.once('mqtt.connected');
    expect(agent.state().restarts).toBe(2);
    agent.input({ type: 'officer', action: 'start-visit' });
    expect(agent.state().outbox.depth).toBeGreaterThan(0);
  });

  it('falls back to the running config when a reloaded one cannot start', async () => {
    const blocked = join(mkdtempSync(join(tmpdir(), 'agent-life-')), 'a-file');
    writeFileSync(blocked, 'not a directory');
    let next: AgentConfig | null = null;
    const { agent, config, ingest, addr } = await setup({ reloadConfig: () => next! });
    next = { ...config, dataDir: join(blocked, 'data') }; // mkdir fails: ENOTDIR
    const back = agent.bus.once('mqtt.connected', () => true, 15_000);
    await ingest.send(addr, 'cmd/reload-config', { v: 1, cmdId: newEventId(), ts: Date.now(), args: {} });
    await back;
    expect(agent.config().dataDir).toBe(config.dataDir);
    expect(agent.state().restarts).toBe(1);
  });

  it('retries a refused subscription instead of staying deaf to acks and config', async () => {
    let refusals = 1;
    const transport: TransportFactory = (opts, handlers) => {
      const real = new MqttTransport(opts, handlers);
      const subscribe = real.subscribe.bind(real);
      real.subscribe = async (topics) => {
        if (refusals > 0) {
          refusals--;
          throw new Error('broker refused subscription(s)');
        }
        await subscribe(topics);
      };
      return real;
    };
    const { agent, ingest, addr } = await setup({ transport, waitConnected: false });
    await agent.bus.once('mqtt.connected', () => true, 8_000);
    expect(refusals).toBe(0);
    const applied = agent.bus.once('config.applied');
    await ingest.send(addr, 'config', {
      v: 1,
      version: 3,
      ts: Date.now(),
      settings: CounterSettings.parse({ scale: 'keypad3' }),
    });
    expect((await applied).version).toBe(3);
  });
});
