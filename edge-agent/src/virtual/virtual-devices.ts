import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { type AgentConfig, type DeviceProfile, type DeviceRole, loadProfile } from '@onestop/firmware-config';
import type { Logger } from 'pino';
import type { Agent } from '../agent/agent.js';
import {
  configuredDevices,
  createVirtualInputs,
  DEFAULT_VIRTUAL_PROFILES,
} from '../devices/create-inputs.js';
import type { CounterInputs } from '../devices/inputs.js';
import { kioskHosts } from '../kiosk/guard.js';
import { officerControls, refusedOfficerAction } from '../kiosk/view.js';
import { createPanelApp } from './panel-app.js';

export interface VirtualDevices {
  inputs: CounterInputs;
  /** The control page, on loopback only. */
  url: string;
  /** Lets the page show the counter's screen once the agent runs. */
  attach(agent: Pick<Agent, 'state' | 'input'>): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/**
 * Virtual keypad, scanner and badge reader for `onestop agent --virtual-devices`: the device
 * file's own profiles (so the keys are those of the counter's keypad), a built-in one for a role
 * it leaves empty, and a local page to press, scan and badge. Loopback only: whoever reaches the
 * page can rate and sign in officers.
 */
export async function startVirtualDevices(
  config: AgentConfig,
  logger: Logger,
  opts: { port?: number } = {},
): Promise<VirtualDevices> {
  const mine = new Map(configuredDevices(config).map((d) => [d.profile.role, d.profile]));
  const pick = (role: DeviceRole): DeviceProfile => {
    const p = mine.get(role);
    if (p) return p;
    logger.info(
      { role, profile: DEFAULT_VIRTUAL_PROFILES[role] },
      'no such device in the file: a built-in virtual one stands in',
    );
    return loadProfile(DEFAULT_VIRTUAL_PROFILES[role]);
  };
  const v = createVirtualInputs(
    { keypad: pick('keypad'), scanner: pick('scanner'), badge: pick('badge') },
    logger,
  );
  let agent: Pick<Agent, 'state' | 'input'> | null = null;
  const app = createPanelApp({
    keypad: v.keypad,
    scanner: v.scanner,
    badge: v.badge,
    hosts: kioskHosts(HOST),
    officer: (action) => {
      if (!agent) return 'the agent is not running yet';
      const refused = refusedOfficerAction(officerControls(agent.state().counter), action);
      if (!refused) agent.input({ type: 'officer', action });
      return refused;
    },
    status: () => {
      const s = agent?.state();
      return s ? { screen: s.screen.kind, officer: s.counter.officer?.id ?? null } : null;
    },
  });
  let server: ServerType | null = null;
  const port = await new Promise<number>((resolve, reject) => {
    server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: HOST }, (info: AddressInfo) =>
      resolve(info.port),
    );
    server.once('error', reject);
  });
  const url = `http://${HOST}:${port}/`;
  // Loud on purpose: a counter left on virtual devices records nothing a citizen pressed.
  logger.warn(
    { url, keypad: v.keypad?.profile.name, scanner: v.scanner?.profile.name, badge: v.badge?.profile.name },
    'VIRTUAL DEVICES: no USB keypad, scanner or badge reader is read; press, scan and badge on the panel',
  );
  return {
    inputs: v.inputs,
    url,
    attach: (a) => {
      agent = a;
    },
    stop: async () => {
      const s = server as ServerType | null;
      server = null;
      if (!s) return;
      await new Promise<void>((resolve) => {
        if ('closeAllConnections' in s) s.closeAllConnections();
        s.close(() => resolve());
      });
    },
  };
}
