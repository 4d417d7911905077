import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ackLatencies, compare, type Produced, readLogs, slopeMbPerHour } from './analyse.js';

describe('fleet log analysis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-analyse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts ack latency from when an event could leave: after a held rating is released', () => {
    const log = join(dir, 'a.log');
    writeFileSync(
      log,
      [
        'R v1 d1 evt/visit 1000',
        'R r1 d1 evt/rating 1000 H6000', // held for its undo window
        'R p1 d1 evt/presence 3000', // behind the held rating
        'R x1 d2 evt/visit 3000', // another counter: not held back
        'U d1 5500', // released before its time (the next citizen began)
        'R v2 d1 evt/visit 7000',
        'A v1 1100',
        'A x1 3200',
        'A r1 5800',
        'A p1 5900',
        'A v2 7050',
        'R r2 d1 evt/rating 8000 H13000', // released silently (the publisher expired it): no U
        'R e2 d1 evt/visit 9000',
        'R r3 d1 evt/rating 14000 H19000',
        'U d1 19005',
        'A r2 13100',
        'A e2 13200',
        'A r3 19100',
      ].join('\n'),
    );
    const events = readLogs([log]);
    const sendable = Object.fromEntries([...events].map(([id, e]) => [id, e.sendableAt]));
    expect(sendable).toEqual({
      v1: 1000,
      r1: 5500,
      p1: 5500,
      x1: 3000,
      v2: 7000,
      r2: 13000,
      e2: 13000,
      r3: 19000,
    });
    const lat = ackLatencies(events.values(), []);
    expect(lat.all).toEqual([50, 100, 100, 100, 200, 200, 300, 400]);
    expect(lat.recorded).toEqual([50, 100, 200, 2900, 4200, 4800, 5100, 5100]);
  });

  it('tells lost, pending, unacked and duplicated apart, and what came after the drain', () => {
    const e = (deviceId: string, recordedAt: number, ackedAt: number | null): Produced => ({
      deviceId,
      channel: 'evt/visit',
      recordedAt,
      sendableAt: recordedAt,
      ackedAt,
    });
    const produced = new Map<string, Produced>([
      ['stored', e('d1', 1000, 1100)],
      ['lost', e('d1', 2000, 2100)], // acknowledged, then not in the store
      ['pending', e('d1', 3000, null)], // never acknowledged nor stored
      ['stored-unacked', e('d2', 3000, null)], // stored, its ack lost on the way back
      ['late', e('d2', 9000, null)], // recorded as its agent stopped, after the drain
    ]);
    const row = (eventId: string, seq: number) => ({ eventId, deviceId: 'd1', bootId: 'b', seq });
    const stored = [row('stored', 1), row('stored-unacked', 2), row('stored-twice', 2)];
    const cmp = compare(produced, stored, (x) => x.recordedAt >= 9000);
    expect(cmp).toMatchObject({
      lost: 1,
      lostIds: ['lost'],
      pending: 1,
      pendingAfterDrain: 1,
      duplicated: 1,
      unknown: 1,
    });
    expect(cmp.unacked.map((u) => u.eventId)).toEqual(['pending', 'stored-unacked']);
  });

  it('gives memory’s trend in MB per hour: flat, growing, and too few samples', () => {
    const at = (min: number) => min * 60_000;
    expect(slopeMbPerHour([0, 10, 20, 30].map((m) => [at(m), 200] as const))).toBe(0);
    // 5 MB every 10 minutes, with noise around it: 30 MB an hour.
    expect(
      slopeMbPerHour([
        [at(0), 201],
        [at(10), 204],
        [at(20), 211],
        [at(30), 214],
        [at(40), 221],
      ]),
    ).toBe(30);
    expect(slopeMbPerHour([[at(0), 200]])).toBeNull();
  });

  it('explains a stored event without a log line only as the tail of a killed process', () => {
    const e = (deviceId: string): Produced => ({
      deviceId,
      channel: 'evt/visit',
      recordedAt: 1000,
      sendableAt: 1000,
      ackedAt: 1100,
    });
    const produced = new Map([
      ['k1', e('killed')],
      ['k2', e('killed')],
      ['a1', e('alive')],
    ]);
    const row = (eventId: string, deviceId: string, bootId: string, seq: number) => ({
      eventId,
      deviceId,
      bootId,
      seq,
    });
    const stored = [
      row('k1', 'killed', 'b1', 1),
      row('k2', 'killed', 'b1', 2),
      row('tail', 'killed', 'b1', 3), // recorded as its process died: explained
      row('early', 'killed', 'b1', 0), // before the last logged one: not a tail
      row('other-boot', 'killed', 'b9', 7), // a boot nothing logged: unknown
      row('a1', 'alive', 'b2', 1),
      row('alive-tail', 'alive', 'b2', 2), // its process was never killed: unknown
    ];
    expect(compare(produced, stored, undefined, new Set(['killed']))).toMatchObject({
      unloggedAtKill: 1,
      unknown: 3,
    });
    expect(compare(produced, stored)).toMatchObject({ unloggedAtKill: 0, unknown: 4 });
  });
});
