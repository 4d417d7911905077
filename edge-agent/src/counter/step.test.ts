import { describe, expect, it } from 'vitest';
import { screenOf } from './screen.js';
import { step } from './step.js';
import { badge, ctxAt, DOSSIER, endVisit, press, run, scan, settings, T0, tick } from './test-helpers.js';
import type { CounterInput } from './types.js';
import { REASONS_TIMEOUT_MS, THANKS_MS, THANKS_NEGATIVE_MS } from './types.js';

const summary = (events: ReturnType<typeof run>['events']) =>
  events.map((e) => {
    const b = e.body as Record<string, unknown>;
    return `${e.channel.slice(4)}:${b.phase ?? b.state ?? b.level}${b.reason ? `/${b.reason}` : ''}`;
  });

describe('officer sessions', () => {
  it('signs in by badge, toggles off with the same badge, and another badge replaces', () => {
    const r = run([badge('0001'), badge('0001'), badge('0002'), badge('0001')]);
    expect(summary(r.events)).toEqual([
      'presence:signed_in',
      'presence:signed_out',
      'presence:signed_in',
      'presence:signed_out',
      'presence:signed_in',
    ]);
    expect(r.events.map((e) => (e.body as { officerId: string }).officerId)).toEqual([
      'cb-a',
      'cb-a',
      'cb-b',
      'cb-b',
      'cb-a',
    ]);
    expect(r.state.officer?.id).toBe('cb-a');
  });

  it('refuses a badge that is not on the roster, with a reason and an error beep', () => {
    const r = run([badge('9999')]);
    expect(r.events).toEqual([]);
    expect(r.effects).toContainEqual({
      type: 'rejected',
      input: 'badge',
      reason: "badge '9999' is not on the officer roster",
    });
    expect(r.effects).toContainEqual({ type: 'beep', kind: 'error' });
    expect(r.state.notice?.code).toBe('badge_unknown');
  });

  it('accepts a well-formed badge as the officer ID while no roster is known', () => {
    const r = run([badge('cb-new')], undefined, { settings: { ...settings, officers: {} } });
    expect(r.state.officer?.id).toBe('cb-new');
  });

  it('ends the open visit unrated when the officer signs out', () => {
    const r = run([badge('0001'), scan('A001'), badge('0001')]);
    expect(summary(r.events)).toEqual([
      'presence:signed_in',
      'visit:start',
      'visit:end/signed_out',
      'presence:signed_out',
    ]);
  });
});

describe('visits and dossiers', () => {
  it('starts a visit by ticket, attaches dossiers, and opens the rating prompt when the officer ends it', () => {
    const r = run([badge('0001'), scan('A015'), scan(DOSSIER), scan(DOSSIER), endVisit]);
    expect(summary(r.events)).toEqual(['presence:signed_in', 'visit:start']);
    expect(r.state.prompt?.visit).toMatchObject({
      ticket: 'A015',
      dossierIds: [DOSSIER],
      officerId: 'cb-a',
      trigger: 'ticket',
    });
    expect(screenOf(r.state, r.now)).toMatchObject({
      kind: 'rating',
      officerId: 'cb-a',
      dossierIds: [DOSSIER],
    });
  });

  it('starts visits from a dossier, a face or the officer', () => {
    expect(run([scan(DOSSIER)]).state.visit).toMatchObject({ trigger: 'dossier', dossierIds: [DOSSIER] });
    expect(run([{ type: 'face', present: true }]).state.visit?.trigger).toBe('face');
    expect(run([{ type: 'officer', action: 'start-visit' }]).state.visit?.trigger).toBe('officer');
  });

  it('gives a ticket to a visit started by a face, instead of starting another', () => {
    const r = run([{ type: 'face', present: true }, scan('A002')]);
    expect(summary(r.events)).toEqual(['visit:start']);
    expect(r.state.visit).toMatchObject({ trigger: 'face', ticket: 'A002' });
  });

  it('ends the previous visit as next_visit when a new ticket comes, and ignores the same ticket twice', () => {
    const r = run([scan('A001'), scan('A001'), scan('A002')]);
    expect(summary(r.events)).toEqual(['visit:start', 'visit:end/next_visit', 'visit:start']);
  });

  it('rejects garbage scans with a reason and a kiosk notice', () => {
    for (const text of ['HTTP://ZALO.ME/X', 'DROP TABLE', '', '000.00.12.H26-251124-01']) {
      const r = run([scan(text)]);
      expect(r.events).toEqual([]);
      expect(r.effects).toContainEqual(
        expect.objectContaining({
          type: 'rejected',
          input: 'scan',
          reason: expect.stringMatching(/neither a queue ticket nor a dossier ID/),
        }),
      );
      expect(r.state.notice?.code).toBe('scan_rejected');
    }
  });

  it('attaches a receipt scanned while the rating prompt is open to that visit', () => {
    const r = run([badge('0001'), scan('A001'), endVisit, scan(DOSSIER), press(4)]);
    expect(r.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({ dossierIds: [DOSSIER] });
  });

  it('opens the prompt when the citizen leaves or the visit idles out', () => {
    expect(run([scan('A001'), { type: 'face', present: false }]).state.prompt?.cause).toBe('face_left');
    const idle = run([scan('A001'), [T0 + 1_000 + settings.visitIdleTimeoutMs, tick]]);
    expect(idle.state.prompt?.cause).toBe('idle');
  });

  it('refuses end-visit without a visit', () => {
    expect(run([endVisit]).effects).toContainEqual({
      type: 'rejected',
      input: 'officer',
      reason: 'no visit is in progress',
    });
  });
});

describe('ratings', () => {
  const served: CounterInput[] = [badge('0001'), scan('A015'), scan(DOSSIER), endVisit];

  it('records a press in the prompt, ends the visit as rated and thanks the citizen', () => {
    const r = run([...served, press(3)]);
    expect(summary(r.events)).toEqual(['presence:signed_in', 'visit:start', 'rating:3', 'visit:end/rated']);
    expect(r.events[2]?.body).toMatchObject({
      officerId: 'cb-a',
      ticket: 'A015',
      dossierIds: [DOSSIER],
      scale: 'keypad4',
      responseMs: 1_000,
      reasons: [],
    });
    expect(screenOf(r.state, r.now)).toMatchObject({ kind: 'thanks', level: 3, negative: false });
    expect(screenOf(r.state, r.now + settings.undoWindowMs + THANKS_MS)).toMatchObject({ kind: 'idle' });
  });

  it('ends the visit unrated after the rating timeout (expression only)', () => {
    const r = run([...served, [T0 + 4_000 + settings.ratingTimeoutMs, tick]]);
    expect(summary(r.events).slice(-1)).toEqual(['visit:end/rating_timeout']);
    expect(r.events.at(-1)?.body).toMatchObject({ rated: false });
    expect(r.state.prompt).toBeNull();
  });

  it('ignores presses outside a prompt and counts them', () => {
    const r = run([press(4), scan('A001'), press(4)]);
    expect(r.events.filter((e) => e.channel === 'evt/rating')).toEqual([]);
    expect(r.state.ignoredPresses).toBe(2);
  });

  it('collapses a double press into one rating', () => {
    // (Another level this quickly is a correction in the undo window: see undo.test.ts.)
    const r = run([...served, [T0 + 5_000, press(4)], [T0 + 5_200, press(4)]]);
    expect(
      r.events.filter((e) => e.channel === 'evt/rating').map((e) => (e.body as { level: number }).level),
    ).toEqual([4]);
    expect(r.state.ignoredPresses).toBe(1);
    expect(r.effects).toContainEqual({
      type: 'rejected',
      input: 'press',
      reason: 'press within 1500 ms of the previous one',
    });
  });

  it('refuses a level that is not on the scale', () => {
    const r = run([...served, { type: 'press', level: 5, scale: 'keypad4', source: 'keypad' }]);
    expect(r.events.filter((e) => e.channel === 'evt/rating')).toEqual([]);
    expect(r.state.prompt).not.toBeNull();
  });

  it('attributes the rating to the officer only while that officer is signed in', () => {
    const signedOut = run([badge('0001'), scan('A001'), endVisit, badge('0001'), press(1)]);
    expect(signedOut.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({ officerId: null });
    const replaced = run([badge('0001'), scan('A001'), endVisit, badge('0002'), press(4)]);
    expect(replaced.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({ officerId: null });
    const nobody = run([scan('A001'), endVisit, press(4)]);
    expect(nobody.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({ officerId: null });
  });

  it('asks for reasons after a negative rating on a touch screen, then shows the comment QR', () => {
    const r = run(
      [...served, press(1), { type: 'reasons', codes: ['slow', 'slow', 'attitude'] }],
      undefined,
      { touch: true },
    );
    const rating = r.events.find((e) => e.channel === 'evt/rating');
    expect(rating?.body).toMatchObject({ level: 1, reasons: ['slow', 'attitude'] });
    expect(screenOf(r.state, r.now)).toMatchObject({ kind: 'thanks', negative: true });
    expect(screenOf(r.state, r.now + THANKS_NEGATIVE_MS - 1).kind).toBe('thanks');
    const next = step(r.state, scan('A016'), ctxAt(r.now + 3_000));
    expect(screenOf(next.state, r.now + 3_000)).toMatchObject({ kind: 'visit', ticket: 'A016' });
  });

  it('records a negative rating without reasons when none are chosen in time', () => {
    const r = run([...served, [T0 + 5_000, press(1)], [T0 + 5_000 + REASONS_TIMEOUT_MS, tick]], undefined, {
      touch: true,
    });
    expect(r.events.find((e) => e.channel === 'evt/rating')?.body).toMatchObject({
      level: 1,
      reasons: [],
      responseMs: 1_000,
    });
  });

  it('refuses unknown reason codes and reasons without a negative rating', () => {
    const r = run([...served, press(1), { type: 'reasons', codes: ['bribe'] }], undefined, { touch: true });
    expect(r.effects).toContainEqual({
      type: 'rejected',
      input: 'reasons',
      reason: 'unknown reason code(s) bribe',
    });
    expect(r.state.reasons).not.toBeNull();
    expect(run([{ type: 'reasons', codes: ['slow'] }]).effects).toContainEqual(
      expect.objectContaining({ type: 'rejected', input: 'reasons' }),
    );
  });

  it('never shows "recorded" after the outbox refused the event', () => {
    const r = run([...served, press(4), { type: 'record-failed', reason: 'outbox full' }]);
    expect(screenOf(r.state, r.now)).toEqual({ kind: 'notice', code: 'not_recorded', detail: 'outbox full' });
  });
});

describe('effects', () => {
  it('always ends with the next wake-up time, and announces screen changes', () => {
    const r = step(run([scan('A001')]).state, endVisit, ctxAt(T0 + 5_000));
    expect(r.effects.at(-1)).toEqual({ type: 'schedule', at: T0 + 5_000 + settings.ratingTimeoutMs });
    expect(r.effects).toContainEqual({ type: 'show', screen: expect.objectContaining({ kind: 'rating' }) });
  });

  it('does not mutate the state it was given', () => {
    const before = run([badge('0001'), scan('A001')]).state;
    const copy = structuredClone(before);
    step(before, endVisit, ctxAt(T0 + 9_000));
    expect(before).toEqual(copy);
  });
});
