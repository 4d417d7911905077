import { type AgentConfig, defineAgentConfig } from '@onestop/firmware-config';
import { CounterSettings } from '@onestop/protocol';
import pino, { type Logger } from 'pino';
import { type Agent, startAgent } from '../agent/agent.js';
import type { Clock } from '../clock.js';
import { createVirtualInputs, DEFAULT_VIRTUAL_PROFILES } from '../devices/create-inputs.js';
import { workingDay } from './day.js';
import { badgeNeeded, type ScenarioStep, scenario } from './scenario.js';

export interface SimulatedOfficer {
  id: string;
  name?: string;
  badge?: string;
}

export interface SimulatedCounterOptions {
  mqttUrl: string;
  unitId: string;
  counterId: string;
  deviceId: string;
  username: string;
  password: string;
  dataDir: string;
  seed: number;
  /** Time compression factor; 60 ≈ one visit every few seconds. Default 60. */
  speed?: number;
  officers: ReadonlyArray<string | SimulatedOfficer>;
  /** Serve the kiosk screen on this port (0 = any free port); default none. */
  kioskPort?: number | null;
  logger?: Logger;
  /**
   * The citizen camera: off (default), or the REAL perception pipeline fed by a folder of still
   * images replayed in a loop — the simulator fakes hardware only, never perception results.
   */
  camera?: { replayDir: string; fps?: number } | null;
  /**
   * A working day with opening hours instead of the endless script: `simNow` is the fleet's
   * compressed clock (ms since midnight in Vietnam); the script ends at `endOfDay`.
   */
  day?: { simNow: () => number; endOfDay: number; negativeShare?: number } | null;
  /** The device's wall clock (a skewed board); default the system clock. */
  clock?: Clock;
}

export interface SimulatedCounter {
  agent: Agent;
  config: AgentConfig;
  /** Steps performed so far (for tests and the demo's log). */
  steps(): number;
  /** Whether the script has ended (a working day is over); the agent keeps running. */
  finished(): boolean;
  stop(): Promise<void>;
}

const norm = (o: string | SimulatedOfficer): SimulatedOfficer => (typeof o === 'string' ? { id: o } : o);

/**
 * A counter device without hardware: the REAL agent (outbox, MQTT, state machine) with virtual
 * USB keypad, scanner and badge reader whose raw HID reports go through the production decoder,
 * driven by a seeded script of a working day.
 */
export async function startSimulatedCounter(o: SimulatedCounterOptions): Promise<SimulatedCounter> {
  const speed = o.speed ?? 60;
  const logger = o.logger ?? pino({ name: 'sim', level: 'warn', base: { deviceId: o.deviceId } });
  const officers = o.officers.map(norm);
  const roster = Object.fromEntries(
    officers.map((x) => [x.id, { name: x.name ?? x.id, badge: x.badge ?? null }]),
  );
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: { unitId: o.unitId, counterId: o.counterId, deviceId: o.deviceId },
    mqtt: { url: o.mqttUrl, username: o.username, password: o.password },
    dataDir: o.dataDir,
    settings: CounterSettings.parse({
      officers: roster,
      ratingTimeoutMs: Math.max(3_000, Math.round(20_000 / Math.sqrt(speed))),
    }),
    // Simulated days run compressed on the real clock: the real end of the day would sign the
    // simulated officers out mid-script, so only the (long) session age applies here.
    sessions: { maxHours: 24, endOfDay: null },
    devices: {
      keypad: { profile: DEFAULT_VIRTUAL_PROFILES.keypad },
      scanner: { profile: DEFAULT_VIRTUAL_PROFILES.scanner },
      badge: { profile: DEFAULT_VIRTUAL_PROFILES.badge },
    },
    kiosk:
      o.kioskPort === undefined || o.kioskPort === null ? null : { port: o.kioskPort, host: '127.0.0.1' },
    camera: o.camera
      ? { source: `replay:${o.camera.replayDir}`, fps: o.camera.fps ?? 2, role: 'citizen' }
      : null,
  });
  const v = createVirtualInputs(DEFAULT_VIRTUAL_PROFILES, logger);
  const agent = await startAgent(config, {
    inputs: v.inputs,
    logger,
    ...(o.clock ? { clock: o.clock } : {}),
  });

  let running = true;
  let done = 0;
  let wake: (() => void) | null = null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const badgeOf = (id: string) => officers.find((x) => x.id === id)?.badge ?? id;
  const perform = (s: ScenarioStep) => {
    switch (s.kind) {
      case 'badge':
        if (!badgeNeeded(s, agent.state().counter.officer?.id ?? null)) return;
        return v.badge?.typeLine(badgeOf(s.officerId));
      case 'ticket':
        return v.scanner?.typeLine(s.ticket);
      case 'dossier':
        return v.scanner?.typeLine(s.dossierId);
      case 'garbage-scan':
        return v.scanner?.typeLine(s.text);
      case 'end-visit':
        return agent.input({ type: 'officer', action: 'end-visit' });
      case 'press':
        return v.keypad?.pressLevel(s.level);
      case 'reasons':
        return agent.input({ type: 'reasons', codes: s.codes });
      case 'wait':
        return;
    }
  };

  const common = {
    seed: o.seed,
    speed,
    scale: v.keypad?.profile.role === 'keypad' ? v.keypad.profile.scale : config.settings.scale,
    ticketPrefix: String.fromCharCode(65 + (Math.abs(o.seed) % 26)),
    ratingTimeoutMs: config.settings.ratingTimeoutMs,
    touch: config.kiosk !== null,
    day: new Date(),
  };
  const ids = officers.map((x) => x.id);
  const script = o.day
    ? workingDay({
        ...common,
        simNow: o.day.simNow,
        endOfDay: o.day.endOfDay,
        negativeShare: o.day.negativeShare ?? 0.02,
        officers: [ids[0] ?? '', ids[1] ?? ids[0] ?? ''],
      })
    : scenario({ ...common, officers: ids });
  let ended = false;
  const loop = (async () => {
    await sleep(Math.round(500 + (Math.abs(o.seed) % 7) * 150)); // stagger counters started together
    for (const s of script) {
      if (!running) break;
      if (s.kind === 'wait') await sleep(s.ms);
      else {
        try {
          perform(s);
        } catch (e) {
          logger.warn({ step: s.kind, err: (e as Error).message }, 'simulator step failed');
        }
        await sleep(Math.max(30, Math.round(400 / Math.sqrt(speed))));
      }
      done++;
    }
    ended = true;
  })();

  return {
    agent,
    config,
    steps: () => done,
    finished: () => ended,
    stop: async () => {
      running = false;
      (wake as (() => void) | null)?.();
      await loop;
      await agent.stop();
    },
  };
}
