import type { Command } from 'commander';
import { asUsage, UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

const DATA = ['--data <dir>', 'data folder of the embedded database', './data'] as const;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** The unit's roster: names and badges that the counters show and read. Saving sends it to them. */
export function registerOfficerCommands(program: Command): void {
  const officer = program.command('officer').description("manage a unit's officers (names, badges)");

  officer
    .command('add')
    .description('add or update an officer on a unit roster; the unit’s counters get it within seconds')
    .requiredOption('--unit <unitId>', 'unit ID')
    .requiredOption('--id <officerId>', 'officer ID (A-Z, a-z, 0-9, . _ -)')
    .requiredOption('--name <name>', 'full name as shown on the kiosk')
    .option('--badge <badge>', 'what the badge reader reads for this officer')
    .option(...DATA)
    .action(async (o: { unit: string; id: string; name: string; badge?: string; data: string }) => {
      const { saveOfficer } = await import('@onestop/store');
      const saved = await withStore(o.data, (db) =>
        saveOfficer(db, {
          unitId: o.unit,
          officerId: o.id,
          name: o.name,
          badge: o.badge ?? null,
          actor: 'cli',
          // At the console: an administrator, so a transfer from another unit is allowed.
          transferFromOtherUnit: true,
        }).catch(asUsage),
      );
      print(saved);
    });

  officer
    .command('list')
    .description("a unit's active officers as JSON lines")
    .requiredOption('--unit <unitId>', 'unit ID')
    .option(...DATA)
    .action(async (o: { unit: string; data: string }) => {
      const { unitRoster } = await import('@onestop/store');
      for (const x of await withStore(o.data, (db) => unitRoster(db, o.unit))) print(x);
    });

  officer
    .command('retire')
    .description('take an officer off the roster (their rating history stays)')
    .argument('<officerId>')
    .option(...DATA)
    .action(async (officerId: string, o: { data: string }) => {
      const { retireOfficer } = await import('@onestop/store');
      if (!(await withStore(o.data, (db) => retireOfficer(db, officerId, 'cli'))))
        throw new UsageError(`no active officer '${officerId}'`);
      print({ officerId, retired: true });
    });
}
