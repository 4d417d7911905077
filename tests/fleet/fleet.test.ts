import { describe, expect, it } from 'vitest';
import { runFleet } from './run.js';

/**
 * The small form of `npm run bench:fleet` (issue 15): a compressed hour of 20 counters (real agents,
 * two fleet processes) against the built `onestop serve`, with the server and a fleet process
 * SIGKILLed mid-day. Nothing the agents recorded may be lost or stored twice, and every outbox
 * drains. Timings are printed, never asserted (a shared CI machine decides them).
 */
describe('a compressed day of a small fleet, with faults', () => {
  it('stores every recorded event exactly once through a server and an agent crash', async () => {
    const r = await runFleet({
      counters: 20,
      hours: 1,
      speed: 180,
      workers: 2,
      faults: [
        { kind: 'skew-years', at: 0.1, downS: 3 },
        { kind: 'kill-serve', at: 0.3, downS: 3 },
        { kind: 'kill-agents', at: 0.6, downS: 3 },
      ],
      drainTimeoutS: 120,
      log: (l) => console.log(`[fleet] ${l}`),
    });
    console.log(JSON.stringify(r));
    expect(r.eventsByChannel['evt/rating']).toBeGreaterThan(0);
    expect(r.faults.map((f) => f.kind)).toEqual(['skew-years', 'kill-serve', 'kill-agents']);
    expect({
      lost: r.lost,
      pending: r.pending,
      duplicated: r.duplicated,
      unknown: r.unknownStored,
      unacked: r.unacked,
    }).toEqual({
      lost: 0,
      pending: 0,
      duplicated: 0,
      unknown: 0,
      unacked: 0,
    });
    expect(r.eventsStored).toBe(r.eventsSent);
    expect(r.drained).toBe(true);
    expect(r.faults.filter((f) => f.drainedMs === null)).toEqual([]);
  }, 400_000);
});
