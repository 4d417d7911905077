import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import {
  type AgentConfig,
  loadAgentConfig,
  loadProfile,
  udevRulesForProfileDirs,
  usbId,
} from '@onestop/firmware-config';
import { type Notifier, notifyRoute, SYSTEM_NOTIFY_SOCKET } from '../systemd/sd-notify.js';
import { BOARD, boardPaths, kioskUrl } from './board.js';
import { agentReadPaths } from './install.js';
import type { CommandRunner } from './runner.js';

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure, for the technician at the board. */
  fix?: string;
}

export interface DoctorOptions {
  configPath: string;
  root?: string;
  run: CommandRunner;
  /** Whether a TCP connection to the broker opens; injected in tests. */
  reach?: (host: string, port: number) => Promise<boolean>;
  /** How the agent's notifications would leave it on this board; found out when not given. */
  notifyVia?: Notifier['via'];
}

const pass = (name: string, detail: string): CheckResult => ({ name, ok: true, detail });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, ok: false, detail, fix });

/** `name:x:uid:gid:…` lines of /etc/passwd or /etc/group, by name. */
function colonFile(path: string): Map<string, string[]> {
  if (!existsSync(path)) return new Map();
  return new Map(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'))
      .map((f) => [f[0]!, f]),
  );
}

/** Every check of a running board, in the order a technician would fix them. */
export async function runDoctor(o: DoctorOptions): Promise<CheckResult[]> {
  const paths = boardPaths(o.root);
  const results: CheckResult[] = [];
  const reinstall = `sudo onestop agent install --config ${o.configPath}`;

  let config: AgentConfig | null = null;
  try {
    config = loadAgentConfig(paths.onBoard(o.configPath));
    results.push(pass('config', `${o.configPath} is valid (device ${config.device.deviceId})`));
  } catch (e) {
    const message = (e as Error).message;
    // Root's and the service group's alone: others (a technician's login) cannot read it to check it.
    const fix = /EACCES/.test(message)
      ? 'run the doctor as root: sudo onestop agent doctor …'
      : `fix the file, then: ${reinstall}`;
    results.push(fail('config', message, fix));
  }

  const users = colonFile(paths.passwd);
  const groups = colonFile(paths.group);
  const userEntry = users.get(BOARD.user);
  const uid = userEntry ? Number(userEntry[2]) : null;
  if (!userEntry) results.push(fail('service user', `no user '${BOARD.user}'`, reinstall));
  else {
    const missing = [BOARD.group, ...BOARD.deviceGroups].filter((g) => {
      const entry = groups.get(g);
      if (!entry) return true;
      return entry[2] !== userEntry[3] && !(entry[3] ?? '').split(',').includes(BOARD.user);
    });
    results.push(
      missing.length
        ? fail('service user', `'${BOARD.user}' is not in ${missing.join(', ')}`, reinstall)
        : pass('service user', `'${BOARD.user}' in ${[BOARD.group, ...BOARD.deviceGroups].join(', ')}`),
    );
  }

  const configFile = paths.onBoard(o.configPath);
  const rootUid = Number(users.get('root')?.[2] ?? 0);
  const groupGid = groups.has(BOARD.group) ? Number(groups.get(BOARD.group)![2]) : null;
  if (existsSync(configFile)) {
    const st = statSync(configFile);
    const mode = st.mode & 0o777;
    const octal = (m: number) => m.toString(8).padStart(4, '0');
    results.push(
      mode === BOARD.configMode && st.uid === rootUid && st.gid === groupGid
        ? pass('config permissions', `${octal(mode)}, root:${BOARD.group}`)
        : fail(
            'config permissions',
            `mode ${octal(mode)}, owner uid ${st.uid}, gid ${st.gid}: the broker password must be readable by the agent alone, and the file writable by root alone`,
            `sudo chown root:${BOARD.group} ${o.configPath} && sudo chmod ${octal(BOARD.configMode)} ${o.configPath}`,
          ),
    );
  }
  if (config && userEntry) {
    const gids = new Set(
      [...groups.values()]
        .filter((g) => g[2] === userEntry[3] || (g[3] ?? '').split(',').includes(BOARD.user))
        .map((g) => Number(g[2])),
    );
    results.push(readableCheck([o.configPath, ...agentReadPaths(config)], paths.onBoard, uid!, gids));
  }

  const unit = existsSync(paths.unit) ? readFileSync(paths.unit, 'utf8') : null;
  if (!unit) results.push(fail('unit', `${BOARD.service} is not installed`, reinstall));
  else {
    const watchdog = /^WatchdogSec=(\d+)/m.exec(unit)?.[1];
    results.push(
      /^Type=notify$/m.test(unit) && watchdog && Number(watchdog) > 0
        ? pass('unit', `${BOARD.service}: Type=notify, WatchdogSec=${watchdog}`)
        : fail('unit', `${BOARD.service} has no notify watchdog`, reinstall),
    );
  }
  if (unit) results.push(notifyCheck(unit, o.notifyVia ?? notifyRoute(SYSTEM_NOTIFY_SOCKET), reinstall));
  const systemctl = async (...args: string[]) => (await o.run('systemctl', args)).stdout.trim();
  const enabled = await systemctl('is-enabled', BOARD.service);
  results.push(
    enabled === 'enabled'
      ? pass('enabled', 'starts at boot')
      : fail('enabled', `is-enabled: ${enabled || 'unknown'}`, `sudo systemctl enable ${BOARD.service}`),
  );
  const active = await systemctl('is-active', BOARD.service);
  results.push(
    active === 'active'
      ? pass('running', 'active')
      : fail(
          'running',
          `is-active: ${active || 'unknown'}`,
          `journalctl -u ${BOARD.service} -n 50; sudo systemctl restart ${BOARD.service}`,
        ),
  );
  const watchdogUsec = await systemctl('show', '--property=WatchdogUSec', '--value', BOARD.service);
  results.push(
    watchdogUsec && !/^(0|infinity)$/.test(watchdogUsec)
      ? pass('watchdog', `systemd expects a keep-alive every ${watchdogUsec}`)
      : fail(
          'watchdog',
          `WatchdogUSec=${watchdogUsec || 'unknown'}`,
          `sudo systemctl daemon-reload; ${reinstall}`,
        ),
  );

  if (config) {
    // The device file names folders on the board: under the staging root when there is one.
    const profileDirs = config.devices.profileDirs.map(paths.onBoard);
    results.push(udevCheck(paths.udevRules, profileDirs, reinstall));
    results.push(...hidChecks(paths.usbDevices, config, profileDirs));
    results.push(cameraCheck(config, paths.onBoard));
    const url = kioskUrl(config);
    if (url)
      results.push(
        existsSync(paths.kioskAutostart)
          ? pass('kiosk autostart', url)
          : fail('kiosk autostart', 'the counter screen does not start with the desktop', reinstall),
      );
  }
  results.push(
    existsSync(paths.journald)
      ? pass('journal limits', paths.journald)
      : fail('journal limits', 'no journald drop-in: logs may fill the SD card', reinstall),
  );
  results.push(await timeCheck(o.run));
  if (config) results.push(await brokerCheck(config, o.reach ?? tcpReach));
  return results;
}

/**
 * Whether the service user can reach and read each file the agent reads, from the modes on the
 * board: a device file or profile folder under a 0700 home is the usual way to fail here.
 */
function readableCheck(
  boardPathsToRead: readonly string[],
  onBoard: (p: string) => string,
  uid: number,
  gids: ReadonlySet<number>,
): CheckResult {
  const name = `readable by ${BOARD.user}`;
  // The owner's, group's or others' bit of `bits` (r=4, x=1), whichever applies to the user.
  const may = (path: string, bits: number) => {
    const st = statSync(path);
    const m = st.mode & 0o777;
    if (st.uid === uid) return ((m >> 6) & bits) === bits;
    if (gids.has(st.gid)) return ((m >> 3) & bits) === bits;
    return (m & bits) === bits;
  };
  for (const p of boardPathsToRead) {
    if (!existsSync(onBoard(p))) continue; // the device and camera checks say what is missing
    const parents: string[] = [];
    for (let d = dirname(p); d !== '/' && d !== '.'; d = dirname(d)) parents.unshift(d);
    const blocked = parents.find((d) => !may(onBoard(d), 1));
    if (blocked)
      return fail(
        name,
        `${p}: ${BOARD.user} cannot enter ${blocked}`,
        `sudo chmod o+x ${blocked}, or move ${p}`,
      );
    const isDir = statSync(onBoard(p)).isDirectory();
    if (!may(onBoard(p), isDir ? 5 : 4))
      return fail(
        name,
        `${p}: ${BOARD.user} cannot read it`,
        `sudo chgrp ${BOARD.group} ${p} && sudo chmod g+r${isDir ? 'x' : ''} ${p}`,
      );
  }
  return pass(name, `${boardPathsToRead.length} files and folders the agent reads`);
}

/** The unit must let the agent's READY and keep-alives through the way they leave it here. */
function notifyCheck(unit: string, via: Notifier['via'], reinstall: string): CheckResult {
  const access = /^NotifyAccess=(\w+)/m.exec(unit)?.[1] ?? 'none';
  const needed = via === 'socket' ? ['main', 'all'] : ['all'];
  return needed.includes(access)
    ? pass(
        'notifications',
        `via ${via === 'socket' ? "the agent's own socket" : 'systemd-notify'}, NotifyAccess=${access}`,
      )
    : fail(
        'notifications',
        `the agent must use systemd-notify here (no prebuilt node-unix-socket), which NotifyAccess=${access} drops: READY never arrives`,
        reinstall,
      );
}

function udevCheck(file: string, profileDirs: string[], reinstall: string): CheckResult {
  if (!existsSync(file)) return fail('udev rules', `${file} is missing`, reinstall);
  const expected = udevRulesForProfileDirs(profileDirs);
  return readFileSync(file, 'utf8') === expected
    ? pass('udev rules', 'match the profiles')
    : fail('udev rules', 'differ from the profiles the device file names (a profile was added?)', reinstall);
}

/** USB devices as the kernel lists them (sysfs), so no native module is needed to look. */
function usbIds(dir: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(dir)) return ids;
  for (const d of readdirSync(dir)) {
    try {
      const v = readFileSync(join(dir, d, 'idVendor'), 'utf8').trim();
      const p = readFileSync(join(dir, d, 'idProduct'), 'utf8').trim();
      ids.add(`${v}:${p}`.toLowerCase());
    } catch {
      // Interfaces (1-1.2:1.0) have no ids of their own.
    }
  }
  return ids;
}

function hidChecks(usbDir: string, config: AgentConfig, profileDirs: string[]): CheckResult[] {
  const present = usbIds(usbDir);
  return (['keypad', 'scanner', 'badge'] as const).flatMap((role) => {
    const ref = config.devices[role];
    if (!ref) return [];
    const name = `${role} plugged in`;
    try {
      const { match } = loadProfile(ref.profile, profileDirs);
      const id = usbId(match);
      return [
        present.has(id)
          ? pass(name, `${ref.profile} (${id})`)
          : fail(
              name,
              `no USB device ${id} (${ref.profile})`,
              `plug the ${role} in; lsusb lists what is there`,
            ),
      ];
    } catch (e) {
      return [fail(name, (e as Error).message, `add the profile or fix devices.${role}.profile`)];
    }
  });
}

function cameraCheck(config: AgentConfig, onBoard: (p: string) => string): CheckResult {
  if (!config.camera) return pass('camera', 'none configured');
  const source = config.camera.source;
  return existsSync(onBoard(source))
    ? pass('camera', source)
    : fail('camera', `${source} is not there`, 'plug the camera in; v4l2-ctl --list-devices lists them');
}

export async function timeCheck(run: CommandRunner): Promise<CheckResult> {
  const r = await run('timedatectl', ['show', '--property=NTPSynchronized', '--value']);
  const synced = r.stdout.trim();
  return synced === 'yes'
    ? pass('clock', 'synchronised (ratings carry timestamps)')
    : fail(
        'clock',
        r.code === 0
          ? 'NOT synchronised: ratings would carry a wrong time'
          : `cannot tell: ${r.stderr.trim()}`,
        'sudo timedatectl set-ntp true; check that the board reaches an NTP server (UDP 123)',
      );
}

async function brokerCheck(
  config: AgentConfig,
  reach: (host: string, port: number) => Promise<boolean>,
): Promise<CheckResult> {
  const url = new URL(config.mqtt.url);
  const defaults: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 80, 'wss:': 443 };
  const port = url.port ? Number(url.port) : (defaults[url.protocol] ?? 1883);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return (await reach(host, port))
    ? pass('broker', `${host}:${port} answers`)
    : fail(
        'broker',
        `${host}:${port} does not answer`,
        'check the network, the address in mqtt.url and the firewall',
      );
}

/** A TCP connection that opens within 5 s: enough to tell a routing or firewall problem. */
export function tcpReach(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 5_000 });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('timeout', () => done(false));
    s.once('error', () => done(false));
  });
}

/** The report as the technician reads it; true when every check passed. */
export function formatDoctor(results: readonly CheckResult[], out: (line: string) => void): boolean {
  for (const r of results) {
    out(`${r.ok ? '✓' : '✗'} ${r.name}: ${r.detail}`);
    if (!r.ok && r.fix) out(`    → ${r.fix}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  out(failed ? `${failed} of ${results.length} checks failed` : `all ${results.length} checks passed`);
  return failed === 0;
}
