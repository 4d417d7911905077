import { loadProfile } from '@onestop/firmware-config';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { encodeBootReport, parseBootReport } from './boot-report.js';
import { createVirtualInputs } from './create-inputs.js';
import { matchesDevice } from './hid-inputs.js';
import type { InputEvent } from './inputs.js';
import { RoleReader } from './role-reader.js';
import { VirtualHidDevice } from './virtual-hid.js';

const logger = pino({ level: 'silent' });

describe('boot keyboard reports', () => {
  it('round-trips modifiers and keys', () => {
    expect(parseBootReport(encodeBootReport(0x02, [0x04, 0x3a]), null)).toEqual({
      ok: true,
      report: { modifiers: 2, keys: [0x04, 0x3a] },
    });
    expect(parseBootReport(encodeBootReport(0, [0x3a], 3), 3)).toEqual({
      ok: true,
      report: { modifiers: 0, keys: [0x3a] },
    });
  });

  it.each([
    [Buffer.alloc(7), null, /expected an 8-byte/],
    [Buffer.alloc(64), null, /got 64 bytes/],
    [encodeBootReport(0, [0x3a]), 3, /expected 9 bytes/],
    [encodeBootReport(0, [0x3a], 4), 3, /report ID 4 is not 3/],
    [Buffer.from([0, 0, 1, 1, 1, 1, 1, 1]), null, /phantom/],
    [Buffer.from([0, 0, 0, 0x3a, 0, 0, 0, 0]), null, /not packed/],
    [Buffer.from([0, 0, 0x3a, 0x3a, 0, 0, 0, 0]), null, /appears twice/],
    [Buffer.from([0, 0, 0xe0, 0, 0, 0, 0, 0]), null, /outside the keyboard range/],
    [Buffer.from([0, 0, 0x02, 0, 0, 0, 0, 0]), null, /error usage/],
  ])('rejects malformed report %#', (raw, id, reason) => {
    const r = parseBootReport(raw, id);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

function reader(profileName: string) {
  const events: InputEvent[] = [];
  const r = new RoleReader(loadProfile(profileName), (e) => events.push(e));
  return { r, events };
}

describe('RoleReader', () => {
  it('turns keypad reports into presses mapped by the profile, once per key-down', () => {
    const { r, events } = reader('generic-keypad4-fkeys');
    r.feed(encodeBootReport(0, [0x3a]), 0); // F1 down
    r.feed(encodeBootReport(0, [0x3a]), 10); // held: repeat report, no new press
    r.feed(encodeBootReport(0, []), 20);
    r.feed(encodeBootReport(0, [0x3d]), 30); // F4
    r.feed(encodeBootReport(0, [0x04]), 40); // 'a': not on this keypad
    expect(events).toEqual([
      { type: 'keypad.press', code: 0x3a, action: 4, scale: 'keypad4' },
      { type: 'keypad.press', code: 0x3d, action: 1, scale: 'keypad4' },
      { type: 'keypad.press', code: 0x04, action: null, scale: 'keypad4' },
    ]);
  });

  it('assembles keyboard-wedge lines with shift, ending at Enter', () => {
    const { events } = reader('generic-scanner-wedge');
    const dev = new VirtualHidDevice(loadProfile('generic-scanner-wedge'));
    const { r } = reader('generic-scanner-wedge');
    const rr = new RoleReader(dev.profile, (e) => events.push(e));
    dev.attachForTest((raw) => rr.feed(raw, 0));
    dev.typeLine('000.00.12.H26-251124-0001');
    dev.typeLine('A015');
    expect(events).toEqual([
      { type: 'scanner.scan', text: '000.00.12.H26-251124-0001' },
      { type: 'scanner.scan', text: 'A015' },
    ]);
    expect(r.rejected).toBe(0);
  });

  it('rejects and counts bad lines: non-printable keys, overlong lines, cut-off lines, bad reports', () => {
    const { r, events } = reader('generic-badge-rfid125');
    const type = (usages: number[], at: number) => {
      for (const u of usages) {
        r.feed(encodeBootReport(0, [u]), at);
        r.feed(encodeBootReport(0, []), at);
      }
    };
    type([0x1e, 0x3a, 0x28], 0); // '1', F1, Enter
    type(
      [
        ...Array(40)
          .fill(0x1e)
          .flatMap((u, i) => (i % 2 ? [u] : [0x1f])),
        0x28,
      ],
      10,
    ); // 40 chars > 32
    type([0x1e, 0x1f], 20);
    type([0x20, 0x28], 5_000); // long pause: the previous partial line is dropped
    r.feed(Buffer.alloc(3), 6_000);
    const rejected = events
      .filter((e) => e.type === 'device.rejected')
      .map((e) => (e as { reason: string }).reason);
    expect(rejected).toEqual([
      'non-printable key 0x3a in a scanned line',
      'line longer than 32 characters',
      'line cut off (no Enter)',
      'expected an 8-byte boot keyboard report, got 3 bytes',
    ]);
    expect(events.filter((e) => e.type === 'badge.read')).toEqual([{ type: 'badge.read', id: '3' }]);
    expect(r.rejected).toBe(4);
  });
});

describe('HidCounterInputs over virtual devices', () => {
  it('matches devices by vendor/product/interface or pinned path', () => {
    const p = loadProfile('generic-keypad4-fkeys');
    const info = {
      vendorId: 0x1a2c,
      productId: 0x0e24,
      interface: 0,
      path: '/dev/hidraw3',
      usagePage: 1,
      usage: 6,
    };
    expect(matchesDevice(info, { ref: { profile: p.name }, profile: p })).toBe(true);
    expect(matchesDevice({ ...info, interface: 1 }, { ref: { profile: p.name }, profile: p })).toBe(false);
    expect(matchesDevice({ ...info, productId: 1 }, { ref: { profile: p.name }, profile: p })).toBe(false);
    expect(matchesDevice(info, { ref: { profile: p.name, path: '/dev/hidraw9' }, profile: p })).toBe(false);
  });

  it('opens devices, decodes their reports, and follows unplug / replug', async () => {
    const v = createVirtualInputs({ keypad: 'generic-keypad5', scanner: 'generic-scanner-wedge' }, logger, {
      pollMs: 60_000,
    });
    const events: InputEvent[] = [];
    await v.inputs.start((e) => events.push(e));
    expect(events.map((e) => e.type)).toEqual(['device.connected', 'device.connected']);
    v.keypad!.pressLevel(5);
    v.keypad!.pressLevel('end-visit');
    v.scanner!.typeLine('B007');
    v.keypad!.plugged = false;
    await v.inputs.poll();
    v.keypad!.pressLevel(1); // unplugged: nothing arrives
    expect(v.inputs.status().find((s) => s.role === 'keypad')).toMatchObject({ state: 'missing' });
    v.keypad!.plugged = true;
    await v.inputs.poll();
    v.keypad!.pressLevel(2);
    v.keypad!.sendReport(Buffer.from([1, 2, 3]));
    await v.inputs.stop();
    expect(events.filter((e) => e.type !== 'device.connected')).toEqual([
      { type: 'keypad.press', code: 0x3a, action: 5, scale: 'keypad5' },
      { type: 'keypad.press', code: 0x3f, action: 'end-visit', scale: 'keypad5' },
      { type: 'scanner.scan', text: 'B007' },
      { type: 'device.disconnected', role: 'keypad', reason: 'unplugged' },
      { type: 'keypad.press', code: 0x3d, action: 2, scale: 'keypad5' },
      {
        type: 'device.rejected',
        role: 'keypad',
        reason: 'expected an 8-byte boot keyboard report, got 3 bytes',
      },
    ]);
    expect(v.inputs.status()).toEqual([
      { role: 'keypad', state: 'virtual', name: 'virtual generic-keypad5', rejectedReports: 1 },
      { role: 'scanner', state: 'virtual', name: 'virtual generic-scanner-wedge', rejectedReports: 0 },
    ]);
  });
});

describe('node-hid backend', () => {
  it.each([
    ['libusb, grabbing the devices', true],
    ['hidraw, sharing them', false],
  ])('loads lazily and enumerates through %s (an empty list without USB HID devices)', async (_, grab) => {
    const { loadNodeHidBackend } = await import('./hid-backend.js');
    let backend: Awaited<ReturnType<typeof loadNodeHidBackend>>;
    try {
      backend = await loadNodeHidBackend({ grab });
    } catch (e) {
      expect((e as Error).message).toMatch(/node-hid is not available/);
      return;
    }
    const list = await backend.devices();
    expect(Array.isArray(list)).toBe(true);
    for (const d of list) expect(typeof d.vendorId).toBe('number');
  });
});
