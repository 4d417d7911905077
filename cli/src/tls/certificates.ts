import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { deviceUsername } from '@onestop/store';
import { z } from 'zod';
import { UsageError } from '../errors.js';

/** The centre's TLS files, in its data folder: `serve --data DIR` finds them there. */
export function tlsPaths(dataDir: string) {
  const dir = join(dataDir, 'tls');
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientDir: join(dir, 'clients'),
  };
}

export type TlsPaths = ReturnType<typeof tlsPaths>;

/** The data folder's server certificate and key, when `tls init` has made them. */
export function servedTlsFiles(dataDir: string): TlsPaths | null {
  const p = tlsPaths(dataDir);
  return existsSync(p.serverCert) && existsSync(p.serverKey) ? p : null;
}

export interface TlsInitOptions {
  dataDir: string;
  /** DNS names the boards reach the centre by. */
  hosts: readonly string[];
  /** IP addresses the boards reach the centre by. */
  ips: readonly string[];
  /** Device IDs to make client certificates for. */
  clients: readonly string[];
  /** Validity of the server and client certificates. */
  days: number;
  /** Replace the CA too: every paired board must then be paired again (or given the new CA). */
  newCa: boolean;
  /** The `openssl` program: Debian's by default. */
  openssl?: string;
}

const DeviceName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);
/** Ten years: a CA outliving the boards, so that renewing the server certificate re-pairs nobody. */
const CA_DAYS = 3650;

/**
 * Makes (or keeps) the centre's CA and issues its server certificate for the given names, and
 * client certificates for devices, with Debian's `openssl` (no crypto of our own). Keys are 0600,
 * certificates 0644, the folder 0700. An existing CA is kept unless `newCa`: a server certificate
 * renewed for a new name must not cut off the boards that trust the CA.
 * Returns the files written.
 */
export function tlsInit(o: TlsInitOptions): string[] {
  const openssl = o.openssl ?? 'openssl';
  checkNames(o);
  const probe = spawnSync(openssl, ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new UsageError(
      `tls init needs the openssl program (${openssl}): install it with 'sudo apt install openssl'`,
    );
  const p = tlsPaths(o.dataDir);
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  chmodSync(p.dir, 0o700);
  // Everything is made in a private scratch folder and moved into place once complete.
  const work = mkdtempSync(join(p.dir, '.work-'));
  const run = (args: string[]) => {
    const r = spawnSync(openssl, args, { cwd: work, encoding: 'utf8' });
    if (r.error || r.status !== 0)
      throw new UsageError(
        `openssl ${args[0]} failed: ${(r.stderr || String(r.error)).trim().split('\n')[0]}`,
      );
  };
  const written: string[] = [];
  try {
    const keepCa = !o.newCa && existsSync(p.caCert) && existsSync(p.caKey);
    const caCert = keepCa ? p.caCert : join(work, 'ca.pem');
    const caKey = keepCa ? p.caKey : join(work, 'ca.key');
    /** A fresh P-256 key and, per `first`, a self-signed CA or a request to be signed by it. */
    // biome-ignore format: openssl's flags and their values read best in pairs
    const keyAnd = (first: string[], key: string, out: string, cn: string, extra: string[] = []) =>
      run([
        'req', ...first, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
        '-keyout', key, '-out', out, '-subj', `/O=onestop-counter/CN=${cn}`, ...extra,
      ]);
    // biome-ignore format: flags and their values in pairs
    if (!keepCa)
      keyAnd(['-x509'], caKey, caCert, 'onestop-counter centre CA', [
        '-days', String(CA_DAYS),
        '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
        '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      ]);
    const issue = (name: string, cn: string, ext: string[]) => {
      writeFileSync(join(work, `${name}.ext`), `${ext.join('\n')}\n`);
      keyAnd(['-new'], join(work, `${name}.key`), join(work, `${name}.csr`), cn);
      // biome-ignore format: flags and their values in pairs
      run([
        'x509', '-req', '-in', join(work, `${name}.csr`), '-CA', caCert, '-CAkey', caKey,
        '-set_serial', `0x${randomBytes(16).toString('hex')}`, '-days', String(o.days), '-sha256',
        '-extfile', join(work, `${name}.ext`), '-out', join(work, `${name}.pem`),
      ]);
    };
    const san = [...o.hosts.map((h) => `DNS:${h}`), ...o.ips.map((ip) => `IP:${ip}`)].join(',');
    issue('server', o.hosts[0] ?? o.ips[0]!, [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
    ]);
    // Issued to the device's MQTT username: a broker asking for client certificates lets a board
    // in only with its own (see the broker's `certificateRefusal`).
    for (const id of o.clients)
      issue(`client-${id}`, deviceUsername(id), [
        'basicConstraints=critical,CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=clientAuth',
      ]);

    const place = (from: string, to: string, mode: number) => {
      chmodSync(from, mode);
      renameSync(from, to);
      written.push(to);
    };
    if (!keepCa) {
      place(caKey, p.caKey, 0o600);
      place(caCert, p.caCert, 0o644);
    }
    place(join(work, 'server.key'), p.serverKey, 0o600);
    place(join(work, 'server.pem'), p.serverCert, 0o644);
    if (o.clients.length > 0) mkdirSync(p.clientDir, { recursive: true, mode: 0o700 });
    for (const id of o.clients) {
      place(join(work, `client-${id}.key`), join(p.clientDir, `${id}.key`), 0o600);
      place(join(work, `client-${id}.pem`), join(p.clientDir, `${id}.pem`), 0o644);
    }
    return written;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every name goes into a certificate (and an openssl argument): only plain names and addresses. */
function checkNames(o: TlsInitOptions): void {
  if (o.hosts.length === 0 && o.ips.length === 0)
    throw new UsageError(
      'tls init: name at least one --host or --ip by which the counters reach this centre',
    );
  for (const h of o.hosts)
    if (!z.hostname().safeParse(h).success || h.length > 253 || isIP(h))
      throw new UsageError(`--host '${h}' is not a host name (give addresses with --ip)`);
  for (const ip of o.ips) if (!isIP(ip)) throw new UsageError(`--ip '${ip}' is not an IP address`);
  for (const id of o.clients)
    if (!DeviceName.safeParse(id).success)
      throw new UsageError(`--client '${id}' is not a device ID (a-z, 0-9, '-' or '_')`);
  if (!Number.isInteger(o.days) || o.days < 1 || o.days > CA_DAYS)
    throw new UsageError(`--days must be 1–${CA_DAYS}`);
}
