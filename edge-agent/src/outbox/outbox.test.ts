import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload } from '@onestop/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnTs, waitExit } from '../test-support/spawn-ts.js';
import { type EventBody, Outbox, OutboxFullError } from './outbox.js';

const rating = (ticket: string): EventBody<'evt/rating'> => ({
  visitId: null,
  officerId: 'cb-a',
  dossierIds: [],
  ticket,
  scale: 'keypad4',
  level: 3,
  source: 'keypad',
  reasons: [],
  responseMs: 1200,
});

const open: Outbox[] = [];
const make = (
  dataDir = mkdtempSync(join(tmpdir(), 'outbox-')),
  capacity = 100,
  alertAt = 3,
  now = 1_764_000_000_000,
) => {
  const o = new Outbox({
    dataDir,
    address: { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' },
    capacity,
    alertAt,
    clock: { now: () => now, mono: () => 5 },
  });
  open.push(o);
  return o;
};
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

describe('Outbox', () => {
  it('appends valid enveloped events and returns them in order', () => {
    const o = make();
    const a = o.append('evt/rating', rating('A1'));
    const b = o.append('evt/presence', {
      kind: 'session',
      state: 'signed_in',
      officerId: 'cb-a',
      source: 'badge',
    });
    expect(b.seq).toBe(a.seq + 1);
    const p = o.pending(10);
    expect(p.map((e) => e.eventId)).toEqual([a.eventId, b.eventId]);
    const decoded = decodePayload('evt/rating', p[0]!.payload);
    expect(decoded.ok && decoded.value).toMatchObject({
      ticket: 'A1',
      deviceId: 'tv-q03-a',
      bootId: o.bootId,
      seq: 0,
    });
    expect(o.pending(1, a.rowId).map((e) => e.eventId)).toEqual([b.eventId]);
  });

  it('keeps a rating pressed while the clock reads 1970 (no RTC after a power cut): the centre places it', () => {
    const o = make(undefined, 100, 3, 42_000);
    const r = o.append('evt/rating', rating('A2'));
    const decoded = decodePayload('evt/rating', o.pending(1)[0]!.payload);
    expect(decoded.ok && decoded.value).toMatchObject({ eventId: r.eventId, ts: 42_000, mono: 5 });
  });

  it('refuses an invalid event before storing it', () => {
    const o = make();
    expect(() => o.append('evt/rating', { ...rating('A1'), level: 9 })).toThrow(/level/);
    expect(o.stats().depth).toBe(0);
  });

  it('deletes only acked events and reports depth, oldest ts and alert', () => {
    const o = make();
    const ids = ['A1', 'A2', 'A3'].map((t) => o.append('evt/rating', rating(t)).eventId);
    expect(o.stats()).toMatchObject({ depth: 3, alert: true, oldestTs: 1_764_000_000_000 });
    expect(o.ack([ids[0]!, ids[2]!, '0193a0c2-6000-7000-8000-0000000000ff'])).toBe(2);
    expect(o.pending(10).map((e) => e.eventId)).toEqual([ids[1]]);
    expect(o.stats()).toMatchObject({ depth: 1, alert: false });
    o.ack([ids[1]!]);
    expect(o.stats().oldestTs).toBeNull();
  });

  it('is bounded: refuses new events at capacity rather than dropping recorded ones', () => {
    const o = make(undefined, 2, 1);
    o.append('evt/rating', rating('A1'));
    o.append('evt/rating', rating('A2'));
    expect(() => o.append('evt/rating', rating('A3'))).toThrow(OutboxFullError);
    expect(o.pending(10)).toHaveLength(2);
  });

  it('keeps events and seq across reopen, with a new bootId', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-'));
    const o1 = make(dir);
    const a = o1.append('evt/rating', rating('A1'));
    o1.setMeta('officer', 'cb-a');
    o1.close();
    const o2 = make(dir);
    expect(o2.bootId).not.toBe(o1.bootId);
    expect(o2.pending(10).map((e) => e.eventId)).toEqual([a.eventId]);
    expect(o2.append('evt/rating', rating('A2')).seq).toBe(a.seq + 1);
    expect(o2.getMeta('officer')).toBe('cb-a');
  });

  it('survives SIGKILL: every event reported as appended is still there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-kill-'));
    const reported: Array<{ id: string; seq: number }> = [];
    for (let round = 0; round < 3; round++) {
      const child = spawnTs(
        new URL('./append-child.fixture.ts', import.meta.url).pathname,
        [dir, String(round * 1e6)],
        (l) => {
          const [id, seq] = l.split(' ');
          reported.push({ id: id!, seq: Number(seq) });
        },
      );
      const before = reported.length;
      while (reported.length < before + 30) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.random() * 50));
      child.kill('SIGKILL');
      await waitExit(child);
    }
    const o = make(dir, 1_000_000, 1000);
    const stored = new Set(o.pending(1_000_000).map((e) => e.eventId));
    expect(reported.filter((r) => !stored.has(r.id))).toEqual([]);
    const seqs = reported.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
  });
});
