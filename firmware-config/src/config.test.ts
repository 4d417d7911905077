import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_SCHEMA_VERSION,
  ConfigFileError,
  compilePatterns,
  kioskOfficerControls,
  loadAgentConfig,
  OLDEST_READABLE_CONFIG_SCHEMA,
  parseAgentConfig,
} from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'fwcfg-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const minimalYaml = `
schemaVersion: 2
device: { unitId: trung-van, counterId: q03, deviceId: tv-q03-a }
mqtt: { url: "mqtt://127.0.0.1:1883", username: tv-q03-a, password: s3cret }
dataDir: /var/lib/onestop
devices:
  keypad: { profile: generic-keypad4-fkeys }
kiosk: { port: 8080 }
`;

describe('loadAgentConfig', () => {
  it('loads a minimal YAML file and fills defaults', () => {
    const c = loadAgentConfig(write('ok.yaml', minimalYaml));
    expect(c.device.deviceId).toBe('tv-q03-a');
    expect(c.settings.scale).toBe('keypad4');
    expect(c.devices).toMatchObject({
      keypad: { profile: 'generic-keypad4-fkeys' },
      scanner: null,
      badge: null,
      // Key presses go to the agent alone unless a technician says otherwise.
      grab: true,
    });
    expect(c.kiosk).toEqual({ port: 8080, host: '127.0.0.1' });
    expect(c.outbox).toEqual({ capacity: 100_000, alertAt: 10_000 });
    // Files written before automatic sign-out existed stay valid and get it on by default.
    expect(c.sessions).toEqual({ maxHours: 12, endOfDay: '23:00' });
    const p = compilePatterns(c.patterns);
    expect(p.dossierId.test('000.00.12.H26-251124-0001')).toBe(true);
    expect(p.ticket.test('A015')).toBe(true);
    expect(p.ticket.test('DROP TABLE')).toBe(false);
  });

  it('loads the documented example file', () => {
    const c = loadAgentConfig(new URL('../examples/counter.yaml', import.meta.url).pathname);
    expect(c).toMatchObject({
      device: { deviceId: 'tv-q03-a' },
      camera: { role: 'citizen' },
      kiosk: { port: 8080 },
    });
  });

  it('reads the automatic sign-out settings and refuses a malformed end of day', () => {
    const c = loadAgentConfig(write('s.yaml', `${minimalYaml}sessions: { maxHours: 9.5, endOfDay: null }\n`));
    expect(c.sessions).toEqual({ maxHours: 9.5, endOfDay: null });
    expect(() =>
      loadAgentConfig(write('s2.yaml', `${minimalYaml}sessions: { endOfDay: '25:00' }\n`)),
    ).toThrow(/sessions\.endOfDay: endOfDay is a 24-hour time/);
  });

  it('loads JSON too', () => {
    const c = loadAgentConfig(
      write(
        'ok.json',
        JSON.stringify({
          schemaVersion: 2,
          device: { unitId: 'a', counterId: 'b', deviceId: 'c' },
          mqtt: { url: 'mqtts://broker.local', username: 'c', password: 'x' },
          dataDir: '/d',
        }),
      ),
    );
    expect(c.mqtt.url).toBe('mqtts://broker.local');
  });

  it('rejects every unknown key and bad field in one error, naming each', () => {
    const bad = `${minimalYaml}
colour: red
outbox: { capacity: 1000, alertAt: 5000, spill: true }
patterns: { dossierId: "([" }
settings: { ratingTimeoutMs: 10 }
`.replace('unitId: trung-van', 'unitId: "Trung Van"');
    let err: unknown;
    try {
      loadAgentConfig(write('bad.yaml', bad));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigFileError);
    const issues = (err as ConfigFileError).issues.map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        "(root): unknown key(s) 'colour'",
        "outbox: unknown key(s) 'spill'",
        expect.stringMatching(/^device\.unitId: unitId must be a lower-case slug/),
        'patterns.dossierId: is not a valid regular expression',
        expect.stringMatching(/^settings\.ratingTimeoutMs: /),
      ]),
    );
    expect((err as Error).message).toContain("unknown key(s) 'colour'");
  });

  it('refuses a malformed camera source when the file is loaded, naming the field', () => {
    const file = write('cam.yaml', `${minimalYaml}camera: { source: "rpicam:front" }\n`);
    expect(() => loadAgentConfig(file)).toThrow(/camera\.source.*rpicam:<n> takes a camera index/s);
  });

  it("offers the officer's touch buttons only where no scanner starts visits, unless told", () => {
    const file = (devices: string, kiosk: string) =>
      loadAgentConfig(
        write(
          `k${devices.length}${kiosk.length}.yaml`,
          minimalYaml
            .replace('devices:\n  keypad: { profile: generic-keypad4-fkeys }', devices)
            .replace(/^kiosk:.*$/m, kiosk),
        ),
      );
    const scanner =
      'devices: { keypad: { profile: generic-keypad4-fkeys }, scanner: { profile: generic-scanner-wedge } }';
    const keypadOnly = 'devices: { keypad: { profile: generic-keypad4-fkeys } }';
    expect(kioskOfficerControls(file(keypadOnly, 'kiosk: { port: 8080 }'))).toBe(true);
    expect(kioskOfficerControls(file(scanner, 'kiosk: { port: 8080 }'))).toBe(false);
    expect(kioskOfficerControls(file(scanner, 'kiosk: { port: 8080, officerControls: true }'))).toBe(true);
    expect(kioskOfficerControls(file(keypadOnly, 'kiosk: { port: 8080, officerControls: false }'))).toBe(
      false,
    );
  });

  it('checks alertAt against capacity', () => {
    expect(() =>
      parseAgentConfig({
        schemaVersion: 2,
        device: { unitId: 'a', counterId: 'b', deviceId: 'c' },
        mqtt: { url: 'mqtt://h', username: 'u', password: '' },
        dataDir: '/d',
        outbox: { capacity: 1000, alertAt: 5000 },
      }),
    ).toThrow(/outbox\.alertAt: alertAt must not exceed capacity/);
  });

  it('takes a client certificate with its key, never one without the other', () => {
    const base = {
      schemaVersion: 2,
      device: { unitId: 'a', counterId: 'b', deviceId: 'c' },
      dataDir: '/d',
    };
    const mqtt = { url: 'mqtts://h', username: 'dev-c', password: 'p' };
    const both = { ...mqtt, tlsCertFile: '/etc/onestop/c.pem', tlsKeyFile: '/etc/onestop/c.key' };
    expect(parseAgentConfig({ ...base, mqtt: both }).mqtt).toEqual(both);
    expect(() => parseAgentConfig({ ...base, mqtt: { ...mqtt, tlsCertFile: '/c.pem' } })).toThrow(
      /mqtt\.tlsKeyFile: mqtt\.tlsCertFile and mqtt\.tlsKeyFile go together/,
    );
  });

  it('reports unreadable and unparsable files with the path', () => {
    expect(() => loadAgentConfig(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml is invalid:[\s\S]*cannot read file/,
    );
    expect(() => loadAgentConfig(write('dup.yaml', 'a: 1\na: 2\n'))).toThrow(/cannot parse/);
    expect(() => loadAgentConfig(write('x.json', '{'))).toThrow(/cannot parse/);
  });

  it('rejects a future schema version by name', () => {
    expect(() => parseAgentConfig({ schemaVersion: 9 })).toThrow(/schemaVersion: schemaVersion must be 2/);
  });
});

describe('migrateConfig (v1 → v2)', () => {
  const v1 = {
    unit: 'trung-van',
    counter: 'q01',
    device: 'tv-q01',
    broker: { host: '10.0.0.2', port: 8883, tls: true, username: 'tv-q01', password: 'p' },
    keypadProfile: 'generic-keypad3',
    dataDir: '/var/lib/onestop',
  };
  it('rewrites a pilot-era file into the current shape', () => {
    const c = parseAgentConfig(v1);
    expect(c.schemaVersion).toBe(2);
    expect(c.device).toEqual({ unitId: 'trung-van', counterId: 'q01', deviceId: 'tv-q01' });
    expect(c.mqtt.url).toBe('mqtts://10.0.0.2:8883');
    expect(c.devices.keypad).toEqual({ profile: 'generic-keypad3' });
  });
  it('still names unknown keys after migrating', () => {
    expect(() => parseAgentConfig({ ...v1, broker: { ...v1.broker, qos: 2 } })).toThrow(
      /mqtt: unknown key\(s\) 'qos'/,
    );
  });
});

describe('the oldest device file read', () => {
  it('is the first schema a migration starts from, at most the current one', () => {
    expect(OLDEST_READABLE_CONFIG_SCHEMA).toBe(1);
    expect(OLDEST_READABLE_CONFIG_SCHEMA).toBeLessThanOrEqual(CONFIG_SCHEMA_VERSION);
  });
});
