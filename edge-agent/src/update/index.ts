import type { AgentContext } from '../agent/context.js';
import { AGENT_VERSION } from '../agent/context.js';
import { installLayout, LAUNCH_ENV, runningRelease } from './layout.js';
import { Updater, type UpdaterOptions } from './updater.js';

export { downloadWithResume } from './download.js';
export { installRelease } from './install.js';
export { startLauncher } from './launcher.js';
export {
  currentVersion,
  installLayout,
  LAUNCH_ENV,
  RELEASE_ENTRY,
  RELEASE_MODELS_DIR,
  switchCurrent,
} from './layout.js';
export { releaseModelFiles } from './models.js';
export { readLauncherState } from './state.js';
export { Updater } from './updater.js';

/**
 * The updater for this process: under the launcher (which says where the install root is and
 * which release it started), it installs offers; elsewhere (a development run) it only answers
 * them with why it cannot.
 */
export function createUpdater(
  ctx: AgentContext,
  env: NodeJS.ProcessEnv = process.env,
  extra: Partial<UpdaterOptions> = {},
): Updater {
  const root = env[LAUNCH_ENV.root];
  return new Updater(ctx, {
    layout: root ? installLayout(root) : null,
    running: runningRelease(env) ?? AGENT_VERSION,
    ...extra,
  });
}
