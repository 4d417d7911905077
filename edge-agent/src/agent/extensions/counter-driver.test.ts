import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { badge, endVisit, patterns, press, scan, settings, T0 } from '../../counter/test-helpers.js';
import { Outbox } from '../../outbox/outbox.js';
import { AgentBus } from '../bus.js';
import type { AgentContext } from '../context.js';
import { CounterDriver } from './counter-driver.js';

const open: Outbox[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** A driver over a real outbox on disk, with the clock in the test's hands. */
function driver() {
  const clock = { now: T0 };
  const outbox = new Outbox({
    dataDir: mkdtempSync(join(tmpdir(), 'driver-')),
    address: { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' },
    capacity: 100,
    alertAt: 50,
    clock: { now: () => clock.now, mono: () => 7 },
  });
  open.push(outbox);
  const ctx = {
    config: { sessions: { maxHours: 12, endOfDay: null } },
    outbox,
    bus: new AgentBus(),
    logger: pino({ level: 'silent' }),
    clock: { now: () => clock.now, mono: () => 7 },
    settings: { get: () => settings, version: () => null },
    patterns,
  } as unknown as AgentContext;
  return { d: new CounterDriver(ctx, false), outbox, clock };
}

const ratingLevels = (o: Outbox) =>
  o
    .pending(10)
    .filter((e) => e.channel === 'evt/rating')
    .map((e) => (JSON.parse(e.payload) as { level: number }).level);

describe('CounterDriver in the undo window', () => {
  it('says "not changed" and keeps the held level when the outbox fails to replace it', () => {
    const { d, outbox, clock } = driver();
    for (const i of [badge('0001'), scan('A001'), endVisit, press(3)]) {
      clock.now += 2_000;
      d.dispatch(i);
    }
    expect(d.current().screen).toMatchObject({ kind: 'thanks', level: 3 });
    // An injected failure of the write (a full or read-only disk, a broken database).
    outbox.replaceHeld = () => {
      throw new Error('attempt to write a readonly database');
    };
    clock.now += 2_000;
    d.dispatch(press(4));
    // The screen does not claim a level the outbox does not hold; the rating leaves as recorded.
    expect(d.current().screen).toMatchObject({ kind: 'notice', code: 'not_changed' });
    expect(d.current().state.thanks).toBeNull();
    expect(ratingLevels(outbox)).toEqual([3]);
  });
});
