import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFileError } from './issues.js';
import { loadAgentConfig } from './load.js';
import { writeAgentConfigFile } from './write.js';

const input = {
  schemaVersion: 2 as const,
  device: { unitId: 'trung-van', counterId: 'q01', deviceId: 'q01-abc' },
  // A password YAML would misread if it were pasted in by hand.
  mqtt: {
    url: 'mqtts://centre.local:8883',
    username: 'dev-q01-abc',
    password: '#: \'"x',
    tlsCaFile: '/etc/ca.pem',
  },
  dataDir: '/var/lib/onestop',
  settings: { scale: 'keypad3' as const },
};

describe('writing a device config file', () => {
  it('writes a 0600 file that the loader reads back as written', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'agent.yaml');
    writeAgentConfigFile(path, input, { header: 'paired by onestop agent pair\nkeep private' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('# paired by onestop agent pair\n# keep private\n')).toBe(true);
    const loaded = loadAgentConfig(path);
    expect(loaded.mqtt).toEqual(input.mqtt);
    expect(loaded.settings.scale).toBe('keypad3');
  });

  it('refuses to write what the agent would refuse, and writes nothing', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'agent.yaml');
    expect(() => writeAgentConfigFile(path, { ...input, mqtt: { ...input.mqtt, url: 'http://x' } })).toThrow(
      ConfigFileError,
    );
    expect(() => statSync(path)).toThrow();
  });

  it('exclusive: an existing file is kept as it was', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'agent.yaml');
    writeFileSync(path, 'mine');
    expect(() => writeAgentConfigFile(path, input, { exclusive: true })).toThrow(/EEXIST/);
    expect(readFileSync(path, 'utf8')).toBe('mine');
  });
});
