import { join } from 'node:path';
import type { AgentConfig } from '@onestop/firmware-config';
import { underHome, unitPath, unitWord } from './unit-values.js';

/** Names on the board, one definition for the installer and the doctor. */
export const BOARD = {
  service: 'onestop-agent.service',
  user: 'onestop',
  group: 'onestop',
  /**
   * plugdev: USB devices on Debian; input: evdev nodes of keyboard-like devices (a badge reader
   * read without grabbing); video: V4L2 cameras. hidraw and usbfs nodes of profiled devices are
   * opened through the 'onestop' group the udev rules give them.
   */
  deviceGroups: ['plugdev', 'video', 'input'],
  /** StateDirectory= creates it owned by the service user; the outbox lives here by default. */
  stateDir: '/var/lib/onestop',
  watchdogSec: 30,
  /** The device file: root writes it, the service's group reads it (it holds the broker password). */
  configMode: 0o640,
} as const;

/** Where each installed file goes on the board, under `root` (a staging root in tests). */
export function boardPaths(root = '/') {
  return {
    unit: join(root, 'etc/systemd/system', BOARD.service),
    udevRules: join(root, 'etc/udev/rules.d/99-onestop-counter.rules'),
    journald: join(root, 'etc/systemd/journald.conf.d/onestop.conf'),
    kioskAutostart: join(root, 'etc/xdg/autostart/onestop-kiosk.desktop'),
    passwd: join(root, 'etc/passwd'),
    group: join(root, 'etc/group'),
    usbDevices: join(root, 'sys/bus/usb/devices'),
    onBoard: (path: string) => join(root, path),
  };
}

/** Whether the outbox lives in the directory systemd makes for the service (StateDirectory=). */
export const inStateDir = (dataDir: string) =>
  dataDir === BOARD.stateDir || dataDir.startsWith(`${BOARD.stateDir}/`);

/** The kiosk screen's address for the browser on the same board; null without a kiosk. */
export function kioskUrl(config: AgentConfig): string | null {
  if (!config.kiosk) return null;
  const host = ['0.0.0.0', '::'].includes(config.kiosk.host) ? '127.0.0.1' : config.kiosk.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.kiosk.port}/`;
}

export interface UnitOptions {
  /** The command that runs `onestop` (node and the CLI script), absolute paths. */
  execStart: readonly string[];
  configPath: string;
  dataDir: string;
  /** Other files and folders the agent reads (profiles, CA file, replay frames): ProtectHome=. */
  readPaths?: readonly string[];
  watchdogSec?: number;
  /**
   * `all` where the agent must fall back to `systemd-notify` (no prebuilt socket binding on this
   * board): its datagrams come from a child PID, which `main` would drop, READY never arriving.
   */
  notifyAccess?: 'main' | 'all';
  /**
   * A board that updates itself (the device file has `updates`): systemd runs the launcher, which
   * stays outside releases and runs `<installRoot>/current` (edge-agent/src/update). The release
   * it runs, a child, sends READY and the keep-alives: NotifyAccess=all.
   */
  launcher?: { script: string; installRoot: string };
}

/**
 * The agent's service. Type=notify with a watchdog: systemd waits for READY (config loaded, outbox
 * open) and restarts an agent whose event loop stops answering. Hardening leaves /dev alone:
 * PrivateDevices= and ProtectClock= (which adds a device rule, so closes the device policy)
 * would take the keypad, scanner, badge reader and camera away.
 */
export function agentUnit(o: UnitOptions): string {
  const execStart = o.execStart.map((p, i) => unitPath(`ExecStart argument ${i + 1}`, p));
  const configPath = unitPath('config path', o.configPath);
  const dataDir = unitPath('dataDir', o.dataDir);
  // ProtectHome=read-only would leave the outbox unwritable, and a writable home is too much.
  if (underHome(dataDir))
    throw new Error(`dataDir ${dataDir} is under /home: put the outbox in ${BOARD.stateDir} or under /srv`);
  const launcher = o.launcher
    ? {
        script: unitPath('launcher script', o.launcher.script),
        installRoot: unitPath('updates.installRoot', o.launcher.installRoot),
      }
    : null;
  if (launcher && underHome(launcher.installRoot))
    throw new Error(
      `updates.installRoot ${launcher.installRoot} is under /home: put it under /var/lib or /opt`,
    );
  const command = launcher
    ? [execStart[0]!, launcher.script, '--root', launcher.installRoot, '--', '--config', configPath]
    : [...execStart, 'agent', '--config', configPath];
  const readPaths = [
    ...execStart,
    ...(launcher ? [launcher.script] : []),
    configPath,
    ...(o.readPaths ?? []).map((p) => unitPath('a path the agent reads', p)),
  ];
  const watchdogSec = o.watchdogSec ?? BOARD.watchdogSec;
  if (!Number.isInteger(watchdogSec) || watchdogSec <= 0)
    throw new Error(`watchdog interval must be a whole number of seconds above 0, got ${watchdogSec}`);
  return `${[
    '# Installed by `onestop agent install`; run it again rather than editing this file.',
    '[Unit]',
    'Description=onestop counter agent (keypad, scanner, badge reader, camera, outbox)',
    // Ratings carry timestamps: start once the clock has been set, when the board has a way to.
    'Wants=network-online.target time-sync.target',
    'After=network-online.target time-sync.target',
    // Restart=always for ever: a counter must never stay down until someone comes.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=notify',
    // Only the agent's own process may say READY or feed the watchdog (sd-notify.ts), unless it
    // has to send them through systemd-notify.
    `NotifyAccess=${launcher ? 'all' : (o.notifyAccess ?? 'main')}`,
    `ExecStart=${command.join(' ')}`,
    `User=${BOARD.user}`,
    `Group=${BOARD.group}`,
    'Restart=always',
    'RestartSec=5',
    `WatchdogSec=${watchdogSec}`,
    // Loading the camera models on a Pi takes a while; the agent stops in 8 s or exits itself.
    'TimeoutStartSec=120',
    'TimeoutStopSec=15',
    'StateDirectory=onestop',
    'StateDirectoryMode=0700',
    ...(inStateDir(dataDir) ? [] : [`ReadWritePaths=${dataDir}`]),
    // The agent unpacks releases and switches `current` there; the launcher keeps its state there.
    ...(launcher && !inStateDir(launcher.installRoot) ? [`ReadWritePaths=${launcher.installRoot}`] : []),
    'Environment=NODE_ENV=production',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'CapabilityBoundingSet=',
    'ProtectSystem=strict',
    // A checkout, device file or profile folder under /home (usual on a Pi) must stay readable.
    `ProtectHome=${readPaths.some(underHome) ? 'read-only' : 'yes'}`,
    'PrivateTmp=yes',
    'PrivateMounts=yes',
    'RemoveIPC=yes',
    // Other users' processes are none of the agent's business; its own /proc/self stays.
    'ProtectProc=invisible',
    'ProtectHostname=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    // Netlink: libusb and udev hot-plug notices.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'RestrictSUIDSGID=yes',
    'LockPersonality=yes',
    'SystemCallArchitectures=native',
    // Not MemoryDenyWriteExecute=: V8's JIT writes code at run time. Not yet SystemCallFilter=:
    // libusb's and V4L2's ioctls want trying on a board first.
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}

/**
 * Journald limits: a board logs for months on an SD card it shares with the outbox, which must
 * never run out of room because of logs; a crash loop must not flood it either.
 */
export function journaldDropIn(): string {
  return `${[
    '# Installed by `onestop agent install`: keep the journal small on the counter board.',
    '[Journal]',
    'Storage=persistent',
    'SystemMaxUse=200M',
    'SystemKeepFree=1G',
    'SystemMaxFileSize=20M',
    'RuntimeMaxUse=50M',
    'MaxRetentionSec=3month',
    'RateLimitIntervalSec=30s',
    'RateLimitBurst=2000',
  ].join('\n')}\n`;
}

/**
 * The counter's screen: Chromium in kiosk mode on the agent's kiosk page, started with the
 * desktop session (XDG autostart, read by the LXDE and labwc sessions of Raspberry Pi OS). The
 * autoplay flag lets the spoken prompts play without a first touch.
 */
export function kioskAutostart(url: string, browser = 'chromium'): string {
  const args = [
    unitWord('--browser', browser),
    '--kiosk',
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-session-crashed-bubble',
    '--autoplay-policy=no-user-gesture-required',
    '--check-for-update-interval=31536000',
    unitWord('kiosk address', url),
  ];
  return `${[
    '# Installed by `onestop agent install`: the counter screen.',
    '[Desktop Entry]',
    'Type=Application',
    'Name=onestop kiosk',
    'Comment=Màn hình đánh giá tại quầy / counter rating screen',
    `Exec=${args.join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
  ].join('\n')}\n`;
}
