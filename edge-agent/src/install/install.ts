import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type AgentConfig, parseCameraSource, udevRulesForProfileDirs } from '@onestop/firmware-config';
import { AGENT_VERSION } from '../agent/context.js';
import { type Notifier, notifyRoute, SYSTEM_NOTIFY_SOCKET } from '../systemd/sd-notify.js';
import { installLayout, RELEASE_ENTRY, releaseEntrySource } from '../update/layout.js';
import {
  agentUnit,
  BOARD,
  boardPaths,
  inStateDir,
  journaldDropIn,
  kioskAutostart,
  kioskUrl,
} from './board.js';
import { type CommandRunner, shellLine } from './runner.js';

export interface PlannedFile {
  /** Where it goes, under the root. */
  path: string;
  content: string;
  mode: number;
}

export interface PlannedCommand {
  cmd: string;
  args: string[];
  /** Run only when this command fails (e.g. create the user only when `id` does not know it). */
  unless?: { cmd: string; args: string[] };
  /** Run only when this file was (or, dry, would be) written: a reload that nothing asked for is noise. */
  whenWritten?: string;
}

export interface InstallPlan {
  files: PlannedFile[];
  commands: PlannedCommand[];
}

export interface InstallOptions {
  configPath: string;
  /** node and the onestop script, absolute: the unit's ExecStart. */
  execStart: readonly string[];
  root?: string;
  watchdogSec?: number;
  browser?: string;
  /** How the agent's READY and keep-alives will leave it on this board; found out when not given. */
  notifyVia?: Notifier['via'];
  /** The launcher and the agent installed with the CLI (built files); found beside this one when not given. */
  installed?: { launcherScript: string; agentModule: string };
}

/** The installed launcher and agent entry, beside this file in the package's dist/. */
function installedFiles(): { launcherScript: string; agentModule: string } {
  return {
    launcherScript: fileURLToPath(new URL('../update/launcher-main.js', import.meta.url)),
    agentModule: fileURLToPath(new URL('../index.js', import.meta.url)),
  };
}

/** The files and folders besides its own the agent reads, which the unit must leave readable. */
export function agentReadPaths(config: AgentConfig): string[] {
  const camera = config.camera ? parseCameraSource(config.camera.source) : null;
  return [
    ...config.devices.profileDirs,
    ...(config.mqtt.tlsCaFile ? [config.mqtt.tlsCaFile] : []),
    ...(config.mqtt.tlsCertFile ? [config.mqtt.tlsCertFile] : []),
    ...(config.mqtt.tlsKeyFile ? [config.mqtt.tlsKeyFile] : []),
    ...(camera?.kind === 'replay' ? [camera.dir] : camera?.kind === 'file' ? [camera.path] : []),
  ];
}

/** Everything `onestop agent install` writes and runs, decided before anything changes. */
export function planInstall(config: AgentConfig, o: InstallOptions): InstallPlan {
  const paths = boardPaths(o.root);
  const url = kioskUrl(config);
  // A board that updates itself: systemd runs the launcher, which runs `current`; the first
  // release is the agent installed with the CLI, which every later rollback can come back to.
  const installed = config.updates ? (o.installed ?? installedFiles()) : null;
  const layout = config.updates ? installLayout(config.updates.installRoot) : null;
  const files: PlannedFile[] = [
    {
      path: paths.unit,
      content: agentUnit({
        execStart: o.execStart,
        configPath: o.configPath,
        dataDir: config.dataDir,
        readPaths: agentReadPaths(config),
        notifyAccess: (o.notifyVia ?? notifyRoute(SYSTEM_NOTIFY_SOCKET)) === 'socket' ? 'main' : 'all',
        ...(installed && layout
          ? { launcher: { script: installed.launcherScript, installRoot: layout.root } }
          : {}),
        ...(o.watchdogSec !== undefined ? { watchdogSec: o.watchdogSec } : {}),
      }),
      mode: 0o644,
    },
    {
      path: paths.udevRules,
      content: udevRulesForProfileDirs(config.devices.profileDirs.map(paths.onBoard)),
      mode: 0o644,
    },
    { path: paths.journald, content: journaldDropIn(), mode: 0o644 },
    ...(url ? [{ path: paths.kioskAutostart, content: kioskAutostart(url, o.browser), mode: 0o644 }] : []),
    ...(installed && layout
      ? [
          {
            path: paths.onBoard(join(layout.release(AGENT_VERSION), RELEASE_ENTRY)),
            content: releaseEntrySource(pathToFileURL(installed.agentModule).href),
            mode: 0o644,
          },
        ]
      : []),
  ];
  const { user, group, service } = BOARD;
  const commands: PlannedCommand[] = [
    { cmd: 'groupadd', args: ['--system', '--force', group] },
    {
      cmd: 'useradd',
      args: [
        '--system',
        '--gid',
        group,
        '--home-dir',
        BOARD.stateDir,
        '--no-create-home',
        '--shell',
        '/usr/sbin/nologin',
        user,
      ],
      unless: { cmd: 'id', args: ['-u', user] },
    },
    // usermod -a is idempotent: on a second run it changes nothing.
    { cmd: 'usermod', args: ['--append', '--groups', BOARD.deviceGroups.join(','), user] },
    // The file holds the broker password: readable by the agent, writable by root alone, so that
    // the service user cannot rewrite what root's next install trusts.
    { cmd: 'chown', args: [`root:${group}`, o.configPath] },
    { cmd: 'chmod', args: [BOARD.configMode.toString(8).padStart(4, '0'), o.configPath] },
    // StateDirectory= makes the default one; a dataDir elsewhere must be made for the agent.
    ...(inStateDir(config.dataDir)
      ? []
      : [{ cmd: 'install', args: ['-d', '-o', user, '-g', group, '-m', '0700', config.dataDir] }]),
    ...(layout
      ? [
          // `current` only where there is none: a board that has updated stays on its release.
          {
            cmd: 'ln',
            args: ['-s', join('releases', AGENT_VERSION), layout.current],
            unless: { cmd: 'test', args: ['-e', layout.current] },
          },
          // The agent unpacks releases and switches `current`; the launcher writes its state.
          { cmd: 'chown', args: ['-R', `${user}:${group}`, layout.root] },
        ]
      : []),
    { cmd: 'udevadm', args: ['control', '--reload'], whenWritten: paths.udevRules },
    {
      cmd: 'udevadm',
      args: ['trigger', '--subsystem-match=usb', '--subsystem-match=hidraw'],
      whenWritten: paths.udevRules,
    },
    { cmd: 'systemctl', args: ['restart', 'systemd-journald.service'], whenWritten: paths.journald },
    { cmd: 'systemctl', args: ['daemon-reload'], whenWritten: paths.unit },
    // Always: the device file may have changed, which no file here shows.
    { cmd: 'systemctl', args: ['enable', service] },
    { cmd: 'systemctl', args: ['restart', service] },
  ];
  return { files, commands };
}

export interface ApplyOptions {
  dryRun: boolean;
  /** null: files only (a staging root for an image); the commands are listed as skipped. */
  run: CommandRunner | null;
  out: (line: string) => void;
}

/** Writes what differs and runs the commands; a second run writes nothing. Throws on a failure. */
export async function applyInstall(plan: InstallPlan, o: ApplyOptions): Promise<void> {
  const written = new Set<string>();
  for (const f of plan.files) {
    const same =
      existsSync(f.path) &&
      readFileSync(f.path, 'utf8') === f.content &&
      (statSync(f.path).mode & 0o777) === f.mode;
    if (!same) written.add(f.path);
    if (o.dryRun) {
      o.out(`${same ? 'unchanged' : 'would write'} ${f.path} (mode ${f.mode.toString(8)})`);
      if (!same) o.out(indent(f.content));
      continue;
    }
    if (same) {
      o.out(`unchanged ${f.path}`);
      continue;
    }
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content, { mode: f.mode });
    chmodSync(f.path, f.mode); // writeFileSync's mode is masked by the umask and ignored on overwrite
    o.out(`wrote ${f.path}`);
  }
  for (const c of plan.commands) {
    const line = shellLine(c.cmd, c.args);
    const cond = c.unless ? ` (unless ${shellLine(c.unless.cmd, c.unless.args)} succeeds)` : '';
    if (c.whenWritten && !written.has(c.whenWritten)) {
      o.out(`not needed: ${line}`);
      continue;
    }
    if (o.dryRun || !o.run) {
      o.out(`${o.dryRun ? 'would run' : 'skipped (staging root)'}: ${line}${cond}`);
      continue;
    }
    if (c.unless && (await o.run(c.unless.cmd, c.unless.args)).code === 0) {
      o.out(`already done: ${line}`);
      continue;
    }
    const r = await o.run(c.cmd, c.args);
    if (r.code !== 0) throw new Error(`${line} failed (exit ${r.code}): ${r.stderr.trim()}`);
    o.out(`ran: ${line}`);
  }
}

const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
