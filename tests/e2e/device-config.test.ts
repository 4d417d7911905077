import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('onestop device config', () => {
  const data = mkdtempSync(join(tmpdir(), 'onestop-config-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  it('stores validated settings from YAML with rising versions, for a device or a unit', async () => {
    const add = await cli('device', 'add', '--unit', 'trung-van', '--counter', 'q01');
    const { deviceId } = JSON.parse(add.stdout) as { deviceId: string };
    const file = join(data, 'settings.yaml');
    writeFileSync(
      file,
      'scale: keypad5\nratingTimeoutMs: 15000\ncommentUrl: https://gopy.trungvan.gov.vn/\n',
    );
    const set = await cli('device', 'config', 'set', deviceId, '--file', file);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toEqual({ deviceId, version: 1 });
    const again = await cli('device', 'config', 'set', '--unit', 'trung-van', '--file', file);
    expect(JSON.parse(again.stdout)).toEqual({ deviceId, version: 2 });
    const show = JSON.parse((await cli('device', 'config', 'show', deviceId)).stdout) as {
      version: number;
      settings: { scale: string; ratingTimeoutMs: number };
    };
    expect(show).toMatchObject({ version: 2, settings: { scale: 'keypad5', ratingTimeoutMs: 15_000 } });

    // The unit's roster rides along in every later config, and a roster change is a new version.
    const officer = await cli(
      'officer',
      'add',
      '--unit',
      'trung-van',
      '--id',
      'cb-lan',
      '--name',
      'Nguyễn Thị Lan',
      '--badge',
      '0042',
    );
    expect(officer.code, officer.stderr).toBe(0);
    const withRoster = JSON.parse((await cli('device', 'config', 'show', deviceId)).stdout) as {
      version: number;
      settings: { officers: Record<string, { name: string; badge: string | null }> };
    };
    expect(withRoster.version).toBe(3);
    expect(withRoster.settings.officers).toEqual({ 'cb-lan': { name: 'Nguyễn Thị Lan', badge: '0042' } });
    expect((await cli('officer', 'list', '--unit', 'trung-van')).stdout).toContain('"id":"cb-lan"');

    writeFileSync(file, 'scale: keypad9\n');
    const bad = await cli('device', 'config', 'set', deviceId, '--file', file);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^onestop: settings: scale: /);
  }, 60_000);
});
