import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { adminCall, DATA_FLAG } from '../admin/client.js';
import { parsePositiveInt, UsageError } from '../errors.js';

interface DataOpts {
  data: string;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** The `release` command, whoever registered it first (keygen, create and verify live beside these). */
function releaseCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'release') ??
    program.command('release').description('signed releases of the agent and its models (issue 14)')
  );
}

/**
 * The centre's side of fleet updates: `release publish|trust|list` and
 * `rollout start|widen|pause|resume|withdraw|status|list`, through the running centre's control
 * socket, or PostgreSQL (DATABASE_URL), or the embedded database (see admin/client.ts).
 */
export function registerRolloutCommands(program: Command): void {
  const release = releaseCommand(program);
  release
    .command('publish')
    .description(
      'store a release bundle in the centre, verified against its trusted release keys first (audited)',
    )
    .argument('<file>', 'the bundle made by `onestop release create`')
    .option(...DATA_FLAG)
    .action(async (file: string, o: DataOpts) => {
      print(await adminCall(o.data, 'release.publish', { file: resolve(file) }));
    });
  release
    .command('trust')
    .description(
      'trust a release signing public key: uploads must be signed by one, boards pair with them (audited)',
    )
    .argument('<publicKeyFile>', 'PEM file of an Ed25519 public key (`onestop release keygen`)')
    .option('--name <name>', 'a name to tell the key by', '')
    .option(...DATA_FLAG)
    .action(async (file: string, o: DataOpts & { name: string }) => {
      let publicPem: string;
      try {
        publicPem = readFileSync(file, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      }
      print(await adminCall(o.data, 'release.trust', { publicPem, name: o.name }));
    });
  release
    .command('list')
    .description('the published releases, newest first, as JSON lines')
    .option(...DATA_FLAG)
    .action(async (o: DataOpts) => {
      for (const r of await adminCall(o.data, 'release.list', {})) print(r);
    });

  const rollout = program.command('rollout').description('staged rollouts of a published release (audited)');
  rollout
    .command('start')
    .description('offer a release to canary devices first, in one unit or the whole city')
    .argument('<version>')
    .option('--unit <unitId>', 'the unit whose counters it reaches')
    .option('--city', 'every counter of the city')
    .requiredOption('--canary <deviceIds>', 'comma-separated devices offered it first')
    .option(
      '--health-deadline <seconds>',
      'how long a board has to report healthy before it rolls back',
      parsePositiveInt('--health-deadline', 3_600, 30),
    )
    .option(...DATA_FLAG)
    .action(
      async (
        version: string,
        o: DataOpts & { unit?: string; city?: boolean; canary: string; healthDeadline?: number },
      ) => {
        if (!o.unit === !o.city) throw new UsageError('rollout start: give either --unit UNIT or --city');
        print(
          await adminCall(o.data, 'rollout.start', {
            version,
            unitId: o.unit ?? null,
            canary: o.canary
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
            healthDeadlineS: o.healthDeadline,
          }),
        );
      },
    );
  rollout
    .command('widen')
    .description('offer it to a larger share of the scope (kept: those offered before), or to all')
    .argument('<rolloutId>')
    .option('--percent <n>', 'share of the devices, 1 to 100', parsePositiveInt('--percent', 100, 1))
    .option('--all', 'every device of the scope')
    .option(...DATA_FLAG)
    .action(async (rolloutId: string, o: DataOpts & { percent?: number; all?: boolean }) => {
      if ((o.percent === undefined) === !o.all)
        throw new UsageError('rollout widen: give either --percent N or --all');
      print(await adminCall(o.data, 'rollout.widen', { rolloutId, percent: o.all ? 100 : o.percent! }));
    });
  for (const [name, what] of [
    ['pause', 'offer it to no new device (those offered keep their offer)'],
    ['resume', 'go on offering it (clears an automatic halt)'],
    ['withdraw', 'clear every offer of it: boards that have not installed it never will'],
  ] as const)
    rollout
      .command(name)
      .description(what)
      .argument('<rolloutId>')
      .option(...DATA_FLAG)
      .action(async (rolloutId: string, o: DataOpts) => {
        print(await adminCall(o.data, `rollout.${name}`, { rolloutId }));
      });
  rollout
    .command('status')
    .description('progress per stage and each offered device with its last report, as JSON')
    .argument('<rolloutId>')
    .option(...DATA_FLAG)
    .action(async (rolloutId: string, o: DataOpts) => {
      print(await adminCall(o.data, 'rollout.status', { rolloutId }));
    });
  rollout
    .command('list')
    .description('rollouts, newest first, as JSON lines')
    .option(...DATA_FLAG)
    .action(async (o: DataOpts) => {
      for (const r of await adminCall(o.data, 'rollout.list', {})) print(r);
    });
}
