import { loadAgentConfig } from '@onestop/firmware-config';
import pino, { type Logger } from 'pino';
import { type Agent, type StartAgentOptions, startAgent } from './agent/agent.js';
import { connectNotify, watchdogIntervalMs } from './systemd/sd-notify.js';
import { superviseAgent } from './systemd/supervise.js';

export interface RunAgentOptions extends Omit<StartAgentOptions, 'configPath'> {
  /**
   * Virtual keypad, scanner and badge reader with a control page instead of the USB devices
   * (`onestop agent --virtual-devices`): a counter tested without hardware. `announce` is told the
   * page's URL.
   */
  virtualDevices?: { port?: number; announce?: (url: string) => void } | null;
}

/**
 * The device's entry point: load the file, start the agent on the real USB devices, and stop
 * cleanly (retained `status: stopped`, outbox closed) on SIGTERM/SIGINT so that systemd stops
 * are told apart from crashes and power cuts (which the Last Will reports as `offline`).
 * Under systemd (`NOTIFY_SOCKET` set) it reports READY once started, keeps the watchdog fed from
 * its event loop and says STOPPING on the way out; elsewhere it sends nothing.
 */
export async function runAgent(
  configPath: string,
  options: RunAgentOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<Agent> {
  const { virtualDevices, ...rest } = options;
  const config = loadAgentConfig(configPath);
  const logger: Logger =
    options.logger ?? pino({ name: 'edge-agent', base: { deviceId: config.device.deviceId } });
  // Loaded only when asked for: a counter board never needs the panel's code.
  const virtual = virtualDevices
    ? await (await import('./virtual/virtual-devices.js')).startVirtualDevices(config, logger, virtualDevices)
    : null;
  let agent: Agent;
  try {
    agent = await startAgent(config, {
      ...rest,
      ...(virtual ? { inputs: virtual.inputs } : {}),
      logger,
      configPath,
    });
  } catch (e) {
    await virtual?.stop();
    throw e;
  }
  if (virtual) {
    virtual.attach(agent);
    virtualDevices?.announce?.(virtual.url);
  }
  let notifyErrors = 0;
  const notifier = connectNotify(env, (err) => {
    // Logged once: a socket that refuses every keep-alive would otherwise flood the journal.
    if (notifyErrors++ === 0) logger.error({ err: err.message }, 'cannot notify systemd');
  });
  if (notifier?.via === 'systemd-notify')
    logger.warn(
      { notifySocket: env.NOTIFY_SOCKET },
      'notifying systemd through systemd-notify: the unit needs NotifyAccess=all',
    );
  const supervision = notifier ? superviseAgent(agent, notifier, watchdogIntervalMs(env)) : null;
  let notifierClosed = false;
  // Every stop, by signal or by the caller, tells systemd first and ends the keep-alives; the
  // virtual devices' page goes last, after the agent stopped reading them.
  const supervised: Agent = {
    ...agent,
    stop: async () => {
      if (supervision && !notifierClosed) {
        notifierClosed = true;
        await supervision.stopping();
        notifier?.close();
      }
      await agent.stop();
      await virtual?.stop();
    },
  };
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 8_000);
    force.unref();
    void supervised.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return supervised;
}
