import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { metricValue, provision, uniqueUnit } from '@onestop/service/testing';
import type { ProvisionedDevice } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsInit, tlsPaths } from './certificates.js';

/**
 * Client certificates made by `onestop tls init --client`, presented to a broker that asks for
 * them: over real TLS, with a real mqtt client. A certificate is a second credential, never a
 * replacement for the password, and one board's certificate lets no other board in.
 */
describe('a broker asking for client certificates', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  const registry = new Registry();
  const read = (f: string) => readFileSync(f, 'utf8');
  let ca: string;
  /** A second centre's files: a certificate from another CA. */
  let foreign: ReturnType<typeof tlsPaths>;
  let own: ReturnType<typeof tlsPaths>;
  let board: ProvisionedDevice;
  let other: ProvisionedDevice;

  /** The CONNACK code (0 accepted), or -1 when the connection closed without one. */
  const login = (d: ProvisionedDevice, cert?: { cert: string; key: string }, password = d.password) =>
    new Promise<number>((resolve) => {
      const c = mqtt.connect(`mqtts://127.0.0.1:${broker.tlsPort}`, {
        clientId: d.deviceId,
        username: d.username,
        password,
        ca,
        ...(cert ?? {}),
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        rejectUnauthorized: true,
      });
      // Settled by the first event: ending the client closes it, and that close is no refusal.
      c.once('connect', () => {
        resolve(0);
        c.end(true);
      });
      c.once('error', (e: Error & { code?: number }) => {
        resolve(typeof e.code === 'number' ? e.code : -1);
        c.end(true);
      });
      c.once('close', () => resolve(-1));
    });
  const certOf = (paths: ReturnType<typeof tlsPaths>, deviceId: string) => ({
    cert: read(join(paths.clientDir, `${deviceId}.pem`)),
    key: read(join(paths.clientDir, `${deviceId}.key`)),
  });
  const refused = () => metricValue(registry, 'onestop_events_rejected_total', { reason: 'client_cert' });

  // Two CAs made with openssl and an embedded database: slow on a busy machine.
  beforeAll(async () => {
    store = await openTestStore('pglite');
    const unit = uniqueUnit('cert');
    board = await provision(store, unit, 'q01');
    other = await provision(store, unit, 'q02');
    const dir = mkdtempSync(join(tmpdir(), 'client-certs-'));
    own = tlsPaths(join(dir, 'centre'));
    foreign = tlsPaths(join(dir, 'elsewhere'));
    const make = (dataDir: string) =>
      tlsInit({
        dataDir,
        hosts: ['localhost'],
        ips: ['127.0.0.1'],
        clients: [board.deviceId, other.deviceId],
        days: 1,
        newCa: false,
      });
    make(join(dir, 'centre'));
    make(join(dir, 'elsewhere'));
    ca = read(own.caCert);
    broker = await startTestBroker(store, {
      registry,
      tls: {
        port: 0,
        host: '127.0.0.1',
        cert: read(own.serverCert),
        key: read(own.serverKey),
        clientCa: ca,
      },
    });
  }, 180_000);
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('lets a board in with its own certificate and password, or with its password alone', async () => {
    expect(await login(board, certOf(own, board.deviceId))).toBe(0);
    // Boards paired before certificates keep working: asked, not required.
    expect(await login(board)).toBe(0);
    expect(await refused()).toBe(0);
  });

  it('still needs the password with a good certificate', async () => {
    expect(await login(board, certOf(own, board.deviceId), 'not-the-password')).toBe(4);
  });

  it("refuses another board's certificate, and one from another CA, counted by reason", async () => {
    // The right password with the neighbour's certificate: its CN is dev-<other id>.
    expect(await login(board, certOf(own, other.deviceId))).toBe(4);
    expect(await refused()).toBe(1);
    // Issued to the right name, but by another centre's CA.
    expect(await login(board, certOf(foreign, board.deviceId))).toBe(4);
    expect(await refused()).toBe(2);
    // The refusals cost the board nothing: its own certificate still works.
    expect(await login(board, certOf(own, board.deviceId))).toBe(0);
  });
});
