import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import type { DeviceAddress } from '@onestop/protocol';
import type { Logger } from 'pino';
import { type Agent, type StartAgentOptions, startAgent } from '../agent/agent.js';
import { createVirtualInputs } from '../devices/create-inputs.js';

const PROFILES = { keypad: 'generic-keypad4-fkeys', scanner: 'generic-scanner-wedge' } as const;

export interface VirtualBoard {
  agent: Agent;
  /** A queue ticket scanned starts the visit, the officer ends it, the citizen presses `level`. */
  rate(ticket: string, level?: number): void;
}

/**
 * The REAL agent on a virtual keypad and scanner, as a test's counter: tickets `L…`, no pause
 * between presses, no undo window unless the test's settings say so.
 */
export async function startVirtualBoard(o: {
  device: DeviceAddress;
  mqtt: { url: string; username: string; password: string };
  logger: Logger;
  dataDir?: string;
  settings?: Record<string, unknown>;
  publisher?: StartAgentOptions['publisher'];
}): Promise<VirtualBoard> {
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: o.device,
    mqtt: o.mqtt,
    dataDir: o.dataDir ?? mkdtempSync(join(tmpdir(), 'onestop-board-')),
    settings: { minPressIntervalMs: 0, ...o.settings },
    devices: { keypad: { profile: PROFILES.keypad }, scanner: { profile: PROFILES.scanner } },
    patterns: { ticket: '^L[0-9]+$', dossierId: '^000\\..+$' },
  });
  const v = createVirtualInputs(PROFILES, o.logger);
  const agent = await startAgent(config, {
    inputs: v.inputs,
    logger: o.logger,
    ...(o.publisher ? { publisher: o.publisher } : {}),
  });
  return {
    agent,
    rate(ticket, level = 4) {
      v.scanner!.typeLine(ticket);
      agent.input({ type: 'officer', action: 'end-visit' });
      v.keypad!.pressLevel(level);
    },
  };
}
