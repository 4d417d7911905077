import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartError } from '@onestop/service';
import {
  connectDevice,
  openAroundTheClock,
  provision,
  ratingFor,
  servicePassword,
  signIn,
  silentLogger,
  uniqueUnit,
  visitEndFor,
  visitRatingsFor,
} from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { eq, sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { type Embedded, startEmbedded } from '../embedded.js';

const dir = mkdtempSync(join(tmpdir(), 'onestop-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const password = servicePassword();
const start = (dataDir: string | null, mqttPort = 0): Promise<Embedded> =>
  startEmbedded({
    dataDir,
    broker: {
      mqttPort,
      host: '127.0.0.1',
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
    },
    ingest: { username: 'ingest', password, clientId: 'embedded-ingest' },
    registry: new Registry(),
    logger: silentLogger,
  });

describe('embedded core (database thread, broker, in-process ingest)', () => {
  it('stores and acknowledges ratings, and keeps them across a restart', { timeout: 60_000 }, async () => {
    const unit = uniqueUnit('emb');
    let core = await start(dir);
    const creds = await provision(core.store, unit, 'q01');
    let device = await connectDevice(`mqtt://127.0.0.1:${core.broker.port}`, creds);
    await openAroundTheClock(core.store, unit);
    await signIn(core.store, device, 'cb-test');
    const first = visitRatingsFor(creds.deviceId, 50);
    const visits = first.map(visitEndFor);
    await Promise.all([
      ...visits.map((v) => device.publishVisit(v)),
      ...first.map((r) => device.publishRating(r)),
    ]);
    await device.waitAcked([...first, ...visits].map((e) => e.eventId));
    const count = () => core.store.db.$count(schema.ratings, eq(schema.ratings.unitId, unit));
    expect(await count()).toBe(50);
    // Counted once each for the officer signed in (they span up to two hours).
    const [rollup] = await core.store.db
      .select({ ratings: sql<number>`sum(${schema.hourlyRollups.ratings})::int` })
      .from(schema.hourlyRollups)
      .where(eq(schema.hourlyRollups.unitId, unit));
    expect(rollup?.ratings).toBe(50);
    await device.close();
    await core.close();

    // Same data folder: a re-sent rating is acknowledged again but stored once.
    core = await start(dir);
    device = await connectDevice(`mqtt://127.0.0.1:${core.broker.port}`, creds);
    const again = first[0];
    const fresh = ratingFor(creds.deviceId);
    if (!again) throw new Error('no rating');
    await device.publishRating(again);
    await device.publishRating(fresh);
    await device.waitAcked([again.eventId, fresh.eventId]);
    expect(await count()).toBe(51);
    await device.close();
    await core.close();
  });

  it('stops what it started when a part fails, and says which', { timeout: 30_000 }, async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const err = await start(null, port).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StartError);
      expect((err as StartError).part).toBe('broker');
      expect((err as Error).message).toMatch(/could not start the broker/);
    } finally {
      blocker.close();
    }
    // The database thread it had opened is closed: the folder can be opened again at once.
    const core = await start(dir);
    await core.close();
  });
});
