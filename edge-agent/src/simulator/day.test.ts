import { HOUR_MS } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { arrivalsPerHour, OPENING_SESSIONS, workingDay } from './day.js';
import type { ScenarioStep } from './scenario.js';

/** Plays a day with waits advancing the simulated clock, as the driver's sleeps would. */
function play(seed: number, touch: boolean, negativeShare = 0.02) {
  const speed = 60;
  let now = 7 * HOUR_MS;
  const log: Array<{ at: number; step: ScenarioStep }> = [];
  for (const step of workingDay({
    seed,
    speed,
    simNow: () => now,
    endOfDay: 17.5 * HOUR_MS,
    officers: ['cb-morning', 'cb-afternoon'],
    scale: 'keypad4',
    ticketPrefix: 'A',
    ratingTimeoutMs: 3_000,
    touch,
    negativeShare,
    day: new Date('2026-12-01T00:00:00Z'),
  })) {
    log.push({ at: now, step });
    if (step.kind === 'wait') now += step.ms * speed;
  }
  return log;
}

describe('a simulated working day', () => {
  it('keeps opening hours: officers sign in and out per session, no citizen at lunch', () => {
    const log = play(7, false);
    const badges = log.filter((e) => e.step.kind === 'badge').map((e) => e.step);
    expect(badges).toEqual([
      { kind: 'badge', officerId: 'cb-morning', intent: 'sign-in' },
      { kind: 'badge', officerId: 'cb-morning', intent: 'sign-out' },
      { kind: 'badge', officerId: 'cb-afternoon', intent: 'sign-in' },
      { kind: 'badge', officerId: 'cb-afternoon', intent: 'sign-out' },
    ]);
    const tickets = log.filter((e) => e.step.kind === 'ticket').map((e) => e.at);
    const inSession = (t: number) => OPENING_SESSIONS.some(([a, b]) => t >= a && t < b);
    expect(tickets.filter((t) => !inSession(t))).toEqual([]);
    expect(tickets.length).toBeGreaterThan(20);
  });

  it('peaks mid-morning and mid-afternoon', () => {
    expect(arrivalsPerHour(9 * HOUR_MS)).toBeGreaterThan(2 * arrivalsPerHour(7.5 * HOUR_MS));
    expect(arrivalsPerHour(14.5 * HOUR_MS)).toBeGreaterThan(2 * arrivalsPerHour(16.9 * HOUR_MS));
  });

  it('gives a negative rating its reasons on a touch screen, and only there', () => {
    const touch = play(3, true, 0.5).map((e) => e.step);
    const keypad = play(3, false, 0.5).map((e) => e.step);
    expect(touch.filter((s) => s.kind === 'press' && s.level === 1).length).toBeGreaterThan(5);
    expect(touch.filter((s) => s.kind === 'reasons').length).toBe(
      touch.filter((s) => s.kind === 'press' && s.level === 1).length,
    );
    expect(keypad.filter((s) => s.kind === 'reasons')).toEqual([]);
  });
});
