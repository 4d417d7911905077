import { describe, expect, it } from 'vitest';
import { sessionEndsAt } from './session-limit.js';
import { step } from './step.js';
import { badge, ctxAt, endVisit, press, run, scan, T0, tick, validateEvent } from './test-helpers.js';
import type { CounterEvent, CounterInput } from './types.js';
import { NOTICE_MS } from './types.js';

const HOUR = 3_600_000;
const signOutKiosk: CounterInput = { type: 'officer', action: 'sign-out' };

const summary = (events: CounterEvent[]) =>
  events.map((e) => {
    const b = e.body as Record<string, unknown>;
    const who = 'officerId' in b ? `@${String(b.officerId)}` : '';
    return `${e.channel.slice(4)}:${b.phase ?? b.state ?? b.level}${b.reason ? `/${b.reason}` : ''}${who}`;
  });

describe('a negative rating waiting for reasons when the officer signs out', () => {
  // cb-a serves, the citizen presses 1 and is choosing reasons on the touch screen.
  const pending: CounterInput[] = [badge('0001'), scan('A001'), endVisit, press(1)];

  it.each([
    ['the same badge (toggle)', badge('0001')],
    ['another badge', badge('0002')],
    ['the kiosk button', signOutKiosk],
  ])('is recorded for the officer before the sign-out, by %s', (_name, out) => {
    const r = run([...pending, out], undefined, { touch: true });
    expect(summary(r.events).slice(2, 5)).toEqual([
      'rating:1@cb-a',
      'visit:end/rated@cb-a',
      'presence:signed_out@cb-a',
    ]);
    expect(r.state.reasons).toBeNull();
    // The reasons arriving afterwards are refused: that rating is already on record.
    const late = step(r.state, { type: 'reasons', codes: ['slow'] }, ctxAt(r.now + 1_000, { touch: true }));
    expect(late.effects).toContainEqual(expect.objectContaining({ type: 'rejected', input: 'reasons' }));
  });

  it('is recorded before an automatic (timeout) sign-out too', () => {
    const over = { touch: true, sessionEndsAt: (since: number) => since + 10_000 };
    const r = run([...pending, [T0 + 11_000, tick]], undefined, over);
    expect(summary(r.events).slice(2)).toEqual([
      'rating:1@cb-a',
      'visit:end/rated@cb-a',
      'presence:signed_out@cb-a',
    ]);
  });
});

describe('the attribution rule', () => {
  it('keeps a prompt open after the sign-out, but credits a later press to nobody', () => {
    const r = run([badge('0001'), scan('A001'), endVisit, signOutKiosk, press(2)]);
    expect(summary(r.events)).toEqual([
      'presence:signed_in@cb-a',
      'visit:start@cb-a',
      'presence:signed_out@cb-a',
      'rating:2@null',
      'visit:end/rated@cb-a',
    ]);
  });

  it('credits an officer who signed in during a visit nobody was signed in for', () => {
    const r = run([scan('A001'), badge('0002'), endVisit, press(4)]);
    expect(summary(r.events)).toEqual([
      'visit:start@null',
      'presence:signed_in@cb-b',
      'rating:4@cb-b',
      'visit:end/rated@cb-b',
    ]);
  });

  it('does not credit an officer who signed in only after the visit ended', () => {
    const r = run([scan('A001'), endVisit, badge('0002'), press(4)]);
    expect(summary(r.events)).toContain('rating:4@null');
  });

  it('does not credit the officer restored after a restart for a prompt ended before sign-in', () => {
    const prompt = run([scan('A001'), endVisit]).state;
    const restored = { ...prompt, officer: { id: 'cb-a', since: T0 + 5_000 } };
    const r = run([press(3)], restored);
    expect(summary(r.events)).toContain('rating:3@null');
  });
});

describe('automatic sign-out', () => {
  const limits = { sessionEndsAt: (since: number) => since + 8 * HOUR };

  it('signs the officer out with source "timeout" at the session end, closing the open visit', () => {
    const r = run([badge('0001'), scan('A001'), [T0 + 1_000 + 8 * HOUR, tick]], undefined, limits);
    expect(summary(r.events).slice(2)).toEqual(['visit:end/signed_out@cb-a', 'presence:signed_out@cb-a']);
    const out = r.events.at(-1)!;
    expect(out.body).toMatchObject({ kind: 'session', state: 'signed_out', source: 'timeout' });
    expect(validateEvent(out)).toBe('ok');
    expect(r.state.officer).toBeNull();
    expect(r.state.notice?.code).toBe('signed_out');
  });

  it('asks to be woken at the session end', () => {
    const r = step(run([]).state, badge('0001'), ctxAt(T0, limits));
    expect(r.effects.at(-1)).toEqual({ type: 'schedule', at: T0 + NOTICE_MS });
    const later = step(r.state, tick, ctxAt(T0 + 60_000, limits));
    expect(later.effects.at(-1)).toEqual({ type: 'schedule', at: T0 + 8 * HOUR });
  });

  it('signs out first when the wake-up came late, so a press then is credited to nobody', () => {
    const r = run([badge('0001'), scan('A001'), endVisit, [T0 + 9 * HOUR, press(4)]], undefined, limits);
    // The prompt had long timed out too: the press counts for no visit and no officer.
    expect(r.events.filter((e) => e.channel === 'evt/rating')).toEqual([]);
    expect(summary(r.events).slice(-2)).toEqual([
      'visit:end/rating_timeout@cb-a',
      'presence:signed_out@cb-a',
    ]);
  });

  it('leaves a session alone when sessions do not expire', () => {
    const r = run([badge('0001'), [T0 + 1_000 * HOUR, tick]]);
    expect(r.state.officer?.id).toBe('cb-a');
  });
});

describe('shutdown', () => {
  it('closes an open visit unrated and leaves the officer signed in', () => {
    const r = run([badge('0001'), scan('A001'), { type: 'shutdown' }]);
    expect(summary(r.events).slice(-1)).toEqual(['visit:end/shutdown@cb-a']);
    expect(r.state.visit).toBeNull();
    expect(r.state.officer?.id).toBe('cb-a');
  });

  it('records a rating waiting for reasons, and closes an open prompt', () => {
    const reasons = run([badge('0001'), scan('A001'), endVisit, press(1), { type: 'shutdown' }], undefined, {
      touch: true,
    });
    expect(summary(reasons.events).slice(-2)).toEqual(['rating:1@cb-a', 'visit:end/rated@cb-a']);
    const prompt = run([badge('0001'), scan('A001'), endVisit, { type: 'shutdown' }]);
    expect(summary(prompt.events).slice(-1)).toEqual(['visit:end/shutdown@cb-a']);
    expect(prompt.state.prompt).toBeNull();
  });
});

describe('sessionEndsAt', () => {
  // 2025-11-24 08:00 in Vietnam (UTC+7) is 01:00 UTC.
  const at8 = Date.UTC(2025, 10, 24, 1, 0);

  it('ends a session after maxHours when that comes before the end of the day', () => {
    expect(sessionEndsAt(at8, { maxHours: 10, endOfDay: '23:00' })).toBe(at8 + 10 * HOUR);
    expect(sessionEndsAt(at8, { maxHours: 10, endOfDay: null })).toBe(at8 + 10 * HOUR);
  });

  it('ends it at the end of the day (Vietnam time) when that comes first', () => {
    expect(sessionEndsAt(at8, { maxHours: 24, endOfDay: '17:30' })).toBe(Date.UTC(2025, 10, 24, 10, 30));
  });

  it('ends a session begun after the end of the day at the next one, never at once', () => {
    const at2330 = Date.UTC(2025, 10, 24, 16, 30); // 23:30 in Vietnam
    expect(sessionEndsAt(at2330, { maxHours: 24, endOfDay: '23:00' })).toBe(Date.UTC(2025, 10, 25, 16, 0));
    expect(sessionEndsAt(at2330, { maxHours: 2, endOfDay: '23:00' })).toBe(at2330 + 2 * HOUR);
  });
});
