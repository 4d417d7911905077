import type { Command } from 'commander';
import { adminCall, DATA_FLAG } from '../admin/client.js';
import { parsePositiveInt } from '../errors.js';

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

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
    .option(...DATA_FLAG)
    .action(
      async (o: {
        name: string;
        role: string;
        unit?: string;
        officer?: string;
        displayName?: string;
        data: string;
      }) => {
        print(
          await adminCall(o.data, 'user.add', {
            username: o.name,
            role: o.role,
            unitId: o.unit ?? null,
            officerId: o.officer ?? null,
            displayName: o.displayName,
          }),
        );
      },
    );

  user
    .command('list')
    .description('list accounts as JSON lines')
    .option(...DATA_FLAG)
    .action(async (o: { data: string }) => {
      for (const s of await adminCall(o.data, 'user.list', {})) print(s);
    });

  user
    .command('disable')
    .description('disable an account and end all its sessions and API tokens at once')
    .argument('<username>')
    .option(...DATA_FLAG)
    .action(async (username: string, o: { data: string }) => {
      print(await adminCall(o.data, 'user.disable', { username }));
    });

  user
    .command('enable')
    .description('let a disabled account sign in again (with a new link or its password)')
    .argument('<username>')
    .option(...DATA_FLAG)
    .action(async (username: string, o: { data: string }) => {
      print(await adminCall(o.data, 'user.enable', { username }));
    });

  user
    .command('token')
    .description('create an API token (Authorization: Bearer …) for an account')
    .argument('<username>')
    .option('--days <n>', 'validity in days', parsePositiveInt('--days', 3650, 1), 365)
    .option(...DATA_FLAG)
    .action(async (username: string, o: { days: number; data: string }) => {
      print(await adminCall(o.data, 'user.token', { username, days: o.days }));
    });

  user
    .command('link')
    .description('print a one-time sign-in link (15 minutes) for an account')
    .argument('<username>')
    .option('--dashboard-url <url>', 'where the dashboard is reached', 'http://127.0.0.1:8080')
    .option(...DATA_FLAG)
    .action(async (username: string, o: { dashboardUrl: string; data: string }) => {
      const t = await adminCall(o.data, 'user.link', { username });
      const url = `${o.dashboardUrl.replace(/\/+$/, '')}/login/link?token=${t.token}`;
      print({ username, url, expiresAt: t.expiresAt, validMinutes: t.validMinutes });
    });

  user
    .command('whoami')
    .description('check an API token: prints the account it belongs to')
    .argument('<token>')
    .option(...DATA_FLAG)
    .action(async (token: string, o: { data: string }) => {
      print(await adminCall(o.data, 'user.whoami', { token }));
    });
}
