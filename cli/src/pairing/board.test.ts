import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '@onestop/firmware-config';
import type { PairingClaimResponse } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { pairingTarget, plainOverNetwork, readyToWrite, writePairedConfig } from './board.js';

const ANSWER: PairingClaimResponse = {
  deviceId: 'q01-abc123',
  unitId: 'trung-van',
  counterId: 'q01',
  mqtt: { urls: ['mqtts://centre.local:8883'], username: 'dev-q01-abc123', password: 'p#: "x' },
  caCertificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  settings: null,
  releaseKeys: [],
};

describe('what agent pair is given', () => {
  it('takes a code as typed and the centre, or the QR URL alone', () => {
    expect(pairingTarget('abcd efgh', 'http://10.0.0.2:8080/')).toEqual({
      code: 'ABCD-EFGH',
      centre: 'http://10.0.0.2:8080',
    });
    expect(pairingTarget('https://centre.local/pair?code=ABCD-EFGH', undefined)).toEqual({
      code: 'ABCD-EFGH',
      centre: 'https://centre.local',
    });
  });

  it('refuses a bad code, a missing or non-HTTP centre, each by name', () => {
    expect(() => pairingTarget('ABCD-EFG0', 'http://c')).toThrow(/not a pairing code/);
    expect(() => pairingTarget('ABCD-EFGH', undefined)).toThrow(/--centre/);
    expect(() => pairingTarget('ABCD-EFGH', 'ftp://c')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => pairingTarget('ABCD-EFGH', 'not a url')).toThrow(UsageError);
  });

  it('warns of plain HTTP only off this machine', () => {
    expect(plainOverNetwork('http://10.0.0.2:8080')).toBe(true);
    expect(plainOverNetwork('http://127.0.0.1:8080')).toBe(false);
    expect(plainOverNetwork('https://centre.local')).toBe(false);
  });
});

describe('the paired device file', () => {
  it('is written 0600 in a new folder, with the CA beside it and the board choices, and loads', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pair-')), 'etc', 'agent.yaml');
    writePairedConfig(
      path,
      ANSWER,
      {
        dataDir: '/var/lib/onestop',
        keypad: 'generic-keypad4-fkeys',
        kioskPort: 8080,
        centre: 'https://centre.local',
      },
      false,
    );
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = loadAgentConfig(path);
    expect(config.mqtt).toEqual({
      url: 'mqtts://centre.local:8883',
      username: 'dev-q01-abc123',
      password: 'p#: "x',
      tlsCaFile: join(path, '..', 'ca.pem'),
    });
    expect(readFileSync(config.mqtt.tlsCaFile!, 'utf8')).toBe(ANSWER.caCertificate);
    expect(config.devices.keypad).toEqual({ profile: 'generic-keypad4-fkeys' });
    expect(config.devices.scanner).toBeNull();
    expect(config.kiosk?.port).toBe(8080);
    expect(config.updates).toEqual({
      centreUrl: 'https://centre.local',
      releaseKeys: [],
      installRoot: '/var/lib/onestop-agent',
    });
  });

  it('keeps an existing file unless told to replace it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pair-')), 'agent.yaml');
    writeFileSync(path, 'mine');
    expect(() => writePairedConfig(path, ANSWER, { dataDir: '/d' }, false)).toThrow(/--force/);
    expect(readFileSync(path, 'utf8')).toBe('mine');
    writePairedConfig(path, { ...ANSWER, caCertificate: null }, { dataDir: '/d' }, true);
    expect(loadAgentConfig(path).mqtt.tlsCaFile).toBeUndefined();
    expect(loadAgentConfig(path).updates).toBeNull();
  });

  it('is checked writable before the code is claimed: its folder made, an existing file refused', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'pair-')), 'etc', 'onestop');
    readyToWrite(join(dir, 'agent.yaml'), false);
    expect(statSync(dir).isDirectory()).toBe(true);
    writeFileSync(join(dir, 'agent.yaml'), 'mine');
    expect(() => readyToWrite(join(dir, 'agent.yaml'), false)).toThrow(/--force/);
    readyToWrite(join(dir, 'agent.yaml'), true);
    // A path through a file is no folder to write in.
    expect(() => readyToWrite(join(dir, 'agent.yaml', 'x.yaml'), false)).toThrow(
      /cannot write the device file/,
    );
  });
});
