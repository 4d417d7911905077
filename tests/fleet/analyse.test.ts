import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ackLatencies, readLogs } from './analyse.js';

describe('fleet log analysis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-analyse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts ack latency from when an event could leave: after a held rating is released', () => {
    const log = join(dir, 'a.log');
    writeFileSync(
      log,
      [
        'R v1 d1 evt/visit 1000',
        'R r1 d1 evt/rating 1000 H', // held for its undo window
        'R p1 d1 evt/presence 3000', // behind the held rating
        'R x1 d2 evt/visit 3000', // another counter: not held back
        'U d1 6000',
        'R v2 d1 evt/visit 7000',
        'A v1 1100',
        'A x1 3200',
        'A r1 6300',
        'A p1 6400',
        'A v2 7050',
        'R r2 d1 evt/rating 8000 H', // its release never logged (process killed)
        'A r2 14000',
      ].join('\n'),
    );
    const events = readLogs([log]);
    expect([...events.values()].map((e) => e.sendableAt)).toEqual([1000, 6000, 6000, 3000, 7000, 8000]);
    const lat = ackLatencies(events.values(), []);
    expect(lat.all).toEqual([50, 100, 200, 300, 400, 6000]);
    expect(lat.recorded).toEqual([50, 100, 200, 3400, 5300, 6000]);
  });
});
