import { newEventId } from '@onestop/protocol';
import { LISTEN_APPLICATION, notify, openStore, type RatingRow, type Store, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveRatingFeed } from './feed.js';

const logger = pino({ level: 'silent' });

async function until(ok: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Stores a rating as the ingest does: the row, then (committed) one `events_stored` signal. */
async function storeRating(store: Store, unitId: string, signal = true): Promise<string> {
  const eventId = newEventId();
  await store.db.insert(schema.ratings).values({
    eventId,
    unitId,
    counterId: 'q01',
    deviceId: 'q01-a',
    officerId: 'cb-lan',
    scale: 'keypad4',
    level: 4,
    official: 'very_satisfied',
    score: 100,
    source: 'keypad',
    deviceTs: new Date(),
  });
  if (signal) await notify(store.db, 'events_stored', { unitIds: [unitId], count: 1 });
  return eventId;
}

describe.each(STORE_BACKENDS)('live rating feed on %s', (backend) => {
  let store: TestStore;
  let other: Store;
  let feed: LiveRatingFeed;
  const got: RatingRow[] = [];
  beforeAll(async () => {
    store = await openTestStore(backend);
    // The ingest writes through its own connection (on PGlite there is only one).
    other = store.url ? await openStore({ kind: 'postgres', url: store.url, poolSize: 1 }) : store;
    await store.db.insert(schema.units).values({ id: 'u-live', name: 'Live' });
    await store.db.insert(schema.counters).values({ unitId: 'u-live', id: 'q01', name: 'Quầy 1' });
    feed = new LiveRatingFeed(store, logger);
    feed.subscribe((r) => got.push(r));
    feed.start();
  });
  afterAll(async () => {
    feed?.stop();
    if (other && other !== store) await other.close();
    await store?.close();
  });

  it('pushes a rating stored by another connection when signalled, with no timer running', async () => {
    const id = await storeRating(other, 'u-live');
    await until(() => got.some((r) => r.eventId === id), 'the rating');
    expect(got.filter((r) => r.eventId === id)).toHaveLength(1);
  });

  it.skipIf(backend !== 'postgres')(
    'catches up on what was stored while its listening connection was down',
    async () => {
      let lost = false;
      const stop = store.notifications.subscribe({
        on: {},
        resync: () => {},
        onError: (e) => {
          if (/lost/.test(e.message)) lost = true;
        },
      });
      await other.db.execute(
        sql`select pg_terminate_backend(pid) from pg_stat_activity
            where application_name = ${LISTEN_APPLICATION} and datname = current_database()`,
      );
      await until(() => lost, 'the loss to be noticed');
      // Its signal goes to no one: only the resync after the reconnect can find it.
      const id = await storeRating(other, 'u-live');
      await until(() => got.some((r) => r.eventId === id), 'the rating stored while down', 10_000);
      stop();
    },
  );
});
