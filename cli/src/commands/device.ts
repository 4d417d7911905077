import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { adminCall, DATA_FLAG, withAdmin } from '../admin/client.js';
import { parsePositiveInt, UsageError } from '../errors.js';

interface DataOpts {
  data: string;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

interface AddOpts extends DataOpts {
  unit: string;
  counter: string;
  id?: string;
  mqttUrl: string;
  pair?: boolean;
  expires?: number;
  centre?: string;
}

/** `device add --pair`: the device, its code and the command to type on the board. */
async function printPairing(o: AddOpts): Promise<void> {
  const issued = await adminCall(o.data, 'device.pair', {
    unitId: o.unit,
    counterId: o.counter,
    deviceId: o.id,
    ttlMinutes: o.expires,
  });
  printIssued(issued, o.centre);
}

function printIssued(issued: { code: string }, centre = 'http://CENTRE:8080'): void {
  print({
    ...issued,
    command: `sudo onestop agent pair ${issued.code} --centre ${centre} --config /etc/onestop/agent.yaml`,
  });
}

export function registerDeviceCommands(program: Command, defaults: { mqttUrl: string }): void {
  const device = program
    .command('device')
    .description('provision, list, replace, revoke, restore and rotate counter devices');

  device
    .command('add')
    .description('create a device and print its MQTT credentials (the password is shown only once)')
    .requiredOption('--unit <unitId>', 'unit (ward/commune centre) ID, a lower-case slug')
    .requiredOption('--counter <counterId>', 'counter ID within the unit')
    .option('--id <deviceId>', 'device ID (default: <counter>-<random>)')
    .option(...DATA_FLAG)
    .option('--mqtt-url <url>', 'broker URL the device should use', defaults.mqttUrl)
    .option('--pair', 'print a one-time pairing code for `onestop agent pair` instead of a password')
    .option(
      '--expires <minutes>',
      'how long the pairing code is valid (default 30)',
      parsePositiveInt('--expires', 1440, 1),
    )
    .option('--centre <url>', 'the dashboard address the board pairs with, for the printed command')
    .action(async (o: AddOpts) => {
      if (o.pair) return printPairing(o);
      if (o.expires !== undefined || o.centre) throw new UsageError('--expires and --centre go with --pair');
      const d = await adminCall(o.data, 'device.add', {
        unitId: o.unit,
        counterId: o.counter,
        deviceId: o.id,
      });
      const { deviceId, unitId, counterId, username, password } = d;
      print({ deviceId, unitId, counterId, username, password, mqttUrl: o.mqttUrl });
    });

  device
    .command('pair')
    .description(
      "a new pairing code for an existing device (its code ran out, or its board is set up again): earlier codes stop working, and the board holding the device's current password is refused once the new code is claimed",
    )
    .argument('<deviceId>')
    .option(
      '--expires <minutes>',
      'how long the code is valid (default 30)',
      parsePositiveInt('--expires', 1440, 1),
    )
    .option('--centre <url>', 'the dashboard address the board pairs with, for the printed command')
    .option(...DATA_FLAG)
    .action(async (deviceId: string, o: DataOpts & { expires?: number; centre?: string }) => {
      printIssued(
        await adminCall(o.data, 'device.pair.again', { deviceId, ttlMinutes: o.expires }),
        o.centre,
      );
    });

  device
    .command('list')
    .description('list devices as JSON lines')
    .option(...DATA_FLAG)
    .action(async (o: DataOpts) => {
      for (const d of await adminCall(o.data, 'device.list', {})) print(d);
    });

  device
    .command('revoke')
    .description('revoke a device: the broker refuses it from now on')
    .argument('<deviceId>')
    .option(...DATA_FLAG)
    .action(async (deviceId: string, o: DataOpts) => {
      print(await adminCall(o.data, 'device.revoke', { deviceId }));
    });

  device
    .command('replace')
    .description(
      "move OLD's counter to a new board NEW (its password is shown only once): NEW gets the counter's settings at once; OLD may still deliver its queued events until its outbox is empty or --drain-days pass, then is revoked",
    )
    .argument('<oldDeviceId>')
    .argument('<newDeviceId>')
    .option(
      '--drain-days <days>',
      // The limits are the store's (protocol DEFAULT_DRAIN_DAYS, MAX_DRAIN_DAYS): it names this flag.
      'days OLD may deliver its queued events (0: revoke it now; default a week)',
      parsePositiveInt('--drain-days', 10_000),
    )
    .option(...DATA_FLAG)
    .option('--mqtt-url <url>', 'broker URL the new board should use', defaults.mqttUrl)
    .action(async (oldId: string, newId: string, o: DataOpts & { drainDays?: number; mqttUrl: string }) => {
      const r = await adminCall(o.data, 'device.replace', {
        deviceId: oldId,
        newDeviceId: newId,
        drainDays: o.drainDays,
      });
      const { deviceId, unitId, counterId, username, password, replaced, drainUntil } = r;
      print({ deviceId, unitId, counterId, username, password, mqttUrl: o.mqttUrl, replaced, drainUntil });
    });

  device
    .command('restore')
    .description('un-revoke a device (refused while its counter runs on another board)')
    .argument('<deviceId>')
    .option(...DATA_FLAG)
    .action(async (deviceId: string, o: DataOpts) => {
      print(await adminCall(o.data, 'device.restore', { deviceId }));
    });

  device
    .command('rotate')
    .description('give a device a new password (shown only once); the old one stops working at once')
    .argument('<deviceId>')
    .option(...DATA_FLAG)
    .option('--mqtt-url <url>', 'broker URL the device should use', defaults.mqttUrl)
    .action(async (deviceId: string, o: DataOpts & { mqttUrl: string }) => {
      const { unitId, counterId, username, password } = await adminCall(o.data, 'device.rotate', {
        deviceId,
      });
      print({ deviceId, unitId, counterId, username, password, mqttUrl: o.mqttUrl });
    });

  const config = device
    .command('config')
    .description("a device's desired counter settings (published retained on `config`)");

  config
    .command('show')
    .description('print the stored settings and their version')
    .argument('<deviceId>')
    .option(...DATA_FLAG)
    .action(async (deviceId: string, o: DataOpts) => {
      print(await adminCall(o.data, 'device.config.show', { deviceId }));
    });

  config
    .command('set')
    .description(
      'store new settings (validated; unspecified fields take their defaults) for a device or a whole unit',
    )
    .argument('[deviceId]')
    .option('--unit <unitId>', 'every active device of this unit instead of one device')
    .requiredOption('--file <file>', 'settings as YAML or JSON (see CounterSettings in protocol/)')
    .option(...DATA_FLAG)
    .action(async (deviceId: string | undefined, o: DataOpts & { unit?: string; file: string }) => {
      if (!deviceId === !o.unit) throw new UsageError('give a device ID or --unit, not both');
      const { parse: parseYaml } = await import('yaml');
      let settings: unknown;
      try {
        // Read here, by the operator's command: the centre never opens files it is named.
        settings = parseYaml(readFileSync(o.file, 'utf8'));
      } catch (err) {
        throw new UsageError(`--file: cannot read ${o.file}: ${(err as Error).message}`);
      }
      const stored = await adminCall(o.data, 'device.config.set', { deviceId, unitId: o.unit, settings });
      for (const c of stored) print({ deviceId: c.deviceId, version: c.version });
    });

  device
    .command('command')
    .description(
      'send a command to a device (restart, reload-config, self-test, retry-dead-letters); a broker sends it once the device is connected',
    )
    .argument('<deviceId>')
    .argument('<name>')
    .option(
      '--wait <seconds>',
      "wait this long for the device's answer (0: just queue it; default 30 when a centre runs or with DATABASE_URL, else 0: the command waits for serve to start)",
      parsePositiveInt('--wait', 600),
    )
    .option(...DATA_FLAG)
    .action(async (deviceId: string, name: string, o: DataOpts & { wait?: number }) => {
      const { cmd, wait } = await withAdmin(o.data, async (admin) => {
        // Queued in the database: a running broker sends it at once (signalled in the same
        // transaction). With no centre running, it waits for serve to start: nothing to wait for.
        const wait = o.wait ?? (admin.route === 'embedded' ? 0 : 30);
        const queued = await admin.call('device.command', { deviceId, name });
        const until = Date.now() + wait * 1000;
        let current = queued;
        while (!current.answeredAt && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 500));
          current = await admin.call('device.command.get', { cmdId: queued.cmdId });
        }
        return { cmd: current, wait };
      });
      const { cmdId, answeredAt, ok, result, error, sentAt } = cmd;
      print({
        cmdId,
        deviceId,
        name,
        sent: sentAt !== null,
        answered: answeredAt !== null,
        ok,
        result,
        error,
      });
      if (wait > 0 && !answeredAt)
        throw new UsageError(`no answer within ${wait} s (it stays queued for 10 minutes)`);
      if (answeredAt && !ok) process.exitCode = 1;
    });
}
