import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentConfig, defineAgentConfig, parseAgentConfig } from '@onestop/firmware-config';
import { CounterSettings, newEventId, validatePayload } from '@onestop/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualInputs } from '../devices/create-inputs.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { type Agent, startAgent } from './agent.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  opts: {
    autoAck?: boolean;
    ackTimeoutMs?: number;
    capacity?: number;
    reloadConfig?: () => AgentConfig;
    settings?: Partial<CounterSettings>;
  } = {},
) {
  const unitId = uniqueUnit('agent');
  const addr = { unitId, counterId: 'q01', deviceId: 'dev-a' };
  const ingest = await TestIngest.connect(unitId);
  ingest.autoAck = opts.autoAck ?? true;
  cleanups.push(async () => {
    await ingest.clearRetained(addr);
    await ingest.close();
  });
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: addr,
    mqtt: { url: MQTT_URL, username: 'dev-a', password: 'x' },
    dataDir: mkdtempSync(join(tmpdir(), 'agent-')),
    settings: { telemetryIntervalMs: 5_000, ...opts.settings },
    devices: {
      keypad: { profile: 'generic-keypad4-fkeys' },
      scanner: { profile: 'generic-scanner-wedge' },
      badge: { profile: 'generic-badge-rfid125' },
    },
    outbox: { capacity: opts.capacity ?? 100_000, alertAt: Math.min(10_000, opts.capacity ?? 100_000) },
  });
  const v = createVirtualInputs(
    { keypad: 'generic-keypad4-fkeys', scanner: 'generic-scanner-wedge', badge: 'generic-badge-rfid125' },
    logger,
  );
  const agent = await startAgent(config, {
    inputs: v.inputs,
    logger,
    publisher: { ackTimeoutMs: opts.ackTimeoutMs ?? 30_000 },
    ...(opts.reloadConfig ? { reloadConfig: opts.reloadConfig } : {}),
  });
  let stopped = false;
  cleanups.push(async () => {
    if (!stopped) await agent.stop();
  });
  await agent.bus.once('mqtt.connected');
  return {
    agent,
    ingest,
    addr,
    v,
    stop: async () => {
      stopped = true;
      await agent.stop();
    },
  };
}

/** One served citizen through the virtual devices, as a real counter would see it. */
async function serveCitizen(
  agent: Agent,
  v: ReturnType<typeof createVirtualInputs>,
  ticket: string,
  level: number,
) {
  v.scanner!.typeLine(ticket);
  v.scanner!.typeLine('000.00.12.H26-251124-0001');
  agent.input({ type: 'officer', action: 'end-visit' });
  const recorded = agent.bus.once('event.recorded', (r) => r.event.channel === 'evt/rating');
  v.keypad!.pressLevel(level);
  return (await recorded).entry.eventId;
}

describe('startAgent against Mosquitto', () => {
  it('announces itself, records a whole visit and drops events only when acked', async () => {
    const { agent, ingest, v } = await setup();
    await ingest.waitFor((r) => r.some((x) => x.channel === 'birth'));
    expect(ingest.of('status')[0]?.payload).toMatchObject({ state: 'online', bootId: agent.state().bootId });
    expect(ingest.of('birth')[0]?.payload).toMatchObject({
      capabilities: ['keypad', 'scanner', 'badge'],
      configVersion: null,
      // Its keypad profile's scale: the centre refuses settings of another (store/device-config).
      keypadScale: 'keypad4',
    });

    v.badge!.typeLine('cb-nguyen-van-a');
    const ratingId = await serveCitizen(agent, v, 'A015', 4);
    await ingest.waitFor((r) => r.some((x) => x.payload.eventId === ratingId));
    // The visit ends once the rating is recorded, so its event follows the rating's on the wire.
    await ingest.waitFor((r) => r.some((x) => x.channel === 'evt/visit' && x.payload.phase === 'end'));
    const events = ingest.received.filter((r) => r.channel.startsWith('evt/'));
    // The birth reads the events' monotonic clock as it leaves: the centre anchors the boot by it.
    const birthMono = ingest.of('birth')[0]?.payload.mono;
    expect(typeof birthMono).toBe('number');
    expect(birthMono).toBeLessThanOrEqual(events[0]?.payload.mono as number);
    expect(
      events.map((e) => `${e.channel}:${e.payload.phase ?? e.payload.state ?? e.payload.level}`),
    ).toEqual(['evt/presence:signed_in', 'evt/visit:start', 'evt/rating:4', 'evt/visit:end']);
    expect(events.find((e) => e.channel === 'evt/rating')?.payload).toMatchObject({
      officerId: 'cb-nguyen-van-a',
      ticket: 'A015',
      dossierIds: ['000.00.12.H26-251124-0001'],
      scale: 'keypad4',
      source: 'keypad',
    });
    const seqs = events.map((e) => e.payload.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await expect.poll(() => agent.state().outbox.depth, { timeout: 5_000 }).toBe(0);
    await ingest.waitFor((r) => r.some((x) => x.channel === 'telemetry'), 7_000);
    expect(validatePayload('telemetry', ingest.of('telemetry')[0]!.payload).ok).toBe(true);
    const tel = validatePayload('telemetry', agent.telemetry());
    expect(tel.ok ? tel.value : tel.reason).toMatchObject({
      outbox: { depth: 0, capacity: 100_000 },
      hid: [
        { role: 'keypad', state: 'virtual' },
        { role: 'scanner', state: 'virtual' },
        { role: 'badge', state: 'virtual' },
      ],
      camera: { state: 'off' },
    });
  });

  it('sends one rating per visit: the level changed within the undo window, after the window', async () => {
    const { agent, ingest, v } = await setup({ settings: { undoWindowMs: 2_000, minPressIntervalMs: 0 } });
    v.badge!.typeLine('cb-nguyen-van-a');
    const ratingId = await serveCitizen(agent, v, 'A016', 4);
    // Held: on disk (depth counts it) but not on the wire, nor the visit end behind it.
    expect(agent.state().screen).toMatchObject({ kind: 'thanks', level: 4, undoUntil: expect.any(Number) });
    const amended = agent.bus.once('event.amended');
    v.keypad!.pressLevel(1);
    await amended;
    expect(agent.state().screen).toMatchObject({ kind: 'thanks', level: 1 });
    expect(ingest.received.some((r) => r.channel === 'evt/rating')).toBe(false);
    await ingest.waitFor((r) => r.some((x) => x.channel === 'evt/visit' && x.payload.phase === 'end'));
    // After the window the level is final: a press is ignored, counted as today.
    v.keypad!.pressLevel(3);
    await expect.poll(() => agent.state().counter.ignoredPresses).toBe(1);
    await expect.poll(() => agent.state().outbox.depth, { timeout: 5_000 }).toBe(0);
    const ratings = ingest.received.filter((r) => r.channel === 'evt/rating');
    expect(ratings.map((r) => [r.payload.eventId, r.payload.level, r.payload.source])).toEqual([
      [ratingId, 1, 'keypad'],
    ]);
    const events = ingest.received.filter((r) => r.channel.startsWith('evt/'));
    expect(
      events.map((e) => `${e.channel}:${e.payload.phase ?? e.payload.state ?? e.payload.level}`),
    ).toEqual(['evt/presence:signed_in', 'evt/visit:start', 'evt/rating:1', 'evt/visit:end']);
  });

  it('keeps un-acked events and re-sends them after a timeout, without duplicating records', async () => {
    // (No undo window: the first send is not held back, only the re-sends are timed.)
    const { agent, ingest, v } = await setup({
      autoAck: false,
      ackTimeoutMs: 600,
      settings: { undoWindowMs: 0 },
    });
    const id = await serveCitizen(agent, v, 'B001', 2);
    await ingest.waitFor((r) => r.filter((x) => x.payload.eventId === id).length >= 2, 5_000);
    expect(agent.state().outbox.depth).toBe(3); // visit start, rating, visit end: nothing dropped on PUBACK
    const ids = [
      ...new Set(
        ingest.received.filter((r) => r.channel.startsWith('evt/')).map((r) => r.payload.eventId as string),
      ),
    ];
    expect(ids).toHaveLength(3);
    await ingest.ack(agent.config().device, ids);
    await expect.poll(() => agent.state().outbox.depth, { timeout: 5_000 }).toBe(0);
  });

  it('applies retained config live, refuses a bad one with its reason, and reports the version in birth', async () => {
    const { agent, ingest, addr } = await setup();
    const rejected = agent.bus.once('rejected', (r) => r.source === 'mqtt config');
    await ingest.send(
      addr,
      'config',
      JSON.stringify({ v: 1, version: 9, ts: Date.now(), settings: { ratingTimeoutMs: 5 } }),
    );
    expect((await rejected).reason).toMatch(/settings\.ratingTimeoutMs/);
    const applied = agent.bus.once('config.applied');
    await ingest.send(
      addr,
      'config',
      {
        v: 1,
        version: 4,
        ts: Date.now(),
        settings: CounterSettings.parse({ scale: 'keypad3', ratingTimeoutMs: 8_000 }),
      },
      true,
    );
    expect((await applied).version).toBe(4);
    expect(agent.state().configVersion).toBe(4);
    await ingest.waitFor((r) => r.some((x) => x.channel === 'birth' && x.payload.configVersion === 4));
  });

  it('answers commands, including malformed ones, on cmd/{name}/res', async () => {
    const { ingest, addr } = await setup();
    const cmdId = newEventId();
    await ingest.send(addr, 'cmd/self-test', { v: 1, cmdId, ts: Date.now(), args: {} });
    await ingest.waitFor((r) => r.some((x) => x.channel === 'cmd/self-test/res'));
    expect(ingest.of('cmd/self-test/res')[0]?.payload).toMatchObject({
      cmdId,
      ok: true,
      result: { outbox: true, mqtt: true, keypad: true, scanner: true, badge: true },
    });
    const bad = newEventId();
    await ingest.send(
      addr,
      'cmd/reload-config',
      JSON.stringify({ v: 1, cmdId: bad, ts: Date.now(), force: true }),
    );
    await ingest.waitFor((r) => r.some((x) => x.channel === 'cmd/reload-config/res'));
    expect(ingest.of('cmd/reload-config/res')[0]?.payload).toMatchObject({
      cmdId: bad,
      ok: false,
      error: expect.stringMatching(/unknown field\(s\) 'force'/),
    });
  });

  it('restarts on command with a new bootId and keeps the outbox', async () => {
    const { agent, ingest, addr } = await setup({ autoAck: false });
    const before = agent.state().bootId;
    agent.input({ type: 'officer', action: 'start-visit' });
    const restarting = agent.bus.once('agent.restarting');
    await ingest.send(addr, 'cmd/restart', { v: 1, cmdId: newEventId(), ts: Date.now(), args: {} });
    await restarting;
    await agent.bus.once('mqtt.connected');
    expect(agent.state().bootId).not.toBe(before);
    expect(agent.state().restarts).toBe(1);
    expect(agent.state().outbox.depth).toBe(1);
    await ingest.waitFor((r) =>
      r.some((x) => x.channel === 'status' && x.payload.bootId === agent.state().bootId),
    );
  });

  it('says "recorded" only after the outbox committed, and never when it is full', async () => {
    const { agent, v } = await setup({ autoAck: false, capacity: 100 });
    const log: string[] = [];
    agent.bus.on('event.recorded', (r) => log.push(`recorded ${r.event.channel}`));
    agent.bus.on('counter.state', (s) => log.push(`screen ${s.screen.kind}`));
    await serveCitizen(agent, v, 'C001', 4);
    const thanks = log.indexOf('screen thanks');
    expect(log.slice(thanks - 2, thanks + 1)).toEqual([
      'recorded evt/rating',
      'recorded evt/visit',
      'screen thanks',
    ]);
    while (agent.state().outbox.depth < 99) agent.input({ type: 'officer', action: 'start-visit' });
    v.scanner!.typeLine('C002');
    agent.input({ type: 'officer', action: 'end-visit' });
    await new Promise((r) => setTimeout(r, 1_600)); // past minPressIntervalMs
    v.keypad!.pressLevel(4);
    expect(agent.state().screen).toEqual({ kind: 'notice', code: 'not_recorded', detail: 'outbox full' });
    expect(agent.state().outbox.depth).toBe(100);
  });

  it('still says "recorded" when a listener of event.recorded throws or rejects, and counts it', async () => {
    const { agent, ingest, v } = await setup();
    agent.bus.on('event.recorded', () => {
      throw new Error('a buggy extension');
    });
    agent.bus.on('event.recorded', async () => {
      throw new Error('a buggy async extension');
    });
    const screens: string[] = [];
    agent.bus.on('counter.state', (s) => screens.push(s.screen.kind));
    const ratingId = await serveCitizen(agent, v, 'B007', 4);
    expect(agent.state().screen.kind).toBe('thanks');
    expect(screens).not.toContain('notice');
    // Both listeners failed on every recorded event (visit start, rating, visit end).
    await expect.poll(() => agent.state().listenerErrors).toBe(6);
    // …and the rating is on its way all the same.
    await ingest.waitFor((r) => r.some((x) => x.payload.eventId === ratingId));
  });

  it('keeps the signed-in officer across a restart', async () => {
    const { agent, v } = await setup();
    v.badge!.typeLine('cb-le-van-c');
    expect(agent.state().counter.officer?.id).toBe('cb-le-van-c');
    await agent.restart('test');
    expect(agent.state().counter.officer?.id).toBe('cb-le-van-c');
  });

  it('reloads the device file on command: refuses a broken one, restarts with a good one', async () => {
    let file: unknown = { schemaVersion: 2, broken: true };
    const { agent, ingest, addr } = await setup({
      reloadConfig: () => parseAgentConfig(file, 'counter.yaml'),
    });
    const current: AgentConfig = agent.config();
    const send = async () => {
      const cmdId = newEventId();
      await ingest.send(addr, 'cmd/reload-config', { v: 1, cmdId, ts: Date.now(), args: {} });
      await ingest.waitFor((r) =>
        r.some((x) => x.channel === 'cmd/reload-config/res' && x.payload.cmdId === cmdId),
      );
      return ingest.of('cmd/reload-config/res').find((x) => x.payload.cmdId === cmdId)!.payload;
    };
    expect(await send()).toMatchObject({
      ok: false,
      error: expect.stringMatching(/counter\.yaml is invalid[\s\S]*unknown key\(s\) 'broken'/),
    });
    expect(agent.state().restarts).toBe(0);
    file = { ...current, outbox: { capacity: 5_000, alertAt: 100 } };
    const restarted = agent.bus.once('agent.restarting');
    expect(await send()).toMatchObject({ ok: true });
    await restarted;
    await expect.poll(() => agent.state().outbox.capacity).toBe(5_000);
  });

  it('refuses a malformed ack with its reason and keeps the events', async () => {
    const { agent, ingest, addr, v } = await setup({ autoAck: false });
    await serveCitizen(agent, v, 'D001', 3);
    const rejected = agent.bus.once('rejected', (r) => r.source === 'mqtt ack');
    await ingest.send(addr, 'ack', JSON.stringify({ v: 1, ts: Date.now(), eventIds: ['not-an-id'] }));
    expect((await rejected).reason).toMatch(/eventIds\.0/);
    expect(agent.state().outbox.depth).toBe(3);
  });

  it('publishes retained status "stopped" on stop', async () => {
    const { ingest, stop } = await setup();
    await ingest.waitFor((r) => r.some((x) => x.channel === 'status'));
    await stop();
    await ingest.waitFor((r) => r.some((x) => x.channel === 'status' && x.payload.state === 'stopped'));
  });
});
