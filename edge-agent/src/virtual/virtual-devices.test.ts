import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentConfigInput, defineAgentConfig } from '@onestop/firmware-config';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type Agent, startAgent } from '../agent/agent.js';
import type { RecordedEvent } from '../agent/bus.js';
import { startVirtualDevices, type VirtualDevices } from './virtual-devices.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real agent on virtual devices, with no broker to reach: ratings wait in the outbox. */
async function counter(devices: AgentConfigInput['devices'] = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'virtual-'));
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: { unitId: 'u-virtual', counterId: 'q01', deviceId: 'dev-v' },
    mqtt: { url: 'mqtt://127.0.0.1:1', username: 'dev-v', password: 'x' },
    dataDir,
    devices,
  });
  const virtual = await startVirtualDevices(config, logger);
  const agent = await startAgent(config, { inputs: virtual.inputs, logger });
  virtual.attach(agent);
  cleanups.push(async () => {
    await agent.stop();
    await virtual.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const recorded: RecordedEvent[] = [];
  agent.bus.on('event.recorded', (e) => recorded.push(e.event));
  return { agent, virtual, recorded };
}

function post(v: VirtualDevices, path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(new URL(path, v.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const screen = (agent: Agent) => agent.state().screen.kind;

describe('agent --virtual-devices', () => {
  it('badges in, scans a dossier and rates through the page, as real devices would', async () => {
    const { agent, virtual, recorded } = await counter({ keypad: { profile: 'generic-keypad4-fkeys' } });
    expect(agent.state().hid.map((h) => h.state)).toEqual(['virtual', 'virtual', 'virtual']);
    const early = await post(virtual, 'api/officer', { action: 'start-visit' });
    expect(early.status).toBe(409);
    expect(((await early.json()) as { reason: string }).reason).toMatch(/no officer is signed in/);
    expect((await post(virtual, 'api/badge', { text: 'cb-a' })).status).toBe(200);
    expect(agent.state().counter.officer?.id).toBe('cb-a');
    expect((await post(virtual, 'api/scan', { text: '000.00.12.H26-251124-0001' })).status).toBe(200);
    // The "signed in" notice is still on screen; the visit is under it.
    expect(agent.state().counter.visit?.dossierIds).toEqual(['000.00.12.H26-251124-0001']);
    // No officer key on this keypad and no kiosk in the file: the panel's officer bar ends it.
    expect((await post(virtual, 'api/officer', { action: 'end-visit' })).status).toBe(200);
    expect(screen(agent)).toBe('rating');
    expect((await post(virtual, 'api/officer', { action: 'end-visit' })).status).toBe(409);
    expect((await post(virtual, 'api/key', { key: 'F2' })).status).toBe(200);
    const rating = recorded.find((e) => e.channel === 'evt/rating')?.body;
    expect(rating).toMatchObject({
      officerId: 'cb-a',
      level: 3,
      scale: 'keypad4',
      source: 'keypad',
      dossierIds: ['000.00.12.H26-251124-0001'],
    });
    const state = (await (await fetch(new URL('api/state', virtual.url))).json()) as Record<string, unknown>;
    expect(state).toEqual({ virtual: true, screen: 'thanks', officer: 'cb-a' });
  });

  it("shows the configured keypad's own keys, says the devices are virtual, and refuses what a device cannot do", async () => {
    const { virtual, recorded } = await counter({ keypad: { profile: 'generic-keypad3' } });
    const vi = await (await fetch(virtual.url)).text();
    expect(vi).toContain('THIẾT BỊ ẢO');
    expect([...vi.matchAll(/data-key="([^"]+)"/g)].map((m) => m[1])).toEqual(['F1', 'F2', 'F3']);
    expect(vi).toContain('Rất hài lòng <small>[F1]</small>');
    expect(await (await fetch(new URL('?lang=en', virtual.url))).text()).toContain('VIRTUAL DEVICES');
    expect((await post(virtual, 'api/key', { key: 'F4' })).status).toBe(400);
    const typed = await post(virtual, 'api/scan', { text: 'hồ sơ' });
    expect(typed.status).toBe(400);
    expect(((await typed.json()) as { reason: string }).reason).toMatch(/cannot type 'ồ'/);
    // Guarded like the kiosk: another site's page in the counter's browser cannot press keys.
    expect(
      (await post(virtual, 'api/badge', { text: 'cb-a' }, { origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect(recorded).toEqual([]);
  });
});
