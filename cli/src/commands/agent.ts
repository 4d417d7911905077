import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { registerAgentBoardCommands } from './agent-board.js';
import { registerAgentPairCommand } from './agent-pair.js';

/** Runs the agent until it is stopped: `onestop agent`, and `agent pair --start` once paired. */
export async function runAgentCommand(config: string, virtualDevices: boolean): Promise<void> {
  const [{ runAgent }, { createLogger }] = await Promise.all([
    import('@onestop/edge-agent'),
    import('../logger.js'),
  ]);
  // systemd-friendly: SIGTERM publishes retained `stopped` and exits 0; fatal errors exit non-zero.
  await runAgent(config, {
    logger: createLogger('onestop-agent'),
    virtualDevices: virtualDevices
      ? { announce: (url) => process.stdout.write(`virtual devices (THIẾT BỊ ẢO): ${url}\n`) }
      : null,
  });
}

export function registerAgentCommand(program: Command): void {
  const agent = program
    .command('agent')
    .description('run the counter device agent (keypad, scanner, badge reader, camera, outbox, MQTT)')
    // Not requiredOption: commander checks a parent's mandatory options for its subcommands too
    // (`agent install --config F` would fail), so the agent itself insists here.
    .option('--config <file>', 'device config file (YAML or JSON, see firmware-config/)')
    .option('--virtual-devices', 'virtual keypad, scanner and badge reader with a local page, no USB devices')
    .action(async (o: { config?: string; virtualDevices?: boolean }) => {
      if (!o.config) throw new UsageError("required option '--config <file>' not specified");
      await runAgentCommand(o.config, o.virtualDevices === true);
    });
  registerAgentBoardCommands(agent);
  registerAgentPairCommand(agent);
}
