import { Writable } from 'node:stream';
import type { AuthenticateError, Client } from 'aedes';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Authenticator } from './auth.js';
import type { DeviceStateWriter } from './device-state.js';
import { MAX_LOGGED_CHARS } from './door.js';
import { Gate } from './gate.js';

/** A Gate whose authenticator refuses everyone, logging into `lines`. */
function refusingGate() {
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  // Stand-ins: the refusal path reads nothing from the store and only the outcome of the login.
  const auth = {
    authenticate: async () => ({ ok: false, reason: 'auth_failed' }),
  } as unknown as Authenticator;
  const gate = new Gate(auth, {} as DeviceStateWriter, logger, new Registry(), null, null);
  const connect = (from: string, id: string, username: string) =>
    new Promise<AuthenticateError | null>((resolve) => {
      const client = { id, conn: { remoteAddress: from } } as unknown as Client;
      gate.hooks().authenticate?.(client, username, Buffer.from('x'), (err) => resolve(err));
    });
  return { lines, connect };
}

describe('refusal logging', () => {
  it('logs 60k refused logins with distinct 8 KB usernames as one bounded line per address', async () => {
    const { lines, connect } = refusingGate();
    const pad = 'u'.repeat(8_000);
    for (let i = 0; i < 60_000; i++) {
      const err = await connect(i % 2 ? '10.0.0.1' : '10.0.0.2', `${pad}${i}`, `${i}${pad}`);
      expect(err?.returnCode).toBe(4);
    }
    // Keyed by (address, reason) before authentication, not by the attacker-chosen username.
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      const entry = JSON.parse(line) as { who: string; clientId: string };
      expect(entry.who.length).toBeLessThan(MAX_LOGGED_CHARS + 32);
      expect(entry.clientId.length).toBeLessThan(MAX_LOGGED_CHARS + 32);
      expect(line.length).toBeLessThan(1_000);
    }
  });
});

describe('letting a revoked device in again', () => {
  const gate = () =>
    new Gate(
      {} as Authenticator,
      {} as DeviceStateWriter,
      pino({ level: 'silent' }),
      new Registry(),
      null,
      null,
    );

  it('lets in a device the database restored after its revocation', () => {
    const g = gate();
    g.revoke('q01-a');
    const mark = g.revocationMark(); // the read starts after the revocation
    expect(g.unrevoke('q01-a', mark)).toBe(true);
    expect(g.revokedIds()).toEqual([]);
  });

  it('keeps a revocation heard while the database was being read (handlers run concurrently)', () => {
    const g = gate();
    g.revoke('q01-a'); // revoked, then restored in the database: its `device_changed` reads…
    const mark = g.revocationMark();
    g.revoke('q01-a'); // …while a new `device_revoked` is handled: the read predates it
    g.revoke('q02-b');
    expect(g.unrevoke('q01-a', mark)).toBe(false);
    expect(g.revokedIds().sort()).toEqual(['q01-a', 'q02-b']);
  });
});
