import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const EXAMPLE = fileURLToPath(new URL('../../firmware-config/examples/counter.yaml', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'onestop-cli-board-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'etc/onestop'), { recursive: true });
copyFileSync(EXAMPLE, join(root, 'etc/onestop/agent.yaml'));

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();

describe('onestop agent install / doctor', () => {
  const install = ['agent', 'install', '--config', '/etc/onestop/agent.yaml', '--root', root];

  it('hands --config to the subcommand and, with --dry-run, writes nothing', async () => {
    const r = await runCli([...install, '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('    Type=notify\n');
    expect(r.stdout).toContain(`ExecStart=${process.execPath} `);
    expect(r.stdout).toContain('would run: systemctl enable onestop-agent.service\n');
    expect(r.stdout).toContain('would check: timedatectl show --property=NTPSynchronized --value\n');
    expect(files(root)).toEqual([join(root, 'etc/onestop/agent.yaml')]);
  });

  it('writes a staging root once and leaves it as it is the second time', async () => {
    const first = await runCli(install);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`wrote ${join(root, 'etc/systemd/system/onestop-agent.service')}`);
    expect(first.stdout).toContain('skipped (staging root): systemctl restart onestop-agent.service');
    const written = Object.fromEntries(files(root).map((f) => [f, readFileSync(f, 'utf8')]));
    const second = await runCli(install);
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('wrote ');
    expect(Object.fromEntries(files(root).map((f) => [f, readFileSync(f, 'utf8')]))).toEqual(written);
  });

  it('refuses, in one line naming it, a value that would add a line to the unit', async () => {
    const bad = join(root, 'etc/onestop/bad.yaml');
    writeFileSync(
      bad,
      readFileSync(EXAMPLE, 'utf8').replace(
        /^dataDir: .*$/m,
        'dataDir: "/srv/x\\nExecStartPre=+/bin/sh -c id"',
      ),
    );
    const r = await runCli([
      'agent',
      'install',
      '--config',
      'etc/onestop/bad.yaml',
      '--root',
      root,
      '--dry-run',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).not.toContain('ExecStartPre');
    expect(r.stderr).toMatch(
      /^onestop: agent install: dataDir "\/srv\/x\\nExecStartPre=\+\/bin\/sh -c id" contains whitespace/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    rmSync(bad);
  });

  it('doctor exits non-zero when a check fails', async () => {
    const r = await runCli(['agent', 'doctor', '--config', '/etc/onestop/agent.yaml', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✓ config: /etc/onestop/agent.yaml is valid (device tv-q03-a)');
    expect(r.stdout).toContain("✗ service user: no user 'onestop'");
    expect(r.stdout).toMatch(/checks failed\n$/);
  });

  it('still asks the agent for its --config', async () => {
    const r = await runCli(['agent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--config <file>' not specified");
  });
});
