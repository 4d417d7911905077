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
    chmodSync(join(root, CONFIG_PATH), 0o600);
    write(
      join(root, 'etc/passwd'),
      `root:x:0:0::/root:/bin/sh\nonestop:x:${uid}:990::/var/lib/onestop:/usr/sbin/nologin\n`,
    );
    write(
      join(root, 'etc/group'),
      'onestop:x:990:\nplugdev:x:46:onestop\nvideo:x:44:pi,onestop\ninput:x:105:onestop\n',
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
      'unit',
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
    expect(lines.at(-1)).toBe('all 15 checks passed');
  });

  it('names each fault with a fix, and fails', async () => {
    chmodSync(join(root, CONFIG_PATH), 0o644);
    rmSync(join(root, 'sys/bus/usb/devices/1-1.3'), { recursive: true });
    rmSync(join(root, 'dev/video0'));
    write(join(root, 'etc/udev/rules.d/99-onestop-counter.rules'), '# edited by hand\n');
    write(
      join(root, 'etc/group'),
      'onestop:x:990:\nplugdev:x:46:onestop\nvideo:x:44:\ninput:x:105:onestop\n',
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
    expect(text).toContain(`→ sudo chown onestop:onestop ${CONFIG_PATH} && sudo chmod 0600 ${CONFIG_PATH}`);
    expect(text).toContain('✗ clock: NOT synchronised');
    expect(text).toContain('✗ badge plugged in: no USB device ffff:0035 (generic-badge-rfid125)');
    expect(text).toContain('9 of 15 checks failed');
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
