import type { Command } from 'commander';
import { asUsage, parsePositiveInt, UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

const DATA = ['--data <dir>', 'data folder of the embedded database', './data'] as const;

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function activeAccount(data: string, username: string) {
  const { listStaff } = await import('@onestop/store');
  const all = await withStore(data, listStaff);
  const account = all.find((s) => s.username === username && !s.disabled);
  if (!account) throw new UsageError(`no active account '${username}'`);
  return account;
}

/** Dashboard accounts: ward leaders, the city, technicians. Passwords are shown once, stored hashed. */
export function registerUserCommands(program: Command): void {
  const user = program
    .command('user')
    .description('manage dashboard accounts (city, ward leaders, technicians, officers)');

  user
    .command('add')
    .description('create an account and print its password (shown only once)')
    .requiredOption('--name <username>', 'sign-in name: lower-case letters, digits, . _ -')
    .requiredOption(
      '--role <role>',
      'city (every ward), ward (one unit, needs --unit), technician (devices) or officer (own record, needs --officer)',
    )
    .option('--unit <unitId>', 'the unit a ward account leads')
    .option(
      '--officer <officerId>',
      'for an officer account: the officer (on a roster) whose own record it sees',
    )
    .option('--display-name <text>', 'name shown on the dashboard')
    .option(...DATA)
    .action(
      async (o: {
        name: string;
        role: string;
        unit?: string;
        officer?: string;
        displayName?: string;
        data: string;
      }) => {
        const { addStaffMember } = await import('@onestop/store');
        const added = await withStore(o.data, (db) =>
          addStaffMember(db, {
            username: o.name,
            role: o.role,
            unitId: o.unit ?? null,
            officerId: o.officer ?? null,
            displayName: o.displayName,
            actor: 'cli',
          }).catch(asUsage),
        );
        print(added);
      },
    );

  user
    .command('list')
    .description('list accounts as JSON lines')
    .option(...DATA)
    .action(async (o: { data: string }) => {
      const { listStaff } = await import('@onestop/store');
      for (const s of await withStore(o.data, listStaff)) print(s);
    });

  user
    .command('disable')
    .description('disable an account and end all its sessions and API tokens at once')
    .argument('<username>')
    .option(...DATA)
    .action(async (username: string, o: { data: string }) => {
      const { disableStaffMember } = await import('@onestop/store');
      const done = await withStore(o.data, (db) => disableStaffMember(db, username, 'cli'));
      if (!done) throw new UsageError(`no active account '${username}'`);
      print({ username, disabled: true });
    });

  user
    .command('token')
    .description('create an API token (Authorization: Bearer …) for an account')
    .argument('<username>')
    .option('--days <n>', 'validity in days', parsePositiveInt('--days', 3650, 1), 365)
    .option(...DATA)
    .action(async (username: string, o: { days: number; data: string }) => {
      await activeAccount(o.data, username);
      const { openStaffSession } = await import('@onestop/store');
      const t = await withStore(o.data, (db) =>
        openStaffSession(db, username, 'api', new Date(), o.days * 86_400_000),
      );
      print({ username, token: t.token, expiresAt: t.expiresAt.toISOString() });
    });

  user
    .command('link')
    .description('print a one-time sign-in link (15 minutes) for an account')
    .argument('<username>')
    .option('--dashboard-url <url>', 'where the dashboard is reached', 'http://127.0.0.1:8080')
    .option(...DATA)
    .action(async (username: string, o: { dashboardUrl: string; data: string }) => {
      await activeAccount(o.data, username);
      const { openStaffSession, SESSION_TTL_MS } = await import('@onestop/store');
      const t = await withStore(o.data, (db) => openStaffSession(db, username, 'link'));
      const url = `${o.dashboardUrl.replace(/\/+$/, '')}/login/link?token=${t.token}`;
      print({
        username,
        url,
        expiresAt: t.expiresAt.toISOString(),
        validMinutes: SESSION_TTL_MS.link / 60_000,
      });
    });

  user
    .command('whoami')
    .description('check an API token: prints the account it belongs to')
    .argument('<token>')
    .option(...DATA)
    .action(async (token: string, o: { data: string }) => {
      const { staffBySession } = await import('@onestop/store');
      const who = await withStore(o.data, (db) => staffBySession(db, token, ['api']));
      if (!who) throw new UsageError('token is unknown, expired or its account is disabled');
      print(who);
    });
}
