import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { KeypadProfile } from '@onestop/firmware-config';
import type { Command } from 'commander';
import { parsePositiveInt, UsageError } from '../errors.js';
import { formatTable } from '../table.js';

const SCALES = ['keypad3', 'keypad4', 'keypad5'] as const satisfies ReadonlyArray<KeypadProfile['scale']>;
const OFFICER_KEYS = ['start-visit', 'end-visit'] as const;

/**
 * Device discovery for technicians: which USB HID devices the board sees and which profile fits
 * them, and a profile for a keypad that none fits, learnt by pressing its keys. Both read through
 * hidraw, beside the kernel, so they work while the agent is stopped and without the udev rules'
 * libusb access (a keypress may then also reach the console: harmless while learning).
 */
/** node-hid through hidraw; a board without it gets one line saying so, not a stack trace. */
async function hidBackend() {
  const { loadNodeHidBackend } = await import('@onestop/edge-agent');
  return loadNodeHidBackend({ grab: false }).catch((e: Error) => {
    throw new UsageError(e.message);
  });
}

export function registerHidCommands(program: Command): void {
  const hid = program.command('hid').description('list USB HID devices and learn keypad profiles');

  hid
    .command('list')
    .description('every HID device with its IDs, usage and the profiles that match it')
    .option('--config <file>', 'device config file: its profile directories and configured devices')
    .option('--json', 'one JSON array instead of a table')
    .action(async (o: { config?: string; json?: boolean }) => {
      const [edge, fw] = await Promise.all([
        import('@onestop/edge-agent'),
        import('@onestop/firmware-config'),
      ]);
      const config = o.config ? fw.loadAgentConfig(o.config) : null;
      const dirs = config?.devices.profileDirs ?? [];
      const known = fw.listProfiles(dirs).map((n) => fw.loadProfile(n, dirs));
      const backend = await hidBackend();
      const rows = await edge.listHidDevices(backend, known, config ? edge.configuredDevices(config) : []);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no HID devices found (plugged in? on Linux: is /dev/hidraw* readable?)\n');
        return;
      }
      const hex = (n: number | null) => (n === null ? '' : `0x${n.toString(16)}`);
      process.stdout.write(
        formatTable(
          ['VID:PID', 'IF', 'USAGE', 'MANUFACTURER', 'PRODUCT', 'SERIAL', 'PATH', 'PROFILE', 'CONFIGURED'],
          rows.map((r) => [
            `${r.vendorId.slice(2)}:${r.productId.slice(2)}`,
            String(r.interface),
            r.usagePage === null ? '' : `${hex(r.usagePage)}/${hex(r.usage)}`,
            r.manufacturer ?? '',
            r.product ?? '',
            r.serialNumber ?? '',
            r.path ?? '',
            r.profiles.join(','),
            r.configuredAs.join(','),
          ]),
        ),
      );
    });

  hid
    .command('learn')
    .description('press each key of a keypad in turn and write its device profile')
    .requiredOption('--out <file>', 'profile file to write, <name>.json (the name is the profile name)')
    .requiredOption('--device <vid:pid|path>', 'the keypad, as `hid list` shows it (e.g. 1a2c:0e24)')
    .option('--scale <scale>', `rating levels printed on the keypad: ${SCALES.join(', ')}`, 'keypad4')
    .option('--officer-keys <keys>', `also learn officer keys, comma-separated: ${OFFICER_KEYS.join(',')}`)
    .option('--timeout <s>', 'seconds to wait for each press', parsePositiveInt('--timeout', 600, 1), 60)
    .action(
      async (o: { out: string; device: string; scale: string; officerKeys?: string; timeout: number }) => {
        const scale = SCALES.find((s) => s === o.scale);
        if (!scale) throw new UsageError(`--scale must be one of ${SCALES.join(', ')}, got '${o.scale}'`);
        const officerKeys = (o.officerKeys?.split(',') ?? []).map((k) => {
          const hit = OFFICER_KEYS.find((x) => x === k.trim());
          if (!hit) throw new UsageError(`--officer-keys: '${k}' is not one of ${OFFICER_KEYS.join(', ')}`);
          return hit;
        });
        // Asked twice, the technician would bind two keys to one action, or one key twice.
        const twice = officerKeys.find((k, i) => officerKeys.indexOf(k) !== i);
        if (twice) throw new UsageError(`--officer-keys: '${twice}' is named twice`);
        const { PROFILE_NAME } = await import('@onestop/firmware-config');
        const name = basename(o.out).replace(/\.json$/, '');
        if (!PROFILE_NAME.test(name) || !o.out.endsWith('.json'))
          throw new UsageError(`--out must be <name>.json with a lower-case slug name, got '${o.out}'`);
        // Before the technician presses anything, not after.
        if (existsSync(o.out))
          throw new UsageError(`${o.out} exists; choose another --out or remove it first`);
        const edge = await import('@onestop/edge-agent');
        const say = (s: string) => process.stdout.write(`${s}\n`);
        const r = await edge
          .learnKeypad({
            backend: await hidBackend(),
            device: edge.parseDeviceSelector(o.device),
            scale,
            name,
            officerKeys,
            timeoutMs: o.timeout * 1000,
            ask: (s) => say(`[${s.index + 1}/${s.total}] Nhấn phím / press the key: ${s.vi} · ${s.en}`),
            heard: (p, refused) =>
              say(refused ? `  ${p.key}: ${refused}; press another key` : `  ${p.key} (report ${p.report})`),
          })
          .catch((e: unknown) => {
            throw e instanceof edge.HidDeviceError ? new UsageError(e.message) : e;
          });
        // `wx`: never overwrite a profile a counter may already be using.
        try {
          writeFileSync(o.out, `${JSON.stringify(r.json, null, 2)}\n`, { flag: 'wx' });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST')
            throw new UsageError(`${o.out} exists; choose another --out or remove it first`);
          throw e;
        }
        say(
          `wrote ${o.out}: put it in a directory listed in devices.profileDirs and name it as devices.keypad.profile`,
        );
      },
    );
}
