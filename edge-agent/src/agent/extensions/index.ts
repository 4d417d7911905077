import type { KioskExtension } from '../../kiosk/kiosk-extension.js';
import { LAUNCH_ENV } from '../../update/layout.js';
import type { AgentContext, Extension } from '../context.js';
import type { PersistentSettings } from '../settings-store.js';
import { Commands } from './commands.js';
import { ConfigSync } from './config-sync.js';
import type { CounterDriver } from './counter-driver.js';
import type { PerceptionLike, VisitHistory } from './perception-bridge.js';
import type { Publisher } from './publisher.js';
import type { StatusAnnouncer } from './status.js';
import type { Telemetry } from './telemetry.js';

/** What a runtime offers its extensions: the context, and the core parts it reads itself. */
export interface ExtensionHost {
  ctx: AgentContext;
  settings: PersistentSettings;
  status: StatusAnnouncer;
  counter: CounterDriver;
  publisher: Publisher;
  telemetry: Telemetry;
  /** The camera pipeline, when the config has one (it outlives restarts that keep it; the bridge does not). */
  perception: PerceptionLike | null;
  visits: VisitHistory;
}

interface ExtensionSpec {
  readonly name: string;
  /** Omitted: always. Checked before anything of the extension is imported. */
  readonly wanted?: (h: ExtensionHost) => boolean;
  readonly create: (h: ExtensionHost) => Extension | Promise<Extension>;
}

/**
 * Every extension of the agent, in start order (stopped in reverse): the one place where one is
 * added, as in zigbee2mqtt's controller. Heavy ones (the kiosk's web server, the camera bridge)
 * are imported only when the device file asks for them.
 */
export const AGENT_EXTENSIONS: readonly ExtensionSpec[] = [
  { name: 'status', create: (h) => h.status },
  {
    name: 'config-sync',
    create: (h) => new ConfigSync(h.ctx, h.settings, () => void h.status.birth().catch(() => {})),
  },
  { name: 'commands', create: (h) => new Commands(h.ctx) },
  { name: 'counter', create: (h) => h.counter },
  { name: 'publisher', create: (h) => h.publisher },
  { name: 'telemetry', create: (h) => h.telemetry },
  {
    name: 'kiosk',
    wanted: (h) => h.ctx.config.kiosk !== null,
    create: async (h) => {
      const { KioskExtension } = await import('../../kiosk/kiosk-extension.js');
      return new KioskExtension(h.ctx, h.counter);
    },
  },
  {
    name: 'update',
    // A board paired with a centre that ships releases (off the launcher it answers offers with
    // why it cannot take them), and any release the launcher runs: one on trial must be able to
    // mark itself healthy whatever its device file says, or it would be rolled back.
    wanted: (h) => h.ctx.config.updates !== null || process.env[LAUNCH_ENV.root] !== undefined,
    create: async (h) => {
      const { createUpdater } = await import('../../update/index.js');
      return createUpdater(h.ctx);
    },
  },
  {
    name: 'perception',
    // Only while the device file has a camera: one removed from it must stop recording faces.
    wanted: (h) => h.ctx.config.camera !== null && h.perception !== null,
    create: async (h) => {
      const { PerceptionBridge } = await import('./perception-bridge.js');
      return new PerceptionBridge(h.ctx, h.counter, h.perception!, h.visits);
    },
  },
];

/**
 * Builds the wanted extensions in order. `into` receives each as soon as it exists, so that a
 * failure half-way still leaves the built ones to be stopped.
 */
export async function loadExtensions(host: ExtensionHost, into: Extension[]): Promise<void> {
  for (const spec of AGENT_EXTENSIONS) {
    if (spec.wanted && !spec.wanted(host)) continue;
    into.push(await spec.create(host));
  }
}

export const isKiosk = (e: Extension): e is KioskExtension => e.name === 'kiosk';
