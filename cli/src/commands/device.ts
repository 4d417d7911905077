import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { asUsage, parsePositiveInt, UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

interface DataOpts {
  data: string;
}

export function registerDeviceCommands(program: Command, defaults: { mqttUrl: string }): void {
  const device = program.command('device').description('provision, list and revoke counter devices');

  device
    .command('add')
    .description('create a device and print its MQTT credentials (the password is shown only once)')
    .requiredOption('--unit <unitId>', 'unit (ward/commune centre) ID, a lower-case slug')
    .requiredOption('--counter <counterId>', 'counter ID within the unit')
    .option('--id <deviceId>', 'device ID (default: <counter>-<random>)')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .option('--mqtt-url <url>', 'broker URL the device should use', defaults.mqttUrl)
    .action(async (o: DataOpts & { unit: string; counter: string; id?: string; mqttUrl: string }) => {
      const { provisionDevice } = await import('@onestop/store');
      const d = await withStore(o.data, (db) =>
        provisionDevice(db, { unitId: o.unit, counterId: o.counter, deviceId: o.id, actor: 'cli' }).catch(
          asUsage,
        ),
      );
      process.stdout.write(
        `${JSON.stringify({ deviceId: d.deviceId, unitId: d.unitId, counterId: d.counterId, username: d.username, password: d.password, mqttUrl: o.mqttUrl })}\n`,
      );
    });

  device
    .command('list')
    .description('list devices as JSON lines')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (o: DataOpts) => {
      const { listDevices } = await import('@onestop/store');
      for (const d of await withStore(o.data, listDevices)) process.stdout.write(`${JSON.stringify(d)}\n`);
    });

  device
    .command('revoke')
    .description('revoke a device: the broker refuses it from now on')
    .argument('<deviceId>')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (deviceId: string, o: DataOpts) => {
      const { revokeDevice } = await import('@onestop/store');
      const done = await withStore(o.data, (db) => revokeDevice(db, deviceId, 'cli'));
      if (!done) throw new UsageError(`no active device '${deviceId}'`);
      process.stdout.write(`${JSON.stringify({ deviceId, revoked: true })}\n`);
    });

  const config = device
    .command('config')
    .description("a device's desired counter settings (published retained on `config`)");

  config
    .command('show')
    .description('print the stored settings and their version')
    .argument('<deviceId>')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (deviceId: string, o: DataOpts) => {
      const { getDeviceConfig } = await import('@onestop/store');
      const stored = await withStore(o.data, (db) => getDeviceConfig(db, deviceId));
      if (!stored)
        throw new UsageError(`no stored settings for '${deviceId}' (the device runs on its file's defaults)`);
      process.stdout.write(`${JSON.stringify(stored)}\n`);
    });

  config
    .command('set')
    .description(
      'store new settings (validated; unspecified fields take their defaults) for a device or a whole unit',
    )
    .argument('[deviceId]')
    .option('--unit <unitId>', 'every active device of this unit instead of one device')
    .requiredOption('--file <file>', 'settings as YAML or JSON (see CounterSettings in protocol/)')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (deviceId: string | undefined, o: DataOpts & { unit?: string; file: string }) => {
      if (!deviceId === !o.unit) throw new UsageError('give a device ID or --unit, not both');
      const [{ setDeviceConfig }, { parse: parseYaml }] = await Promise.all([
        import('@onestop/store'),
        import('yaml'),
      ]);
      let settings: unknown;
      try {
        settings = parseYaml(readFileSync(o.file, 'utf8'));
      } catch (err) {
        throw new UsageError(`--file: cannot read ${o.file}: ${(err as Error).message}`);
      }
      const stored = await withStore(o.data, (db) =>
        setDeviceConfig(db, { deviceId, unitId: o.unit, settings, actor: 'cli' }).catch(asUsage),
      );
      for (const c of stored)
        process.stdout.write(`${JSON.stringify({ deviceId: c.deviceId, version: c.version })}\n`);
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
      "wait this long for the device's answer (0: just queue it; default 30 with DATABASE_URL, else 0, since serve must be stopped to use the embedded store)",
      parsePositiveInt('--wait', 600),
    )
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (deviceId: string, name: string, o: DataOpts & { wait?: number }) => {
      const wait = o.wait ?? (process.env.DATABASE_URL ? 30 : 0);
      const { getCommand, requestCommand } = await import('@onestop/store');
      // Queued through the database so it works from any machine that reaches it (DATABASE_URL);
      // with the embedded store, serve must be stopped and sends it when it starts again.
      const cmd = await withStore(o.data, async (db) => {
        const queued = await requestCommand(db, { deviceId, name, actor: 'cli' }).catch(asUsage);
        const until = Date.now() + wait * 1000;
        let current = queued;
        while (!current.answeredAt && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 500));
          current = (await getCommand(db, queued.cmdId)) ?? current;
        }
        return current;
      });
      const { cmdId, answeredAt, ok, result, error, sentAt } = cmd;
      process.stdout.write(
        `${JSON.stringify({ cmdId, deviceId, name, sent: sentAt !== null, answered: answeredAt !== null, ok, result, error })}\n`,
      );
      if (wait > 0 && !answeredAt)
        throw new UsageError(`no answer within ${wait} s (it stays queued for 10 minutes)`);
      if (answeredAt && !ok) process.exitCode = 1;
    });
}
