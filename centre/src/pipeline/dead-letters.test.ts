import { Writable } from 'node:stream';
import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import {
  connectDevice,
  metricValue,
  provision,
  ratingFor,
  servicePassword,
  uniqueUnit,
} from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { eq, inArray, sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * An event the schema allows but the database refuses (here a CHECK constraint the ingest does
 * not know about) must neither stall the ingest nor be lost nor flood the log with SQL.
 */
describe.each(STORE_BACKENDS)('dead letters on %s', (backend) => {
  let store: TestStore;
  let broker: BrokerHandle;
  let ingest: IngestHandle;
  const registry = new Registry();
  const unit = uniqueUnit('dl');
  const password = servicePassword();
  const lines: string[] = [];
  let url: string;

  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.execute(
      sql`alter table ratings add constraint no_poison check (ticket is distinct from 'POISON')`,
    );
    broker = await startTestBroker(store, {
      registry,
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
    });
    url = `mqtt://127.0.0.1:${broker.port}`;
    ingest = await startIngest({
      store,
      mqttUrl: url,
      username: 'ingest',
      password,
      clientId: `ingest-${unit}`,
      registry,
      // A long flush window so that the poison lands in a batch with good events.
      flushMs: 300,
      logger: pino(
        { level: 'warn' },
        new Writable({
          write(chunk, _enc, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      ),
    });
  });
  afterAll(async () => {
    await ingest?.close();
    await broker?.close();
    await store?.close();
  });

  it('keeps the refused event aside, stores the rest of its batch and acknowledges all', async () => {
    const dev = await connectDevice(url, await provision(store, unit, 'q01'));
    const good = Array.from({ length: 6 }, () => ratingFor(dev.address.deviceId));
    const poison = ratingFor(dev.address.deviceId, { ticket: 'POISON' });
    const batch = [...good.slice(0, 3), poison, ...good.slice(3)];
    await Promise.all(batch.map((r) => dev.publishRating(r)));
    await dev.waitAcked(batch.map((r) => r.eventId));

    const stored = await store.db
      .select({ id: schema.ratings.eventId })
      .from(schema.ratings)
      .where(
        inArray(
          schema.ratings.eventId,
          batch.map((r) => r.eventId),
        ),
      );
    expect(stored.map((s) => s.id).sort()).toEqual(good.map((r) => r.eventId).sort());

    const [letter] = await store.db
      .select()
      .from(schema.ingestDeadLetters)
      .where(eq(schema.ingestDeadLetters.eventId, poison.eventId));
    expect(letter).toMatchObject({
      type: 'rating',
      unitId: unit,
      counterId: 'q01',
      deviceId: dev.address.deviceId,
      topic: `onestop/v1/${unit}/q01/${dev.address.deviceId}/evt/rating`,
      errorCode: '23514',
      payload: poison,
    });
    expect(letter?.error).toMatch(/no_poison/);
    expect(await metricValue(registry, 'onestop_ingest_dead_letters_total')).toBe(1);

    // One short line naming the event, its device and the SQLSTATE: no SQL text.
    const logged = lines.filter((l) => l.includes(poison.eventId));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({
      eventId: poison.eventId,
      deviceId: dev.address.deviceId,
      code: '23514',
    });
    expect(logged[0]?.length).toBeLessThan(600);
    expect(lines.join('\n')).not.toMatch(/insert into|Failed query/i);

    // Re-sent (its ack lost): acknowledged again, neither stored nor counted twice.
    dev.acked.clear();
    await dev.publishRating(poison);
    await dev.waitAcked([poison.eventId]);
    expect(await metricValue(registry, 'onestop_ingest_dead_letters_total')).toBe(1);
    expect(
      await store.db.$count(
        schema.ingestDeadLetters,
        eq(schema.ingestDeadLetters.deviceId, dev.address.deviceId),
      ),
    ).toBe(1);
    await dev.close();
  });
});
