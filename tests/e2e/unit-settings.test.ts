import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('onestop unit settings', () => {
  const data = mkdtempSync(join(tmpdir(), 'onestop-unit-'));
  afterAll(() => rmSync(data, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli([...args, '--data', data]);
  type Shown = {
    settings: {
      openingHours: Record<string, { open: string; close: string } | null>;
      rapidRepeat: { windowSeconds: number };
      burst: { maxPresses: number; windowMinutes: number };
    };
  };

  it('shows the defaults, changes only what is asked, and keeps the rest', async () => {
    const before = await cli('unit', 'settings', 'trung-van');
    expect(before.code, before.stderr).toBe(0);
    const defaults = (JSON.parse(before.stdout) as Shown).settings;
    const changed = await cli(
      'unit',
      'settings',
      'trung-van',
      '--open-hours',
      'mon=07:00-17:30',
      '--open-hours',
      'sun=closed',
      '--rapid-repeat-s',
      '0',
      '--satisfied-target',
      '90',
    );
    expect(changed.code, changed.stderr).toBe(0);
    const after = (JSON.parse(changed.stdout) as Shown).settings;
    expect(after).toEqual({
      ...defaults,
      openingHours: { ...defaults.openingHours, mon: { open: '07:00', close: '17:30' }, sun: null },
      rapidRepeat: { windowSeconds: 0 },
      targets: { satisfiedShare: 0.9 },
    });
    // Stored: shown again as changed.
    expect((JSON.parse((await cli('unit', 'settings', 'trung-van')).stdout) as Shown).settings).toEqual(
      after,
    );
  }, 60_000);

  it('refuses a bad value with one line naming it, and stores nothing', async () => {
    const badHour = await cli('unit', 'settings', 'kim-anh', '--open-hours', 'mon=07:00-25:00');
    expect(badHour.code).toBe(2);
    expect(badHour.stderr.trim()).toMatch(/^onestop: settings: openingHours\.mon\.close: /);
    const badDay = await cli('unit', 'settings', 'kim-anh', '--open-hours', 'monday=07:00-17:00');
    expect(badDay.code).toBe(2);
    expect(badDay.stderr).toContain('--open-hours: write day=HH:MM-HH:MM or day=closed');
    const tooLong = await cli('unit', 'settings', 'kim-anh', '--burst-window-min', '100000');
    expect(tooLong.code).toBe(2);
    expect(tooLong.stderr).toMatch(/burst\.windowMinutes/);
    const shown = async (unitId: string) =>
      JSON.parse((await cli('unit', 'settings', unitId)).stdout) as Shown;
    expect((await shown('kim-anh')).settings).toEqual((await shown('dong-anh')).settings);
  }, 60_000);

  it('refuses a satisfied-share target under one half', async () => {
    const low = await cli('unit', 'settings', 'kim-anh', '--satisfied-target', '40');
    expect(low.code).toBe(2);
    expect(low.stderr).toMatch(/targets\.satisfiedShare/);
  }, 60_000);
});
