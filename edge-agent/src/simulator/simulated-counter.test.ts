import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureImages } from '@onestop/models';
import { validatePayload } from '@onestop/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { badgeNeeded, type ScenarioStep, scenario } from './scenario.js';
import { type SimulatedCounter, startSimulatedCounter } from './simulated-counter.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const baseScenario = {
  speed: 60,
  officers: ['cb-a', 'cb-b'],
  scale: 'keypad4' as const,
  ticketPrefix: 'A',
  ratingTimeoutMs: 3_000,
  touch: false,
  day: new Date(2025, 10, 24),
};
const take = (n: number, seed: number) => {
  const out: ScenarioStep[] = [];
  for (const s of scenario({ ...baseScenario, seed })) {
    out.push(s);
    if (out.length >= n) break;
  }
  return out;
};

describe('scenario', () => {
  it('is reproducible from its seed and differs between seeds', () => {
    expect(take(200, 7)).toEqual(take(200, 7));
    expect(take(200, 7)).not.toEqual(take(200, 8));
  });

  it('plays a realistic day: badge first, tickets, dossiers, mostly rated, some unrated', () => {
    const steps = take(5_000, 3);
    expect(steps[0]).toEqual({
      kind: 'badge',
      officerId: expect.stringMatching(/^cb-[ab]$/),
      intent: 'sign-in',
    });
    const visits = steps.filter((s) => s.kind === 'end-visit').length;
    const presses = steps.filter((s) => s.kind === 'press').length;
    expect(visits).toBeGreaterThan(100);
    expect(presses / visits).toBeGreaterThan(0.8);
    expect(presses / visits).toBeLessThan(1.05);
    const levels = steps.flatMap((s) => (s.kind === 'press' ? [s.level] : []));
    expect(levels.filter((l) => l === 4).length).toBeGreaterThan(levels.filter((l) => l === 1).length * 3);
    expect(
      steps.some((s) => s.kind === 'dossier' && /^000\.00\.12\.H26-251124-\d{4}$/.test(s.dossierId)),
    ).toBe(true);
  });
});

describe('startSimulatedCounter', () => {
  it('runs the real agent and publishes valid presence, visit and rating events', async () => {
    const unitId = uniqueUnit('sim');
    const ingest = await TestIngest.connect(unitId);
    const addr = { unitId, counterId: 'q02', deviceId: 'sim-q02' };
    cleanups.push(async () => {
      await ingest.clearRetained(addr);
      await ingest.close();
    });
    const sim: SimulatedCounter = await startSimulatedCounter({
      mqttUrl: MQTT_URL,
      ...addr,
      username: 'sim-q02',
      password: 'x',
      dataDir: mkdtempSync(join(tmpdir(), 'sim-')),
      seed: 42,
      speed: 900,
      officers: [{ id: 'cb-nguyen-van-a', name: 'Nguyễn Văn A', badge: '0004521987' }, 'cb-tran-thi-b'],
      kioskPort: 0,
      camera: { replayDir: await citizensPassingBy(), fps: 4 },
    });
    cleanups.push(() => sim.stop());
    await ingest.waitFor(
      (r) =>
        r.filter((x) => x.channel === 'evt/rating').length >= 2 &&
        r.some((x) => x.channel === 'evt/expression'),
      40_000,
    );
    for (const r of ingest.received.filter((x) => x.channel.startsWith('evt/'))) {
      const v = validatePayload(r.channel as 'evt/rating', r.payload);
      expect(v.ok ? 'ok' : v.reason).toBe('ok');
    }
    expect(ingest.of('evt/presence')[0]?.payload).toMatchObject({ state: 'signed_in', source: 'badge' });
    expect(ingest.of('evt/rating')[0]?.payload).toMatchObject({
      source: 'keypad',
      scale: 'keypad4',
      officerId: expect.stringMatching(/^cb-/),
    });
    const kiosk = await fetch(new URL('api/state', sim.agent.state().kioskUrl!));
    expect(((await kiosk.json()) as { scale: string }).scale).toBe('keypad4');
    expect(sim.agent.telemetry().camera.state).toBe('running');
    expect(ingest.of('birth')[0]?.payload.capabilities).toEqual([
      'keypad',
      'scanner',
      'badge',
      'kiosk',
      'touch',
      'camera_citizen',
    ]);
    const expr = ingest.of('evt/expression')[0]!.payload;
    expect(validatePayload('evt/expression', expr).ok).toBe(true);
    await sim.stop();
    expect(sim.steps()).toBeGreaterThan(5);
    await ingest.waitFor((r) => r.some((x) => x.channel === 'status' && x.payload.state === 'stopped'));
  });
});

describe('simulated badge scans', () => {
  it('skips a scan that would toggle the wrong way', () => {
    const signIn = { officerId: 'cb-a', intent: 'sign-in' as const };
    const signOut = { officerId: 'cb-a', intent: 'sign-out' as const };
    expect(badgeNeeded(signIn, null)).toBe(true);
    expect(badgeNeeded(signIn, 'cb-b')).toBe(true); // replaces the other officer
    expect(badgeNeeded(signIn, 'cb-a')).toBe(false);
    expect(badgeNeeded(signOut, 'cb-a')).toBe(true);
    expect(badgeNeeded(signOut, null)).toBe(false);
  });

  it('keeps the officer signed in when the simulated counter restarts on the same data', async () => {
    const unitId = uniqueUnit('simr');
    const ingest = await TestIngest.connect(unitId);
    const addr = { unitId, counterId: 'q04', deviceId: 'sim-q04' };
    cleanups.push(async () => {
      await ingest.clearRetained(addr);
      await ingest.close();
    });
    const options = {
      mqttUrl: MQTT_URL,
      ...addr,
      username: 'sim-q04',
      password: 'x',
      dataDir: mkdtempSync(join(tmpdir(), 'sim-restart-')),
      seed: 5,
      speed: 900,
      officers: ['cb-nguyen-van-a'],
    };
    const first = await startSimulatedCounter(options);
    await expect
      .poll(() => first.agent.state().counter.officer?.id, { timeout: 10_000 })
      .toBe('cb-nguyen-van-a');
    await first.stop();

    const second = await startSimulatedCounter(options);
    cleanups.push(() => second.stop());
    const bootId = second.agent.state().bootId;
    expect(second.agent.state().counter.officer?.id).toBe('cb-nguyen-van-a');
    await expect.poll(() => second.steps(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    // The opening scan of the script was skipped: the badge would have signed the officer OUT.
    expect(second.agent.state().counter.officer?.id).toBe('cb-nguyen-van-a');
    await second.stop();
    const outs = ingest
      .of('evt/presence')
      .filter((p) => p.payload.bootId === bootId && p.payload.state === 'signed_out');
    expect(outs).toEqual([]);
  });
});

/** A camera scene from real photographs: a citizen (astronaut.png) in front, then nobody (coffee.png). */
async function citizensPassingBy(): Promise<string> {
  const fx = await fixtureImages();
  const dir = mkdtempSync(join(tmpdir(), 'scene-'));
  for (let i = 0; i < 12; i++) {
    copyFileSync(i < 6 ? fx.astronaut : fx.coffee, join(dir, `${String(i).padStart(2, '0')}.png`));
  }
  return dir;
}
