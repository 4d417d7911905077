import { CounterSettings } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { nextDeadline, screenOf } from './screen.js';
import { sessionEndsAt } from './session-limit.js';
import { step } from './step.js';
import { badge, ctxAt, DOSSIER, endVisit, press, run, scan, settings, T0, tick } from './test-helpers.js';
import type { CounterEffect, CounterInput, CounterState } from './types.js';
import { initialCounterState, NOTICE_MS, THANKS_MS, THANKS_NEGATIVE_MS } from './types.js';
import { attributedOfficer } from './visit-flow.js';

/**
 * Edges of the counter state machine that mutation testing (npm run mutation) showed untested:
 * exact boundaries of every time limit, what each refusal says, and the small rules that decide
 * which visit a scan belongs to and who answers for a rating.
 */
const HOUR = 3_600_000;
const rejected = (effects: CounterEffect[]) =>
  effects.flatMap((e) => (e.type === 'rejected' ? [`${e.input}: ${e.reason}`] : []));
const beeps = (effects: CounterEffect[]) => effects.flatMap((e) => (e.type === 'beep' ? [e.kind] : []));
const schedule = (effects: CounterEffect[]) => {
  const last = effects.at(-1);
  return last?.type === 'schedule' ? last.at : 'none';
};

describe('sessionEndsAt, at its edges', () => {
  it('ends a session of zero hours one millisecond after it began, never at once', () => {
    expect(sessionEndsAt(T0, { maxHours: 0, endOfDay: null })).toBe(T0 + 1);
  });

  it('moves a sign-in made exactly at the end of the day to the next one', () => {
    const at1730 = Date.UTC(2025, 10, 24, 10, 30); // 17:30 in Hanoi
    expect(sessionEndsAt(at1730, { maxHours: 48, endOfDay: '17:30' })).toBe(at1730 + 24 * HOUR);
    expect(sessionEndsAt(at1730 - 1, { maxHours: 48, endOfDay: '17:30' })).toBe(at1730);
  });

  it('finds the end of the day from the Hanoi date, also for clocks before 1970', () => {
    // 09:00 on 31 Dec 1969 in Hanoi: a board whose clock was never set.
    const at0900 = Date.UTC(1969, 11, 31, 2);
    expect(sessionEndsAt(at0900, { maxHours: 24, endOfDay: '17:30' })).toBe(Date.UTC(1969, 11, 31, 10, 30));
    // 23:30 UTC is 06:30 the next day in Hanoi: the end is that day's 17:30, not the UTC day's.
    const late = Date.UTC(2025, 10, 24, 23, 30);
    expect(sessionEndsAt(late, { maxHours: 24, endOfDay: '17:30' })).toBe(Date.UTC(2025, 10, 25, 10, 30));
  });
});

describe('screen and deadlines, at their edges', () => {
  const state = (over: Partial<CounterState>): CounterState => ({ ...initialCounterState(), ...over });
  const visit = {
    id: 'v',
    startedAt: T0,
    lastActivityAt: T0 + 10,
    ticket: 'A1',
    dossierIds: [DOSSIER],
    officerId: 'cb-a',
    trigger: 'ticket' as const,
  };
  /** The visit a thanks screen thanks for (its comment code's claim). */
  const thanked = { visitId: visit.id, officerId: 'cb-a', dossierIds: [DOSSIER], undo: null };

  it('shows a notice until the moment it expires, over the visit, and the officer when idle', () => {
    const s = state({ visit, notice: { until: T0 + 100, code: 'signed_in', detail: 'cb-a' } });
    expect(screenOf(s, T0 + 99)).toEqual({ kind: 'notice', code: 'signed_in', detail: 'cb-a' });
    expect(screenOf(s, T0 + 100)).toEqual({
      kind: 'visit',
      officerId: 'cb-a',
      ticket: 'A1',
      dossierIds: [DOSSIER],
    });
    expect(screenOf(state({ officer: { id: 'cb-b', since: T0 } }), T0)).toEqual({
      kind: 'idle',
      officerId: 'cb-b',
    });
    expect(screenOf(state({}), T0)).toEqual({ kind: 'idle', officerId: null });
  });

  it('puts the reasons screen above the prompt, and the prompt above thanks', () => {
    const prompt = { visit, endedAt: T0, openedAt: T0, deadline: T0 + 500, cause: 'officer' as const };
    const thanks = { until: T0 + 1_000, level: 4, scale: 'keypad4' as const, negative: false, ...thanked };
    expect(screenOf(state({ prompt, thanks }), T0)).toEqual({
      kind: 'rating',
      officerId: 'cb-a',
      dossierIds: [DOSSIER],
      deadline: T0 + 500,
    });
    const reasons = {
      prompt,
      level: 1,
      scale: 'keypad4' as const,
      source: 'touch' as const,
      pressedAt: T0,
      officerId: 'cb-a',
      deadline: T0 + 700,
    };
    expect(screenOf(state({ prompt, reasons, thanks }), T0)).toEqual({
      kind: 'reasons',
      level: 1,
      deadline: T0 + 700,
    });
    expect(screenOf(state({ thanks }), T0)).toEqual({
      kind: 'thanks',
      level: 4,
      scale: 'keypad4',
      negative: false,
      undoUntil: null,
    });
  });

  it('wakes at the earliest of every pending time, and never without one', () => {
    expect(nextDeadline(state({}), 1_000)).toBeNull();
    expect(nextDeadline(state({}), 1_000, T0 + 5)).toBe(T0 + 5);
    expect(nextDeadline(state({ visit }), 1_000)).toBe(T0 + 10 + 1_000);
    expect(nextDeadline(state({ visit }), 1_000, T0 + 5)).toBe(T0 + 5);
    const notice = { until: T0 + 7, code: 'signed_in' as const, detail: '' };
    const thanks = { until: T0 + 3, level: 4, scale: 'keypad4' as const, negative: false, ...thanked };
    expect(nextDeadline(state({ visit, notice }), 1_000)).toBe(T0 + 7);
    expect(nextDeadline(state({ visit, notice, thanks }), 1_000)).toBe(T0 + 3);
  });
});

describe('presses, at their edges', () => {
  const served = [badge('0001'), scan('A001'), endVisit];

  it('accepts a press exactly the minimum interval after the previous one, and counts ignored ones', () => {
    const gap = settings.minPressIntervalMs;
    const early = run([...served, [T0 + 10_000, press(4)], [T0 + 10_000 + gap - 1, press(4)]]);
    expect(rejected(early.effects)).toEqual([`press: press within ${gap} ms of the previous one`]);
    expect(early.state.ignoredPresses).toBe(1);
    // A press ignored for being too soon does not restart the interval either.
    // (Without an undo window: inside one, that press would change the rating; see undo.test.ts.)
    const onTime = run([...served, [T0 + 10_000, press(1)], [T0 + 10_000 + gap, press(4)]], undefined, {
      settings: { ...settings, undoWindowMs: 0 },
    });
    expect(rejected(onTime.effects)).toEqual(['press: no rating prompt is open']);
  });

  it('names a level that is not on the scale, and counts it as ignored', () => {
    const r = run([...served, press(5)]);
    expect(rejected(r.effects)).toEqual(['press: level 5 is not on keypad4']);
    expect(r.state.ignoredPresses).toBe(1);
    expect(r.state.prompt).not.toBeNull();
  });

  it('beeps once for a recorded rating and measures the response from the prompt, never below 0', () => {
    const before = run(served);
    const r = run([...served, [T0 + 10_000, press(4)]]);
    expect(beeps(r.effects)).toEqual([...beeps(before.effects), 'ok']);
    const rating = r.events.find((e) => e.channel === 'evt/rating');
    // The prompt opened at the end-visit input, 3 s after T0.
    expect(rating?.body).toMatchObject({ level: 4, responseMs: 10_000 - 3_000, reasons: [] });
  });

  it('shows thanks for 6 s after a good rating and 30 s after a bad one, exactly, after the undo window', () => {
    const undo = settings.undoWindowMs;
    const good = run([...served, press(4)]);
    expect(good.state.thanks).toMatchObject({ until: good.now + undo + THANKS_MS, negative: false });
    const bad = run([...served, press(1)]);
    const end = bad.now + undo + THANKS_NEGATIVE_MS;
    expect(bad.state.thanks).toMatchObject({ until: end, negative: true });
    expect(screenOf(bad.state, end - 1).kind).toBe('thanks');
    expect(screenOf(bad.state, end).kind).toBe('idle');
    const none = run([...served, press(4)], undefined, { settings: { ...settings, undoWindowMs: 0 } });
    expect(none.state.thanks).toMatchObject({ until: none.now + THANKS_MS });
  });

  it('asks for reasons only with a touch screen and a reason list', () => {
    const touch = { touch: true };
    expect(run([...served, press(1)], undefined, touch).state.reasons).not.toBeNull();
    const noReasons = { touch: true, settings: CounterSettings.parse({ ...settings, reasons: [] }) };
    expect(run([...served, press(1)], undefined, noReasons).state.reasons).toBeNull();
    expect(run([...served, press(1)]).state.reasons).toBeNull();
    expect(run([...served, press(2)], undefined, touch).state.reasons).toBeNull();
  });

  it('keeps each reason once and refuses unknown ones by name', () => {
    const touch = { touch: true };
    const r = run(
      [...served, press(1), { type: 'reasons', codes: ['slow', 'slow', 'unclear'] }],
      undefined,
      touch,
    );
    expect(r.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({
      reasons: ['slow', 'unclear'],
    });
    const bad = run(
      [...served, press(1), { type: 'reasons', codes: ['slow', 'rude', 'x'] }],
      undefined,
      touch,
    );
    expect(rejected(bad.effects)).toEqual(['reasons: unknown reason code(s) rude, x']);
    expect(beeps(bad.effects).at(-1)).toBe('error');
    expect(bad.state.reasons).not.toBeNull();
  });

  it('records the reasons rating at its deadline, not a moment before', () => {
    const touch = { touch: true };
    const r = run([...served, press(1)], undefined, touch);
    const deadline = r.state.reasons!.deadline;
    const before = step(r.state, tick, ctxAt(deadline - 1, touch));
    expect(before.state.reasons).not.toBeNull();
    expect(schedule(before.effects)).toBe(deadline);
    const at = step(r.state, tick, ctxAt(deadline, touch));
    expect(at.state.reasons).toBeNull();
    expect(at.effects.some((e) => e.type === 'emit' && e.event.channel === 'evt/rating')).toBe(true);
  });
});

describe('visits and scans, at their edges', () => {
  it('closes the prompt at its deadline exactly, and not before', () => {
    const r = run([badge('0001'), scan('A001'), endVisit]);
    const deadline = r.state.prompt!.deadline;
    expect(deadline).toBe(r.now + settings.ratingTimeoutMs);
    expect(step(r.state, tick, ctxAt(deadline - 1)).state.prompt).not.toBeNull();
    const closed = step(r.state, tick, ctxAt(deadline));
    expect(closed.state.prompt).toBeNull();
    expect(closed.effects).toContainEqual(
      expect.objectContaining({
        type: 'emit',
        event: expect.objectContaining({
          body: expect.objectContaining({ phase: 'end', reason: 'rating_timeout', rated: false }),
        }),
      }),
    );
  });

  it('treats a visit as finished after the idle time exactly, and a face keeps it alive', () => {
    const idle = settings.visitIdleTimeoutMs;
    const r = run([scan('A001')]);
    expect(step(r.state, tick, ctxAt(r.now + idle - 1)).state.visit).not.toBeNull();
    expect(step(r.state, tick, ctxAt(r.now + idle)).state.prompt?.cause).toBe('idle');
    const seen = step(r.state, { type: 'face', present: true }, ctxAt(r.now + idle - 1));
    expect(seen.state.visit?.lastActivityAt).toBe(r.now + idle - 1);
    expect(seen.state.visit?.id).toBe(r.state.visit?.id);
    expect(seen.effects.filter((e) => e.type === 'emit')).toEqual([]);
    expect(step(seen.state, tick, ctxAt(r.now + idle)).state.visit).not.toBeNull();
  });

  it('starts no visit for a face while a rating is still open', () => {
    const r = run([scan('A001'), endVisit, { type: 'face', present: true }]);
    expect(r.state.visit).toBeNull();
    expect(r.state.prompt).not.toBeNull();
    const fresh = run([{ type: 'face', present: true }]);
    expect(fresh.state.visit?.trigger).toBe('face');
  });

  it('ignores the same ticket scanned twice, and gives a ticket to a visit that has none', () => {
    const twice = run([scan('A001'), scan('A001')]);
    expect(beeps(twice.effects)).toEqual(['ok']);
    expect(twice.events).toHaveLength(1);
    const byOfficer = run([{ type: 'officer', action: 'start-visit' }, scan('A002')]);
    expect(byOfficer.events.map((e) => e.channel)).toEqual(['evt/visit']);
    expect(byOfficer.state.visit).toMatchObject({ ticket: 'A002', lastActivityAt: byOfficer.now });
    // A visit that already has a dossier gets a new visit for a new ticket.
    const next = run([scan(DOSSIER), scan('A003')]);
    expect(next.events.map((e) => (e.body as { phase?: string }).phase)).toEqual(['start', 'end', 'start']);
  });

  it('attaches a dossier scanned during the prompt to that visit, once, and says so', () => {
    const r = run([scan('A001'), endVisit, scan(DOSSIER), scan(DOSSIER)]);
    expect(r.state.prompt?.visit.dossierIds).toEqual([DOSSIER]);
    expect(r.state.notice).toMatchObject({
      code: 'dossier_attached',
      detail: DOSSIER,
      until: r.now + NOTICE_MS,
    });
    expect(r.state.visit).toBeNull();
  });

  it('keeps at most 20 dossiers on a visit', () => {
    const ids = Array.from({ length: 22 }, (_, i) => `000.00.12.H26-251124-${String(i).padStart(4, '0')}`);
    const r = run([scan('A001'), ...ids.map(scan)]);
    expect(r.state.visit?.dossierIds).toEqual(ids.slice(0, 20));
  });

  it('takes as a ticket only what both the device pattern and the wire contract accept', () => {
    expect(rejected(run([scan('abc')]).effects)).toEqual([
      "scan: 'abc' is neither a queue ticket nor a dossier ID",
    ]);
    // A new ticket while the previous citizen is still rating: that prompt closes as next_visit.
    const r = run([scan('A001'), endVisit, scan('A002')]);
    expect(r.state.visit?.ticket).toBe('A002');
    expect(r.state.prompt).toBeNull();
  });

  it('quotes a refused scan in full up to 40 characters, and cut with an ellipsis beyond', () => {
    const forty = 'x'.repeat(40);
    expect(rejected(run([scan(forty)]).effects)).toEqual([
      `scan: '${forty}' is neither a queue ticket nor a dossier ID`,
    ]);
    const r = run([scan(`${forty}y`)]);
    expect(rejected(r.effects)).toEqual([`scan: '${forty}…' is neither a queue ticket nor a dossier ID`]);
    expect(r.state.notice).toMatchObject({ code: 'scan_rejected', until: r.now + NOTICE_MS });
  });

  it('refuses to end a visit that is not there, and a sign-out without an officer', () => {
    const none = run([endVisit]);
    expect(rejected(none.effects)).toEqual(['officer: no visit is in progress']);
    expect(none.state.notice?.code).toBe('no_visit');
    const out = run([{ type: 'officer', action: 'sign-out' }]);
    expect(rejected(out.effects)).toEqual(['officer: no officer is signed in']);
    expect(out.state.notice).toBeNull();
    const orphanReasons = run([{ type: 'reasons', codes: ['slow'] }]);
    expect(rejected(orphanReasons.effects)).toEqual(['reasons: no negative rating is waiting for reasons']);
  });

  it('never lets the screen claim a rating was recorded when the outbox refused it', () => {
    const r = run([scan('A001'), endVisit, press(4), { type: 'record-failed', reason: 'disk full' }]);
    expect(r.state.thanks).toBeNull();
    expect(r.state.notice).toMatchObject({ code: 'not_recorded', detail: 'disk full' });
    expect(beeps(r.effects).at(-1)).toBe('error');
  });
});

describe('badges, at their edges', () => {
  const empty = { settings: CounterSettings.parse({}) };

  it('takes a well-formed badge as the officer ID only while no roster has arrived', () => {
    expect(run([badge('cb-x')], undefined, empty).state.officer?.id).toBe('cb-x');
    expect(run([badge('not an id!')], undefined, empty).state.officer).toBeNull();
    expect(run([badge('cb-x')]).state.officer).toBeNull();
    // With a roster, an officer's own ID works as a badge too.
    expect(run([badge('cb-b')]).state.officer?.id).toBe('cb-b');
  });

  it('quotes at most 32 characters of an unknown badge', () => {
    const long = 'z'.repeat(40);
    const r = run([badge(long)]);
    expect(rejected(r.effects)).toEqual([`badge: badge '${'z'.repeat(32)}' is not on the officer roster`]);
    expect(r.state.notice?.code).toBe('badge_unknown');
  });

  it('hands a visit nobody was signed in for to the officer who signs in, but not a served one', () => {
    const r = run([scan('A001'), badge('0001')]);
    expect(r.state.visit?.officerId).toBe('cb-a');
    expect(r.state.notice).toMatchObject({ code: 'signed_in', detail: 'cb-a' });
  });

  it('signs the officer out when the session ends, exactly then', () => {
    const over = { sessionEndsAt: (since: number) => since + HOUR };
    const r = run([badge('0001')], undefined, over);
    const end = r.state.officer!.since + HOUR;
    expect(schedule(step(r.state, tick, ctxAt(end - 10, over)).effects)).toBe(end);
    expect(step(r.state, tick, ctxAt(end - 1, over)).state.officer).not.toBeNull();
    const out = step(r.state, tick, ctxAt(end, over));
    expect(out.state.officer).toBeNull();
    expect(out.effects).toContainEqual(
      expect.objectContaining({
        event: {
          channel: 'evt/presence',
          body: expect.objectContaining({ state: 'signed_out', source: 'timeout' }),
        },
      }),
    );
  });

  it('credits an officer who signed in at the very moment the visit ended', () => {
    const visit = {
      id: 'v',
      startedAt: T0,
      lastActivityAt: T0,
      ticket: null,
      dossierIds: [],
      officerId: null,
      trigger: 'face' as const,
    };
    const prompt = { visit, endedAt: T0, openedAt: T0, deadline: T0 + 1, cause: 'face_left' as const };
    const at = (since: number): CounterState => ({ ...initialCounterState({ id: 'cb-a', since }), prompt });
    expect(attributedOfficer(at(T0), prompt)).toBe('cb-a');
    expect(attributedOfficer(at(T0 + 1), prompt)).toBeNull();
  });
});

describe('what the kiosk is told', () => {
  it('shows a screen only when it changed, and always ends with the next wake-up', () => {
    const first = step(initialCounterState(), scan('A001'), ctxAt(T0));
    expect(first.effects.filter((e) => e.type === 'show')).toHaveLength(1);
    const again = step(first.state, tick, ctxAt(T0 + 1));
    expect(again.effects.filter((e) => e.type === 'show')).toEqual([]);
    expect(again.effects.at(-1)).toEqual({ type: 'schedule', at: T0 + settings.visitIdleTimeoutMs });
  });

  it('ends thanks and notices exactly when they expire', () => {
    const inputs: CounterInput[] = [badge('0001')];
    const r = run(inputs);
    const until = r.state.notice!.until;
    expect(step(r.state, tick, ctxAt(until - 1)).state.notice).not.toBeNull();
    expect(step(r.state, tick, ctxAt(until)).state.notice).toBeNull();
  });
});

describe('more edges the mutants found', () => {
  const touch = { touch: true };
  const visitEnds = (r: { events: Array<{ channel: string; body: unknown }> }) =>
    r.events.flatMap((e) => {
      const b = e.body as { phase?: string; reason?: string; rated?: boolean };
      return e.channel === 'evt/visit' && b.phase === 'end' ? [`${b.reason}:${b.rated}`] : [];
    });

  it('starts each step with no effects but its own', () => {
    expect(step(initialCounterState(), tick, ctxAt(T0)).effects).toEqual([{ type: 'schedule', at: null }]);
  });

  it('reads scanned and badged text without the spaces around it', () => {
    expect(run([scan(' A001 ')]).state.visit?.ticket).toBe('A001');
    const r = run([badge(' 0001 ')]);
    expect(r.state.officer?.id).toBe('cb-a');
    expect(beeps(r.effects)).toEqual(['ok']);
  });

  it('ignores a second press while a bad rating waits for its reasons', () => {
    const gap = settings.minPressIntervalMs;
    const r = run(
      [badge('0001'), scan('A001'), endVisit, [T0 + 10_000, press(1)], [T0 + 10_000 + gap, press(4)]],
      undefined,
      touch,
    );
    expect(rejected(r.effects)).toEqual(['press: waiting for reasons, not a new rating']);
    expect(r.state.reasons?.level).toBe(1);
  });

  it('does nothing when a face leaves and no visit is open', () => {
    const r = run([{ type: 'face', present: false }]);
    expect(r.state.prompt).toBeNull();
    expect(r.events).toEqual([]);
  });

  it('says why a visit ended: the officer ended it, or the next citizen came', () => {
    expect(run([scan('A001'), endVisit]).state.prompt?.cause).toBe('officer');
    expect(visitEnds(run([scan('A001'), endVisit, { type: 'officer', action: 'start-visit' }]))).toEqual([
      'next_visit:false',
    ]);
    expect(visitEnds(run([scan(DOSSIER), scan('A003')]))).toEqual(['next_visit:false']);
    expect(visitEnds(run([scan('A001'), endVisit, press(4)]))).toEqual(['rated:true']);
  });

  it('records a bad rating without reasons when its officer signs out, and attaches dossiers quietly during a visit', () => {
    const r = run([badge('0001'), scan('A001'), endVisit, press(1), badge('0001')], undefined, touch);
    expect(r.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({ level: 1, reasons: [] });
    const during = run([scan('A001'), scan(DOSSIER)]);
    expect(during.state.visit?.dossierIds).toEqual([DOSSIER]);
    expect(during.state.notice).toBeNull();
    expect(beeps(during.effects)).toEqual(['ok', 'ok']);
  });

  it('closes a served visit when another officer badges in', () => {
    const r = run([badge('0001'), scan('A001'), badge('0002')]);
    expect(r.state.officer?.id).toBe('cb-b');
    expect(r.state.visit).toBeNull();
    expect(visitEnds(r)).toEqual(['signed_out:false']);
  });

  it('drops thanks from the state when they expire', () => {
    const r = run([scan('A001'), endVisit, press(4)]);
    const until = r.state.thanks!.until;
    expect(step(r.state, tick, ctxAt(until - 1)).state.thanks).not.toBeNull();
    expect(step(r.state, tick, ctxAt(until)).state.thanks).toBeNull();
  });

  it('credits the officer signed in only for a visit nobody else served', () => {
    const visit = (officerId: string | null) => ({
      id: 'v',
      startedAt: T0,
      lastActivityAt: T0,
      ticket: null,
      dossierIds: [],
      officerId,
      trigger: 'face' as const,
    });
    const prompt = (officerId: string | null) => ({
      visit: visit(officerId),
      endedAt: T0,
      openedAt: T0,
      deadline: T0 + 1,
      cause: 'face_left' as const,
    });
    const b = initialCounterState({ id: 'cb-b', since: T0 - 1 });
    expect(attributedOfficer(b, prompt(null))).toBe('cb-b');
    expect(attributedOfficer(b, prompt('cb-b'))).toBe('cb-b');
    expect(attributedOfficer(b, prompt('cb-a'))).toBeNull();
    expect(attributedOfficer(initialCounterState(), prompt(null))).toBeNull();
  });
});
