import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CheckResult, formatDoctor, runDoctor, tcpReach } from './doctor.js';
import { applyInstall, planInstall } from './install.js';
import type { CommandRunner } from './runner.js';

const CONFIG_PATH = '/etc/onestop/agent.yaml';
const uid = process.getuid?.() ?? 0;
// The staged board's root and onestop group are this test's own user and group, whose files these are.
const gid = process.getgid?.() ?? 0;

const configYaml = (port: number) => `schemaVersion: 2
device: { unitId: trung-van, counterId: q03, deviceId: tv-q03-a }
mqtt: { url: "mqtt://127.0.0.1:${port}", username: tv-q03-a, password: secret }
dataDir: /var/lib/onestop
devices:
  keypad: { profile: generic-keypad4-fkeys }
  badge: { profile: generic-badge-rfid125 }
kiosk: { port: 8080 }
camera: { source: /dev/video0 }
`;

const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};

/** What systemctl and timedatectl answer on a healthy board. */
const healthy: Record<string, string> = {
  'systemctl is-enabled onestop-agent.service': 'enabled',
  'systemctl is-active onestop-agent.service': 'active',
  'systemctl show --property=WatchdogUSec --value onestop-agent.service': '30s',
  'timedatectl show --property=NTPSynchronized --value': 'yes',
};

describe('onestop agent doctor on a staged board', () => {
  let root: string;
  let broker: Server;
  let port: number;
  let answers: Record<string, string>;
  const run: CommandRunner = async (cmd, args) => {
    const out = answers[[cmd, ...args].join(' ')];
    return out === undefined
      ? { code: 1, stdout: '', stderr: 'unknown' }
      : { code: 0, stdout: `${out}\n`, stderr: '' };
  };
  const doctor = () => runDoctor({ configPath: CONFIG_PATH, root, run });
  const failed = (results: CheckResult[]) => results.filter((r) => !r.ok).map((r) => r.name);

  beforeEach(async () => {
    answers = { ...healthy };
    broker = createServer((s) => s.end());
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
    port = (broker.address() as { port: number }).port;
    root = mkdtempSync(join(tmpdir(), 'onestop-doctor-'));
    write(join(root, CONFIG_PATH), configYaml(port));
    chmodSync(join(root, CONFIG_PATH), 0o640);
    write(
      join(root, 'etc/passwd'),
      `root:x:${uid}:0::/root:/bin/sh\nonestop:x:${uid + 1}:${gid}::/var/lib/onestop:/usr/sbin/nologin\n`,
    );
    write(
      join(root, 'etc/group'),
      `onestop:x:${gid}:\nplugdev:x:46:onestop\nvideo:x:44:pi,onestop\ninput:x:105:onestop\n`,
    );
    // The keypad and the badge reader as the kernel lists them, and the camera's node.
    for (const [dev, vid, pid] of [
      ['1-1.2', '1a2c', '0e24'],
      ['1-1.3', 'ffff', '0035'],
    ]) {
      write(join(root, 'sys/bus/usb/devices', dev!, 'idVendor'), `${vid}\n`);
      write(join(root, 'sys/bus/usb/devices', dev!, 'idProduct'), `${pid}\n`);
    }
    mkdirSync(join(root, 'sys/bus/usb/devices/1-1.2:1.0'));
    write(join(root, 'dev/video0'), '');
    const { loadAgentConfig } = await import('@onestop/firmware-config');
    const plan = planInstall(loadAgentConfig(join(root, CONFIG_PATH)), {
      configPath: CONFIG_PATH,
      execStart: ['/usr/bin/node', '/opt/onestop/cli/bin/onestop.js'],
      root,
    });
    await applyInstall(plan, { dryRun: false, run: null, out: () => {} });
  });

  afterEach(async () => {
    rmSync(root, { recursive: true, force: true });
    await new Promise((r) => broker.close(r));
  });

  it('passes every check on a board installed and running', async () => {
    const results = await doctor();
    expect(failed(results)).toEqual([]);
    expect(results.map((r) => r.name)).toEqual([
      'config',
      'service user',
      'config permissions',
      'readable by onestop',
      'unit',
      'notifications',
      'enabled',
      'running',
      'watchdog',
      'udev rules',
      'keypad plugged in',
      'badge plugged in',
      'camera',
      'kiosk autostart',
      'journal limits',
      'clock',
      'broker',
    ]);
    const lines: string[] = [];
    expect(formatDoctor(results, (l) => lines.push(l))).toBe(true);
    expect(lines[0]).toMatch(/^✓ config: /);
    expect(lines.at(-1)).toBe('all 17 checks passed');
  });

  it('names each fault with a fix, and fails', async () => {
    chmodSync(join(root, CONFIG_PATH), 0o644);
    rmSync(join(root, 'sys/bus/usb/devices/1-1.3'), { recursive: true });
    rmSync(join(root, 'dev/video0'));
    write(join(root, 'etc/udev/rules.d/99-onestop-counter.rules'), '# edited by hand\n');
    write(
      join(root, 'etc/group'),
      `onestop:x:${gid}:\nplugdev:x:46:onestop\nvideo:x:44:\ninput:x:105:onestop\n`,
    );
    answers['timedatectl show --property=NTPSynchronized --value'] = 'no';
    answers['systemctl is-active onestop-agent.service'] = 'failed';
    answers['systemctl show --property=WatchdogUSec --value onestop-agent.service'] = '0';
    await new Promise((r) => broker.close(r));
    broker = createServer();

    const results = await doctor();
    expect(failed(results).join(', ')).toBe(
      'service user, config permissions, running, watchdog, udev rules, badge plugged in, camera, clock, broker',
    );
    const lines: string[] = [];
    expect(formatDoctor(results, (l) => lines.push(l))).toBe(false);
    const text = lines.join('\n');
    expect(text).toContain("✗ service user: 'onestop' is not in video");
    expect(text).toContain(`→ sudo chown root:onestop ${CONFIG_PATH} && sudo chmod 0640 ${CONFIG_PATH}`);
    expect(text).toContain('✗ clock: NOT synchronised');
    expect(text).toContain('✗ badge plugged in: no USB device ffff:0035 (generic-badge-rfid125)');
    expect(text).toContain('9 of 17 checks failed');
  });

  it('fails a config the service user could rewrite', async () => {
    // As 0.x installed it: onestop's own file, 0600 — the agent could change what root trusts.
    chmodSync(join(root, CONFIG_PATH), 0o600);
    write(
      join(root, 'etc/passwd'),
      `root:x:${uid + 7}:0::/root:/bin/sh\nonestop:x:${uid}:${gid}::/var/lib/onestop:/usr/sbin/nologin\n`,
    );
    const results = await doctor();
    expect(failed(results)).toEqual(['config permissions']);
  });

  it('finds a file the agent reads behind a folder it cannot enter', async () => {
    const home = join(root, 'home/pi');
    write(join(home, 'profiles/.keep'), '');
    write(
      join(root, CONFIG_PATH),
      configYaml(port).replace('\ndevices:\n', '\ndevices:\n  profileDirs: [/home/pi/profiles]\n'),
    );
    chmodSync(join(root, CONFIG_PATH), 0o640);
    // Owned by someone else, closed to others: Raspberry Pi OS's 0700 home.
    write(join(root, 'etc/passwd'), `root:x:${uid}:0::/root:/bin/sh\nonestop:x:${uid + 1}:${gid}::/:/x\n`);
    write(
      join(root, 'etc/group'),
      `onestop:x:${gid}:\nplugdev:x:46:onestop\nvideo:x:44:onestop\ninput:x:105:onestop\n`,
    );
    chmodSync(home, 0o700);
    const readable = (await doctor()).find((r) => r.name === 'readable by onestop');
    expect(readable).toMatchObject({ ok: false, detail: '/home/pi/profiles: onestop cannot enter /home/pi' });
    chmodSync(home, 0o711);
    expect((await doctor()).find((r) => r.name === 'readable by onestop')?.ok).toBe(true);
  });

  it('says how notifications leave the agent, and fails a unit that would drop them', async () => {
    const notes = async (notifyVia: 'socket' | 'systemd-notify') =>
      (await runDoctor({ configPath: CONFIG_PATH, root, run, notifyVia })).find(
        (r) => r.name === 'notifications',
      );
    const unitFile = join(root, 'etc/systemd/system/onestop-agent.service');
    const { readFileSync } = await import('node:fs');
    write(unitFile, readFileSync(unitFile, 'utf8').replace(/^NotifyAccess=.*$/m, 'NotifyAccess=main'));
    expect(await notes('socket')).toMatchObject({
      ok: true,
      detail: "via the agent's own socket, NotifyAccess=main",
    });
    expect(await notes('systemd-notify')).toMatchObject({ ok: false });
    write(unitFile, readFileSync(unitFile, 'utf8').replace(/^NotifyAccess=.*$/m, 'NotifyAccess=all'));
    expect(await notes('systemd-notify')).toMatchObject({
      ok: true,
      detail: 'via systemd-notify, NotifyAccess=all',
    });
  });

  it('reports a missing installation and an unreadable config', async () => {
    rmSync(join(root, 'etc/systemd'), { recursive: true });
    rmSync(join(root, CONFIG_PATH));
    answers = {};
    const results = await doctor();
    expect(failed(results)).toEqual(
      expect.arrayContaining(['config', 'unit', 'enabled', 'running', 'watchdog', 'journal limits', 'clock']),
    );
    expect(results.find((r) => r.name === 'unit')?.fix).toBe(
      `sudo onestop agent install --config ${CONFIG_PATH}`,
    );
  });

  it('reaches a broker that listens and not one that does not', async () => {
    expect(await tcpReach('127.0.0.1', port)).toBe(true);
    await new Promise((r) => broker.close(r));
    broker = createServer();
    expect(await tcpReach('127.0.0.1', port)).toBe(false);
  });
});
