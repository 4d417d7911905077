import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { parsePositiveInt, UsageError } from '../errors.js';

/** The launcher the unit runs, resolved so that the unit survives a changed working directory. */
export const ONESTOP_BIN = fileURLToPath(new URL('../../bin/onestop.js', import.meta.url));

/** `onestop agent install` and `onestop agent doctor`: putting the agent on a board and checking it. */
export function registerAgentBoardCommands(agent: Command): void {
  // `agent --config F` runs the agent; `agent install --config F` must hand --config to install
  // (the program enables positional options too, so that the whole line reaches `agent`).
  agent.enablePositionalOptions();
  agent
    .command('install')
    .description(
      'install the agent as a systemd service on this board: user, unit, udev rules, kiosk, journald limits (idempotent)',
    )
    .requiredOption('--config <file>', 'the device config file the service will run with')
    .option('--dry-run', 'print every file and command, change nothing')
    .option('--root <dir>', 'write the files under this staging root and run no command', '/')
    .option(
      '--watchdog-sec <n>',
      'systemd watchdog interval in seconds',
      parsePositiveInt('--watchdog-sec', 3600, 1),
    )
    .option('--browser <cmd>', 'the kiosk browser command', 'chromium')
    .action(
      async (o: {
        config: string;
        dryRun?: boolean;
        root: string;
        watchdogSec?: number;
        browser: string;
      }) => {
        const [{ applyInstall, planInstall, timeCheck, systemRunner }, { loadAgentConfig }] =
          await Promise.all([import('@onestop/edge-agent'), import('@onestop/firmware-config')]);
        const staging = o.root !== '/';
        // Said before anything is written, rather than a useradd failing half-way through.
        if (!o.dryRun && !staging && process.getuid?.() !== 0)
          throw new UsageError(
            `agent install changes the system: run it as root (sudo onestop agent install …)`,
          );
        // The unit names the file absolutely: relative to here, or to the staging root's top.
        const configPath = staging ? resolve('/', o.config) : resolve(o.config);
        const config = loadAgentConfig(join(o.root, configPath));
        // A value that would split or inject a line in the unit is refused, naming it.
        const plan = (() => {
          try {
            return planInstall(config, {
              configPath,
              execStart: [process.execPath, realpathSync(ONESTOP_BIN)],
              root: o.root,
              browser: o.browser,
              ...(o.watchdogSec !== undefined ? { watchdogSec: o.watchdogSec } : {}),
            });
          } catch (e) {
            throw new UsageError(`agent install: ${(e as Error).message}`);
          }
        })();
        const out = (line: string) => process.stdout.write(`${line}\n`);
        // A failed step (no udevadm, a group missing) is one line naming it, not a stack trace.
        await applyInstall(plan, {
          dryRun: o.dryRun === true,
          run: staging ? null : systemRunner,
          out,
        }).catch((e: Error) => {
          throw new UsageError(`agent install stopped: ${e.message}`);
        });
        if (o.dryRun || staging) {
          out(
            `${o.dryRun ? 'would check' : 'not checked (staging root)'}: timedatectl show --property=NTPSynchronized --value`,
          );
          return;
        }
        // Loud on purpose: every rating carries the board's time, and a wrong clock misplaces it.
        const clock = await timeCheck(systemRunner);
        if (!clock.ok) process.stderr.write(`\nWARNING — clock: ${clock.detail}\n  → ${clock.fix}\n\n`);
        out(`installed; check the board with: onestop agent doctor --config ${configPath}`);
      },
    );

  agent
    .command('doctor')
    .description(
      'check the installed agent on this board: service, watchdog, user, udev, devices, clock, broker',
    )
    .requiredOption('--config <file>', 'the device config file the service runs with')
    .option(
      '--root <dir>',
      "look at a staging root's files instead of / (services are still this machine's)",
      '/',
    )
    .action(async (o: { config: string; root: string }) => {
      const { formatDoctor, runDoctor, systemRunner } = await import('@onestop/edge-agent');
      const results = await runDoctor({ configPath: o.config, root: o.root, run: systemRunner });
      const ok = formatDoctor(results, (line) => process.stdout.write(`${line}\n`));
      if (!ok) process.exitCode = 1;
    });
}
