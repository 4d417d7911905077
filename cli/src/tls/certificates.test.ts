import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { tlsInit, tlsPaths } from './certificates.js';

const base = { hosts: [], ips: [], clients: [], days: 30, newCa: false };
const fresh = () => mkdtempSync(join(tmpdir(), 'tls-'));
const verify = (ca: string, cert: string) =>
  spawnSync('openssl', ['verify', '-CAfile', ca, cert], { encoding: 'utf8' }).stdout.trim();

describe('onestop tls init', () => {
  it('keeps the CA when run again for new names, so that paired boards still trust the centre', () => {
    const dataDir = fresh();
    const p = tlsPaths(dataDir);
    tlsInit({ ...base, dataDir, hosts: ['a.local'] });
    const ca = readFileSync(p.caCert, 'utf8');
    const again = tlsInit({ ...base, dataDir, hosts: ['b.local'], ips: ['10.0.0.2'] });
    expect(again).toEqual([p.serverKey, p.serverCert]);
    expect(readFileSync(p.caCert, 'utf8')).toBe(ca);
    expect(verify(p.caCert, p.serverCert)).toBe(`${p.serverCert}: OK`);
    const renewed = tlsInit({ ...base, dataDir, hosts: ['b.local'], newCa: true });
    expect(renewed).toContain(p.caCert);
    expect(readFileSync(p.caCert, 'utf8')).not.toBe(ca);
  });

  it('refuses names that are not host names or addresses, and no name at all', () => {
    const dataDir = fresh();
    for (const bad of [
      { hosts: ['a b'] },
      { hosts: ['x/CN=evil'] },
      { hosts: ['10.0.0.2'] },
      { ips: ['10.0.0.300'] },
      { hosts: ['a.local'], clients: ['../x'] },
      {},
    ])
      expect(() => tlsInit({ ...base, dataDir, ...bad }), JSON.stringify(bad)).toThrow(UsageError);
  });

  it('says how to get openssl when it is missing', () => {
    expect(() =>
      tlsInit({ ...base, dataDir: fresh(), hosts: ['a.local'], openssl: '/nonexistent/openssl' }),
    ).toThrow(/apt install openssl/);
  });
});
