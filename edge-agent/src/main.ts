import { loadAgentConfig } from '@onestop/firmware-config';
import pino, { type Logger } from 'pino';
import { type Agent, type StartAgentOptions, startAgent } from './agent/agent.js';

/**
 * The device's entry point: load the file, start the agent on the real USB devices, and stop
 * cleanly (retained `status: stopped`, outbox closed) on SIGTERM/SIGINT so that systemd stops
 * are told apart from crashes and power cuts (which the Last Will reports as `offline`).
 */
export async function runAgent(
  configPath: string,
  options: Omit<StartAgentOptions, 'configPath'> = {},
): Promise<Agent> {
  const config = loadAgentConfig(configPath);
  const logger: Logger =
    options.logger ?? pino({ name: 'edge-agent', base: { deviceId: config.device.deviceId } });
  const agent = await startAgent(config, { ...options, logger, configPath });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const force = setTimeout(() => process.exit(1), 8_000);
    force.unref();
    void agent.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  return agent;
}
