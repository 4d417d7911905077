import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { addStaffMember } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';
import { parseTrustedProxies, throttleKeyOf } from './client-address.js';

const logger = pino({ level: 'silent' });

/**
 * Sign-in throttles over real HTTP: failures count per (account, address), the same account
 * still signs in from another address until the account-wide limit, and `X-Forwarded-For`
 * names the address only when the peer (here 127.0.0.1) is a trusted proxy.
 */
describe('dashboard sign-in throttles', () => {
  let store: TestStore;
  const servers: Array<{ close(): void }> = [];
  const passwords: Record<string, string> = {};

  const serve = async (
    trustedProxies: string[],
    limits: { maxLoginFailures?: number; maxAccountLoginFailures?: number } = {
      maxLoginFailures: 3,
      maxAccountLoginFailures: 6,
    },
  ) => {
    const app = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      ...limits,
      trustedProxies,
    });
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    servers.push(server);
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    /** The sign-in's HTTP status, as if from `client` behind the proxy (X-Forwarded-For). */
    return async (username: string, password: string, client?: string) =>
      (
        await fetch(`${origin}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { origin, ...(client ? { 'x-forwarded-for': client } : {}) },
          body: new URLSearchParams({ username, password }),
        })
      ).status;
  };

  beforeAll(async () => {
    store = await openTestStore('pglite');
    for (const username of ['ha.tv', 'minh.tv', 'an.ka', 'binh.ka'])
      passwords[username] = (
        await addStaffMember(store.db, {
          username,
          role: 'technician',
          unitId: null,
          officerId: null,
          actor: 't',
        })
      ).password;
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await store?.close();
  });

  it('keeps failures at one address from locking the account out elsewhere, up to the account-wide limit', async () => {
    const login = await serve(['loopback']);
    for (let i = 0; i < 3; i++) expect(await login('ha.tv', 'wrong', '203.0.113.1')).toBe(401);
    expect(await login('ha.tv', passwords['ha.tv']!, '203.0.113.1')).toBe(429);
    // The owner, from another address, and a colleague behind the guesser's address get in.
    expect(await login('ha.tv', passwords['ha.tv']!, '203.0.113.2')).toBe(303);
    expect(await login('minh.tv', passwords['minh.tv']!, '203.0.113.1')).toBe(303);
    // Past the account-wide limit (6), addresses that failed at the account are refused...
    for (let i = 0; i < 2; i++) expect(await login('ha.tv', 'wrong', '198.51.100.7')).toBe(401);
    expect(await login('ha.tv', 'wrong', '198.51.100.6')).toBe(401);
    expect(await login('ha.tv', passwords['ha.tv']!, '198.51.100.7')).toBe(429);
    // ...while a clean address still gets its password checked (after a delay): one wrong guess
    // is a 401, then that address is refused; the owner from a clean address gets in.
    expect(await login('ha.tv', 'wrong', '198.51.100.9')).toBe(401);
    expect(await login('ha.tv', passwords['ha.tv']!, '198.51.100.9')).toBe(429);
    expect(await login('ha.tv', passwords['ha.tv']!, '198.51.100.8')).toBe(303);
  });

  it('lets the owner in from their own address after 50 failures spread over 10 addresses', async () => {
    const login = await serve(['loopback'], {});
    for (let ip = 0; ip < 10; ip++)
      for (let i = 0; i < 5; i++) expect(await login('minh.tv', 'wrong', `192.0.2.${ip}`)).toBe(401);
    // The default limits: 5 per (account, address), 50 per account.
    expect(await login('minh.tv', passwords['minh.tv']!, '192.0.2.0')).toBe(429);
    expect(await login('minh.tv', passwords['minh.tv']!, '192.0.2.99')).toBe(303);
  }, 60_000);

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const login = await serve(['10.0.0.0/8']);
    for (let i = 0; i < 3; i++) expect(await login('an.ka', 'wrong', `203.0.113.${10 + i}`)).toBe(401);
    // Every attempt came from 127.0.0.1 whatever the header said.
    expect(await login('an.ka', passwords['an.ka']!, '203.0.113.99')).toBe(429);
    expect(await login('binh.ka', passwords['binh.ka']!, '203.0.113.10')).toBe(303);
  });

  it('refuses a trusted-proxy list it cannot read, naming the entry', () => {
    expect(parseTrustedProxies(' 10.0.0.1, 192.168.0.0/16 ,loopback,')).toEqual([
      '10.0.0.1',
      '192.168.0.0/16',
      'loopback',
    ]);
    expect(parseTrustedProxies(undefined)).toEqual([]);
    expect(() => parseTrustedProxies('10.0.0.1,proxy.example')).toThrow(/'proxy.example'/);
  });
});

describe('throttle keys', () => {
  it('keys IPv4 by address and IPv6 by its /64, however it is written', () => {
    expect(throttleKeyOf('203.0.113.9')).toBe('203.0.113.9');
    expect(throttleKeyOf('::ffff:203.0.113.9')).toBe('203.0.113.9');
    const net = '2001:db8:85a3:12::/64';
    for (const a of [
      '2001:db8:85a3:12::1',
      '2001:0db8:85a3:0012:ffff:ffff:ffff:ffff',
      '2001:DB8:85A3:12:0:0:0:7',
    ])
      expect(throttleKeyOf(a)).toBe(net);
    expect(throttleKeyOf('2001:db8::1')).toBe('2001:db8::/64');
    expect(throttleKeyOf('::1')).toBe('::/64');
    expect(throttleKeyOf('fe80::1%eth0')).toBe(throttleKeyOf('fe80::2'));
    expect(throttleKeyOf('unknown')).toBe('unknown');
    expect(throttleKeyOf('2001:db8:85a3:13::1')).not.toBe(net);
  });
});
