import type { Command } from 'commander';
import { adminCall, DATA_FLAG } from '../admin/client.js';

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
    .option(...DATA_FLAG)
    .action(async (o: { unit: string; id: string; name: string; badge?: string; data: string }) => {
      print(
        await adminCall(o.data, 'officer.add', {
          unitId: o.unit,
          officerId: o.id,
          name: o.name,
          badge: o.badge ?? null,
        }),
      );
    });

  officer
    .command('list')
    .description("a unit's active officers as JSON lines")
    .requiredOption('--unit <unitId>', 'unit ID')
    .option(...DATA_FLAG)
    .action(async (o: { unit: string; data: string }) => {
      for (const x of await adminCall(o.data, 'officer.list', { unitId: o.unit })) print(x);
    });

  officer
    .command('retire')
    .description('take an officer off the roster (their rating history stays)')
    .argument('<officerId>')
    .option(...DATA_FLAG)
    .action(async (officerId: string, o: { data: string }) => {
      print(await adminCall(o.data, 'officer.retire', { officerId }));
    });
}
