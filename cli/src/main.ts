import { Command, CommanderError } from 'commander';
import { registerAgentCommand } from './commands/agent.js';
import { registerCameraCommands } from './commands/camera.js';
import { registerDeviceCommands } from './commands/device.js';
import { registerHidCommands } from './commands/hid.js';
import { registerOfficerCommands } from './commands/officer.js';
import { registerPerceiveCommand } from './commands/perceive.js';
import { registerReleaseCommands } from './commands/release.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSplitCommands } from './commands/split.js';
import { registerTlsCommands } from './commands/tls.js';
import { registerUnitCommands } from './commands/unit.js';
import { registerUserCommands } from './commands/user.js';
import { UsageError } from './errors.js';
import { VERSION } from './version.js';

const program = new Command('onestop')
  .description('onestop-counter: monitored, rated, accountable one-stop service counters')
  .version(VERSION)
  .showHelpAfterError()
  // Options belong to the command they follow: `agent --config F` runs the agent, while
  // `agent install --config F` hands --config to install (the program has only --version/--help).
  .enablePositionalOptions()
  .exitOverride();

registerServeCommand(program);
registerSplitCommands(program);
registerAgentCommand(program);
registerHidCommands(program);
registerCameraCommands(program);
registerDeviceCommands(program, { mqttUrl: process.env.ONESTOP_MQTT_URL ?? 'mqtt://127.0.0.1:1883' });
registerUserCommands(program);
registerOfficerCommands(program);
registerUnitCommands(program);
registerPerceiveCommand(program);
registerSeedCommand(program);
registerTlsCommands(program);
// Release first: the rollout commands add `release publish|trust|list` to its `release` command.
registerReleaseCommands(program);
registerRolloutCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const fixable = userCanFix(err);
  if (fixable) {
    // The error that names what to change, not the start-up step that wrapped it.
    const message = fixable.message;
    process.stderr.write(`${message.startsWith('onestop') ? message : `onestop: ${message}`}\n`);
    process.exit(2);
  }
  process.stderr.write(`onestop: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

/** The error the user fixes (a flag, a file, a folder in use), possibly wrapped by a start-up step. */
function userCanFix(err: unknown): Error | null {
  for (let e = err; e instanceof Error; e = e.cause) {
    if (e instanceof UsageError || e.name === 'ConfigFileError' || e.name === 'DataDirInUseError') return e;
  }
  return null;
}
