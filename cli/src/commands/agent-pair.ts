import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AgentConfig } from '@onestop/firmware-config';
import type { PairingClaimResponse } from '@onestop/protocol';
import type { Command } from 'commander';
import { parsePort } from '../errors.js';
import { ONESTOP_BIN } from './agent-board.js';

interface PairOpts {
  centre?: string;
  config: string;
  dataDir: string;
  keypad?: string;
  scanner?: string;
  badge?: string;
  kioskPort?: number;
  camera?: string;
  force?: boolean;
  start?: boolean;
  virtualDevices?: boolean;
  detect: boolean;
  screen?: boolean;
}

/** `onestop agent pair CODE --centre URL`: a board gets its device file from a pairing code. */
export function registerAgentPairCommand(agent: Command): void {
  agent
    .command('pair')
    .description(
      "claim a pairing code from the centre ('Add device' on the dashboard, or `device add --pair`) and write this board's device file",
    )
    .argument('[code]', 'the pairing code (ABCD-EFGH), or the URL its QR code holds (none with --screen)')
    .option('--centre <url>', 'the dashboard address, e.g. http://10.0.0.2:8080 (not needed with the QR URL)')
    .option('--config <file>', 'the device file to write (mode 0600)', '/etc/onestop/agent.yaml')
    .option('--data-dir <dir>', 'where the agent keeps its outbox', '/var/lib/onestop')
    .option('--keypad <profile>', 'the rating keypad profile (see `onestop hid list`)')
    .option('--scanner <profile>', 'the barcode scanner profile')
    .option('--badge <profile>', 'the badge reader profile')
    .option('--kiosk-port <port>', 'serve the kiosk screen on this port', parsePort('--kiosk-port'))
    .option('--camera <source>', 'the camera source (see `onestop camera list`)')
    .option('--no-detect', 'do not fill keypad, scanner and badge reader from the USB devices plugged in')
    .option(
      '--screen',
      "show a pairing screen on the kiosk's address (127.0.0.1, --kiosk-port, 8080 by default) where the code is typed or its QR code scanned",
    )
    .option('--force', 'replace an existing device file')
    .option('--start', 'run the agent once paired (without an installed service)')
    .option('--virtual-devices', 'with --start: virtual keypad, scanner and badge reader')
    .action(async (code: string | undefined, o: PairOpts) => {
      const { claimFromCentre, pairingTarget, plainOverNetwork, readyToWrite, writePairedConfig } =
        await import('../pairing/board.js');
      const { UsageError } = await import('../errors.js');
      const out = (line: string) => process.stdout.write(`${line}\n`);
      if (!code === !o.screen)
        throw new UsageError('give the pairing code, or --screen to have it typed on the kiosk');
      const target = code ? pairingTarget(code, o.centre) : null;
      if (target && plainOverNetwork(target.centre))
        process.stderr.write(
          `warning: ${target.centre} is plain HTTP: the device's password crosses the network unencrypted; prefer the dashboard's https:// address\n`,
        );
      // Checked before claiming: a code spent on a file that cannot be written is lost.
      const configPath = resolve(o.config);
      readyToWrite(configPath, o.force === true);
      const chosen = o.detect && !o.keypad && !o.scanner && !o.badge ? await detectedProfiles(out) : {};
      // With the screen, the kiosk comes up where the screen was: the browser showing it reloads.
      const kioskPort = o.kioskPort ?? (o.screen ? 8080 : undefined);
      const board = {
        dataDir: o.dataDir,
        keypad: o.keypad ?? chosen.keypad,
        scanner: o.scanner ?? chosen.scanner,
        badge: o.badge ?? chosen.badge,
        kioskPort,
        camera: o.camera,
      };
      const write = (answer: PairingClaimResponse, centre: string) =>
        writePairedConfig(configPath, answer, { ...board, centre }, o.force === true);
      const config = target
        ? write(await claimFromCentre(target), target.centre)
        : await pairOnScreen(kioskPort!, o.centre, write, out);
      out(
        `paired: device ${config.device.deviceId} (${config.device.unitId}, counter ${config.device.counterId}) → ${configPath} (mode 0600), broker ${config.mqtt.url}`,
      );
      if (config.mqtt.tlsCaFile) out(`centre CA → ${config.mqtt.tlsCaFile}`);
      const { boardPaths } = await import('@onestop/edge-agent');
      if (existsSync(boardPaths().unit)) {
        // The service is installed: install again sets the file's owner and mode for the service
        // user and restarts it (idempotent, changing nothing else).
        out(`installed service found: onestop agent install --config ${configPath}`);
        const r = spawnSync(process.execPath, [ONESTOP_BIN, 'agent', 'install', '--config', configPath], {
          stdio: 'inherit',
        });
        if (r.status !== 0) process.exitCode = r.status ?? 1;
        return;
      }
      if (o.start) {
        const { runAgentCommand } = await import('./agent.js');
        await runAgentCommand(configPath, o.virtualDevices === true);
        return;
      }
      out(
        `next: sudo onestop agent install --config ${configPath}   (or run it now: onestop agent --config ${configPath})`,
      );
    });
}

/**
 * The keypad, scanner and badge reader profiles that fit what is plugged in, said as found.
 * Several fitting one role is refused before the code is spent: the technician names one.
 */
async function detectedProfiles(out: (line: string) => void) {
  const [{ detectDevices }, { UsageError }] = await Promise.all([
    import('../pairing/detect.js'),
    import('../errors.js'),
  ]);
  const found = await detectDevices();
  if (!found) {
    out('USB devices not listed (no hidraw access): name them with --keypad, --scanner, --badge');
    return {};
  }
  const [first] = found.ambiguous;
  if (first)
    throw new UsageError(
      `several ${first.role} profiles fit the devices plugged in (${first.profiles.join(', ')}): name one with --${first.role}`,
    );
  for (const [role, profile] of Object.entries(found.chosen)) out(`${role}: ${profile} (plugged in)`);
  return found.chosen;
}

/** Shows the pairing screen until a code has been claimed on it; the device file is then written. */
async function pairOnScreen(
  port: number,
  centre: string | undefined,
  write: (answer: PairingClaimResponse, centre: string) => AgentConfig,
  out: (line: string) => void,
): Promise<AgentConfig> {
  const { startPairingScreen } = await import('../pairing/screen.js');
  let config: AgentConfig | null = null;
  const screen = await startPairingScreen({
    port,
    centre,
    onClaimed: (answer, centre) => {
      config = write(answer, centre);
    },
  });
  out(`pairing screen (MÀN HÌNH GHÉP NỐI): ${screen.url}`);
  await screen.paired;
  // The success page has been sent (it reloads into the kiosk); the port is the agent's now.
  await screen.close();
  return config!;
}
