import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { spawnTs, waitExit } from '../test-support/spawn-ts.js';

const CHILD = new URL('./agent-child.fixture.ts', import.meta.url).pathname;
const KILLS = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('durability under SIGKILL', () => {
  const unitId = uniqueUnit('dur');
  const addr = { unitId, counterId: 'q01', deviceId: 'dur-q01' };
  let ingest: TestIngest;
  afterAll(async () => {
    await ingest?.clearRetained(addr);
    await ingest?.close();
  });

  it(`loses and duplicates no recorded rating across ${KILLS} kills`, { timeout: 90_000 }, async () => {
    ingest = await TestIngest.connect(unitId);
    const dataDir = mkdtempSync(join(tmpdir(), 'durability-'));
    const recorded = new Map<string, string>(); // eventId → ticket, as "shown" to the citizen
    for (let run = 0; run < KILLS; run++) {
      let connected = false;
      const child = spawnTs(CHILD, [dataDir, unitId, MQTT_URL, String(run), 'rate'], (line) => {
        const [kind, id, ticket] = line.split(' ');
        if (kind === 'RECORDED') recorded.set(id!, ticket!);
        if (kind === 'CONNECTED') connected = true;
      });
      // Kill at a random point: sometimes before the broker connection, mostly mid-stream.
      const start = Date.now();
      while (!connected && Date.now() - start < 5_000 && run % 5 !== 0) await sleep(10);
      await sleep(50 + Math.random() * 700);
      child.kill('SIGKILL');
      await waitExit(child);
    }
    expect(recorded.size).toBeGreaterThan(KILLS);
    if (process.env.DURABILITY_VERBOSE) console.log(`recorded ${recorded.size} ratings over ${KILLS} kills`);

    const drained: string[] = [];
    const drain = spawnTs(CHILD, [dataDir, unitId, MQTT_URL, 'final', 'drain'], (l) => drained.push(l));
    await waitExit(drain);
    expect(drained).toContain('DRAINED');

    const ratings = ingest.of('evt/rating');
    const byId = new Map(ratings.map((r) => [r.payload.eventId as string, r.payload]));
    const missing = [...recorded.keys()].filter((id) => !byId.has(id));
    expect(missing).toEqual([]);
    // A re-send of an un-acked event repeats its eventId (ingest dedupes that); a duplicate would
    // be a second eventId for the same citizen's press.
    const ticketsSeen = new Map<string, string>();
    const duplicates: string[] = [];
    for (const [id, p] of byId) {
      const prev = ticketsSeen.get(p.ticket as string);
      if (prev && prev !== id) duplicates.push(p.ticket as string);
      ticketsSeen.set(p.ticket as string, id);
    }
    expect(duplicates).toEqual([]);
    if (process.env.DURABILITY_VERBOSE)
      console.log(`received ${ratings.length} rating messages, ${byId.size} distinct`);
    // Every stored rating carries its own boot's (bootId, seq), strictly increasing within a boot.
    const lastSeq = new Map<string, number>();
    for (const p of [...byId.values()].sort((a, b) => (a.seq as number) - (b.seq as number))) {
      const prev = lastSeq.get(p.bootId as string) ?? -1;
      expect(p.seq as number).toBeGreaterThan(prev);
      lastSeq.set(p.bootId as string, p.seq as number);
    }
  });
});
