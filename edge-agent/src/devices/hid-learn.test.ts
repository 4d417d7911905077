import { type DeviceProfile, loadProfile, parseDeviceProfile } from '@onestop/firmware-config';
import { describe, expect, it } from 'vitest';
import { listHidDevices, parseDeviceSelector } from './hid-discovery.js';
import { type LearnStep, learnKeypad } from './hid-learn.js';
import type { InputEvent } from './inputs.js';
import { RoleReader } from './role-reader.js';
import { VirtualHidBackend, VirtualHidDevice } from './virtual-hid.js';

/** A keypad the test "owns": the technician's finger is `press(step)`. */
function keypad(profile: DeviceProfile) {
  const dev = new VirtualHidDevice(profile);
  return { dev, backend: new VirtualHidBackend([dev]) };
}

const fkeys = loadProfile('generic-keypad4-fkeys');

describe('hid learn (against virtual HID)', () => {
  it('writes a profile that reads the learnt keypad the way its vendor profile does', async () => {
    const { dev, backend } = keypad(fkeys);
    const asked: LearnStep[] = [];
    const r = await learnKeypad({
      backend,
      device: parseDeviceSelector('1a2c:0e24'),
      scale: 'keypad4',
      name: 'learnt-keypad',
      ask: (step) => {
        asked.push(step);
        dev.pressLevel(step.action as number);
      },
    });
    expect(asked.map((s) => s.vi)).toEqual(['Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng']);
    expect(r.json.keys).toEqual({ F1: 4, F2: 3, F3: 2, F4: 1 });
    expect(r.json.match).toEqual({
      vendorId: '0x1a2c',
      productId: '0x0e24',
      interface: 0,
      usagePage: 1,
      usage: 6,
    });
    expect(r.presses[0]!.report).toBe('00 00 3a 00 00 00 00 00');
    // Round trip through JSON and the production decoder: every key means what it meant.
    const learnt = parseDeviceProfile(JSON.parse(JSON.stringify(r.json)));
    const heard: InputEvent[] = [];
    const reader = new RoleReader(learnt, (e) => heard.push(e));
    const again = new VirtualHidDevice(fkeys);
    again.attachForTest((raw) => reader.feed(raw, 0));
    for (const k of ['F1', 'F2', 'F3', 'F4']) again.pressKey(k);
    expect(heard.map((e) => (e.type === 'keypad.press' ? e.action : e.type))).toEqual([4, 3, 2, 1]);
  });

  it('refuses a key already learnt and waits for another; learns officer keys and report IDs', async () => {
    const withId: DeviceProfile = {
      ...loadProfile('generic-keypad3'),
      report: { format: 'boot-keyboard', reportId: 2 },
    };
    const { dev, backend } = keypad(withId);
    const refused: string[] = [];
    const plan = [['F1'], ['F1', 'F2'], ['F3'], ['F6']];
    const r = await learnKeypad({
      backend,
      device: { path: dev.path },
      scale: 'keypad3',
      name: 'k3',
      officerKeys: ['end-visit'],
      ask: (step) => {
        for (const k of plan[step.index]!) dev.pressKey(k);
      },
      heard: (_p, why) => {
        if (why) refused.push(why);
      },
    });
    expect(refused).toEqual(['F1 is already the key for 3']);
    expect(r.json.keys).toEqual({ F1: 3, F2: 2, F3: 1, F6: 'end-visit' });
    expect(r.json.report).toEqual({ format: 'boot-keyboard', reportId: 2 });
  });

  it('gives up with a clear error when nobody presses, or the device is not plugged in', async () => {
    const { backend } = keypad(fkeys);
    const base = { backend, scale: 'keypad4' as const, name: 'x', ask: () => {} };
    await expect(
      learnKeypad({ ...base, device: parseDeviceSelector('1a2c:0e24'), timeoutMs: 20 }),
    ).rejects.toThrow(/no key pressed within 0 s for "Very satisfied"/);
    await expect(learnKeypad({ ...base, device: parseDeviceSelector('dead:beef') })).rejects.toThrow(
      /no HID device 0xdead:0xbeef/,
    );
  });
});

describe('hid list', () => {
  it('lists every interface with the profiles and configured roles that match it', async () => {
    const scanner = loadProfile('generic-scanner-wedge');
    const k = new VirtualHidDevice(fkeys);
    const s = new VirtualHidDevice(scanner);
    const rows = await listHidDevices(
      new VirtualHidBackend([k, s]),
      [fkeys, scanner, loadProfile('generic-keypad3')],
      [{ ref: { profile: fkeys.name }, profile: fkeys }],
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      vendorId: '0x1a2c',
      productId: '0x0e24',
      manufacturer: 'onestop (virtual)',
      path: k.path,
      profiles: ['generic-keypad4-fkeys'],
      configuredAs: ['keypad'],
    });
    expect(rows[1]).toMatchObject({ profiles: ['generic-scanner-wedge'], configuredAs: [] });
  });

  it('reads VID:PID in hex with or without 0x, and anything else as a path', () => {
    expect(parseDeviceSelector('0x1A2C:0e24')).toEqual({ vendorId: 0x1a2c, productId: 0x0e24 });
    expect(parseDeviceSelector('1-1.2:1.0')).toEqual({ path: '1-1.2:1.0' });
    expect(parseDeviceSelector('/dev/hidraw3')).toEqual({ path: '/dev/hidraw3' });
  });
});
