import type { Command } from 'commander';
import { asUsage, UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

const DATA = ['--data <dir>', 'data folder of the embedded database', './data'] as const;
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
    .option(...DATA)
    .action(async (unitId: string, o: SettingsFlags) => {
      const { UnitId } = await import('@onestop/protocol');
      const { WEEKDAYS } = await import('@onestop/evaluation');
      if (!UnitId.safeParse(unitId).success) throw new UsageError(`<unitId>: not a unit ID: '${unitId}'`);
      const hours: Record<string, { open: string; close: string } | null> = {};
      for (const flag of o.openHours ?? []) {
        const m = HOURS.exec(flag);
        if (!m || !(WEEKDAYS as readonly string[]).includes(m[1] ?? ''))
          throw new UsageError(
            `--open-hours: write day=HH:MM-HH:MM or day=closed with day one of ${WEEKDAYS.join(', ')}, got '${flag}'`,
          );
        hours[m[1]!] = m[2] && m[3] ? { open: m[2], close: m[3] } : null;
      }
      const changes =
        Object.keys(hours).length > 0 ||
        [o.rapidRepeatS, o.burstMax, o.burstWindowMin, o.satisfiedTarget].some((v) => v !== undefined);
      const { getUnitSettings, setUnitSettings } = await import('@onestop/store');
      const settings = await withStore(o.data, async (db) => {
        const now = await getUnitSettings(db, unitId).catch(asUsage);
        if (!changes) return now;
        const next = {
          ...now,
          openingHours: { ...now.openingHours, ...hours },
          rapidRepeat: { windowSeconds: whole(o.rapidRepeatS) ?? now.rapidRepeat.windowSeconds },
          burst: {
            maxPresses: whole(o.burstMax) ?? now.burst.maxPresses,
            windowMinutes: whole(o.burstWindowMin) ?? now.burst.windowMinutes,
          },
          targets: { satisfiedShare: share(o.satisfiedTarget) ?? now.targets.satisfiedShare },
        };
        return setUnitSettings(db, { unitId, settings: next, actor: 'cli' }).catch(asUsage);
      });
      process.stdout.write(`${JSON.stringify({ unitId, settings })}\n`);
    });
}
