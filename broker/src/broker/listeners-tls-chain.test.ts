import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Listener, listenTls } from './listeners.js';

/**
 * A server certificate from an intermediate CA (as a public CA issues them): clients trust the
 * root only, so the broker must send the intermediate (`--tls-ca`), also when it asks clients for
 * certificates of its own client CA (`--tls-client-ca`).
 */
describe('the TLS listener sends the server chain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-chain-'));
  const f = (name: string) => join(dir, name);
  const read = (name: string) => readFileSync(f(name), 'utf8');
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const listeners: Listener[] = [];

  /** A key and a certificate `name` signed by `issuer` (self-signed when null). */
  const make = (name: string, subject: string, issuer: string | null, ext: string) => {
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
    writeFileSync(f(`${name}.ext`), ext);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
      ...(issuer
        ? ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-CAcreateserial']
        : ['-signkey', `${name}.key`]),
      '-out',
      `${name}.pem`,
    );
  };

  beforeAll(() => {
    const ca = 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n';
    make('root', '/CN=Test Root', null, ca);
    make('intermediate', '/CN=Test Intermediate', 'root', ca);
    make('server', '/CN=localhost', 'intermediate', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
    make('clients', '/CN=Centre client CA', null, ca);
  });
  afterAll(async () => {
    for (const l of listeners.splice(0)) await l.close();
  });

  /** Whether a client trusting the root alone verifies the listener, and why not. */
  const handshake = async (clientCa: string | undefined) => {
    const l = await listenTls(
      (conn) => conn.end(),
      {
        port: 0,
        cert: read('server.pem'),
        key: read('server.key'),
        ca: read('intermediate.pem'),
        ...(clientCa ? { clientCa } : {}),
      },
      '127.0.0.1',
    );
    listeners.push(l);
    return new Promise<string>((resolve) => {
      const s = connect({ port: l.port, host: '127.0.0.1', servername: 'localhost', ca: read('root.pem') });
      s.once('secureConnect', () => {
        resolve('verified');
        s.destroy();
      });
      s.once('error', (e: Error & { code?: string }) => resolve(e.code ?? e.message));
    });
  };

  it('without client certificates', async () => {
    expect(await handshake(undefined)).toBe('verified');
  });

  it('while asking clients for certificates of another CA', async () => {
    expect(await handshake(read('clients.pem'))).toBe('verified');
  });
});
