import type { Command } from 'commander';
import { adminCall, DATA_FLAG } from '../admin/client.js';
import { UsageError } from '../errors.js';

const HOURS = /^([a-z]{3})=(?:closed|(\d\d:\d\d)-(\d\d:\d\d))$/;
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface SettingsFlags {
  openHours?: string[];
  rapidRepeatS?: string;
  burstMax?: string;
  burstWindowMin?: string;
  satisfiedTarget?: string;
  data: string;
}

/** A whole number as typed, else the text itself: the settings schema names what is wrong. */
const whole = (v: string | undefined) => (v === undefined ? undefined : /^-?\d+$/.test(v) ? Number(v) : v);

/** A percent as typed, as the share the settings hold; else the text itself, for the schema to name. */
const share = (v: string | undefined) =>
  v === undefined ? undefined : /^\d+(\.\d+)?$/.test(v) ? Number(v) / 100 : v;

/** A unit's evaluation settings (opening hours, misuse-filter thresholds, target), as on the dashboard. */
export function registerUnitCommands(program: Command): void {
  const unit = program.command('unit').description("a unit's evaluation settings");

  unit
    .command('settings')
    .description(
      "show a unit's evaluation settings, or change some of them (audited); they judge the ratings received from then on, never re-judge stored ones",
    )
    .argument('<unitId>')
    .option(
      '--open-hours <day=HH:MM-HH:MM>',
      'opening hours of a weekday (mon … sun) in Vietnam time, or day=closed; repeatable',
      collect,
    )
    .option('--rapid-repeat-s <seconds>', 'a press this soon after the previous one is filtered (0: off)')
    .option('--burst-max <presses>', 'presses with no visit allowed within the burst window')
    .option('--burst-window-min <minutes>', 'the burst window (0: off)')
    .option('--satisfied-target <percent>', "the satisfied-share target of the unit's pages, 50 to 100")
    .option(...DATA_FLAG)
    .action(async (unitId: string, o: SettingsFlags) => {
      const { WEEKDAYS } = await import('@onestop/evaluation');
      const openingHours: Record<string, { open: string; close: string } | null> = {};
      for (const flag of o.openHours ?? []) {
        const m = HOURS.exec(flag);
        if (!m || !(WEEKDAYS as readonly string[]).includes(m[1] ?? ''))
          throw new UsageError(
            `--open-hours: write day=HH:MM-HH:MM or day=closed with day one of ${WEEKDAYS.join(', ')}, got '${flag}'`,
          );
        openingHours[m[1]!] = m[2] && m[3] ? { open: m[2], close: m[3] } : null;
      }
      // No change given: the operation shows the settings as they are.
      const settings = await adminCall(o.data, 'unit.settings', {
        unitId,
        openingHours,
        rapidRepeatSeconds: whole(o.rapidRepeatS),
        burstMaxPresses: whole(o.burstMax),
        burstWindowMinutes: whole(o.burstWindowMin),
        satisfiedShare: share(o.satisfiedTarget),
      });
      process.stdout.write(`${JSON.stringify({ unitId, settings })}\n`);
    });
}
