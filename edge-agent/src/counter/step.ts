import { DossierId, isValidLevel, OfficerId, officialLevel, QueueTicket } from '@onestop/protocol';
import { nextDeadline, screenOf } from './screen.js';
import type { CounterContext, CounterInput, CounterState, NoticeCode, StepResult } from './types.js';
import { NOTICE_MS, REASONS_TIMEOUT_MS } from './types.js';
import { changeRating, settleUndo, undoOpen } from './undo.js';
import {
  attributedOfficer,
  closeVisitUnrated,
  type Draft,
  openPrompt,
  recordRating,
  settleOutstanding,
  settleReasons,
  startVisit,
} from './visit-flow.js';

/**
 * The counter's behaviour as a pure function: no I/O, no clock, no randomness except the injected
 * `newId`. The agent performs the effects (outbox append, kiosk, beeper, timer); tests can walk
 * every state × input without a device.
 */
export function step(state: CounterState, input: CounterInput, ctx: CounterContext): StepResult {
  const d: Draft = { s: structuredClone(state), fx: [], ctx };
  const before = screenOf(state, ctx.now);
  // Deadlines that passed first (a late timer, a stalled loop): a press after the prompt timed
  // out must not count as that visit's rating.
  onTick(d);
  if (input.type !== 'tick') handle(d, input);
  expire(d);
  settleUndo(d, state);
  const after = screenOf(d.s, ctx.now);
  if (JSON.stringify(before) !== JSON.stringify(after)) d.fx.push({ type: 'show', screen: after });
  d.fx.push({
    type: 'schedule',
    at: nextDeadline(d.s, ctx.settings.visitIdleTimeoutMs, sessionEnd(d.s, ctx)),
  });
  return { state: d.s, effects: d.fx };
}

/** When the signed-in officer's session ends on its own, if it does. */
function sessionEnd(s: CounterState, ctx: CounterContext): number | null {
  return s.officer ? ctx.sessionEndsAt(s.officer.since) : null;
}

function reject(d: Draft, input: CounterInput['type'], reason: string, notice?: NoticeCode): void {
  d.fx.push({ type: 'rejected', input, reason }, { type: 'beep', kind: 'error' });
  if (notice) d.s.notice = { until: d.ctx.now + NOTICE_MS, code: notice, detail: reason };
}

function ignorePress(d: Draft, reason: string): void {
  d.s.ignoredPresses++;
  d.fx.push({ type: 'rejected', input: 'press', reason });
}

function notice(d: Draft, code: NoticeCode, detail: string): void {
  d.s.notice = { until: d.ctx.now + NOTICE_MS, code, detail };
}

function handle(d: Draft, input: CounterInput): void {
  const { now, settings } = d.ctx;
  switch (input.type) {
    case 'badge': {
      onBadge(d, input.id);
      return;
    }
    case 'scan': {
      onScan(d, input.text.trim());
      return;
    }
    case 'press': {
      const undo = d.s.thanks?.undo;
      const changing = !d.s.reasons && !d.s.prompt && undo != null && undoOpen(undo, now);
      // The guard is against a double press (a bounce, a finger held): in the undo window only a
      // repeat of the level shown is one. Another level right after is a slip corrected at once.
      const repeat = !changing || (d.s.thanks!.level === input.level && d.s.thanks!.scale === input.scale);
      if (repeat && d.s.lastPressAt !== null && now - d.s.lastPressAt < settings.minPressIntervalMs) {
        ignorePress(d, `press within ${settings.minPressIntervalMs} ms of the previous one`);
        return;
      }
      d.s.lastPressAt = now;
      if (d.s.reasons) {
        ignorePress(d, 'waiting for reasons, not a new rating');
        return;
      }
      if (changing) {
        changeRating(d, input);
        return;
      }
      if (!d.s.prompt) {
        ignorePress(d, 'no rating prompt is open');
        return;
      }
      if (!isValidLevel(input.scale, input.level)) {
        ignorePress(d, `level ${input.level} is not on ${input.scale}`);
        return;
      }
      const pending = {
        prompt: d.s.prompt,
        level: input.level,
        scale: input.scale,
        source: input.source,
        pressedAt: now,
        officerId: attributedOfficer(d.s, d.s.prompt),
      };
      const negative = officialLevel(input.scale, input.level) === 'unsatisfied';
      if (negative && d.ctx.touch && settings.reasons.length > 0) {
        d.s.reasons = { ...pending, deadline: now + REASONS_TIMEOUT_MS };
        return;
      }
      d.fx.push({ type: 'beep', kind: 'ok' });
      recordRating(d, { ...pending, deadline: now }, []);
      return;
    }
    case 'reasons': {
      if (!d.s.reasons) {
        reject(d, 'reasons', 'no negative rating is waiting for reasons');
        return;
      }
      const known = new Set(settings.reasons.map((r) => r.code));
      const unknown = input.codes.filter((c) => !known.has(c));
      if (unknown.length > 0) {
        reject(d, 'reasons', `unknown reason code(s) ${unknown.join(', ')}`);
        return;
      }
      recordRating(d, d.s.reasons, [...new Set(input.codes)].slice(0, 8));
      return;
    }
    case 'face':
      if (input.present) {
        if (d.s.visit) d.s.visit.lastActivityAt = now;
        else if (!d.s.prompt && !d.s.reasons) startVisit(d, 'face', null);
        return;
      }
      if (d.s.visit) openPrompt(d, 'face_left');
      return;
    case 'officer':
      if (input.action === 'start-visit') {
        settleOutstanding(d, 'next_visit');
        closeVisitUnrated(d, 'next_visit');
        startVisit(d, 'officer', null);
        return;
      }
      if (input.action === 'end-visit') {
        if (!d.s.visit) {
          reject(d, 'officer', 'no visit is in progress', 'no_visit');
          return;
        }
        openPrompt(d, 'officer');
        return;
      }
      if (!d.s.officer) {
        reject(d, 'officer', 'no officer is signed in');
        return;
      }
      {
        signOut(d, 'kiosk');
        return;
      }
    case 'record-failed':
      // The outbox refused (full disk, capacity): never let the screen claim the rating was recorded.
      d.s.thanks = null;
      notice(d, 'not_recorded', input.reason);
      d.fx.push({ type: 'beep', kind: 'error' });
      return;
    case 'change-refused':
      // The held rating had already been let go: it stands as first recorded, so say so.
      d.s.thanks = null;
      notice(d, 'not_changed', input.reason);
      d.fx.push({ type: 'beep', kind: 'error' });
      return;
    case 'shutdown':
      // A negative rating waiting for reasons is recorded (the press counts); an open prompt
      // and a visit in progress end unrated, saying why. The officer's session is not touched:
      // it is persisted and goes on after the restart.
      settleOutstanding(d, 'shutdown');
      closeVisitUnrated(d, 'shutdown');
      // A stop ends any undo window: the rating is final and leaves with the rest.
      if (d.s.thanks) d.s.thanks.undo = null;
      return;
    case 'tick':
      return; // deadlines were handled before the switch
  }
}

function onTick(d: Draft): void {
  const { now, settings } = d.ctx;
  if (d.s.reasons && now >= d.s.reasons.deadline) recordRating(d, d.s.reasons, []);
  if (d.s.prompt && now >= d.s.prompt.deadline) settleOutstanding(d, 'rating_timeout');
  // A forgotten sign-out (end of the day, a long session): the officer stops answering for the
  // counter. Before the idle check, so that a visit still open then closes as `signed_out`.
  const ends = sessionEnd(d.s, d.ctx);
  if (ends !== null && now >= ends) signOut(d, 'timeout');
  // A visit nobody touched for this long: treat it as finished and give the citizen a last chance.
  if (d.s.visit && now >= d.s.visit.lastActivityAt + settings.visitIdleTimeoutMs) openPrompt(d, 'idle');
}

function expire(d: Draft): void {
  if (d.s.thanks && d.ctx.now >= d.s.thanks.until) d.s.thanks = null;
  if (d.s.notice && d.ctx.now >= d.s.notice.until) d.s.notice = null;
}

function resolveBadge(d: Draft, badge: string): string | null {
  const officers = d.ctx.settings.officers;
  for (const [id, o] of Object.entries(officers)) if (o.badge === badge) return id;
  if (Object.hasOwn(officers, badge)) return badge;
  // Before the centre has sent a roster, a well-formed badge ID is the officer ID itself.
  if (Object.keys(officers).length === 0 && OfficerId.safeParse(badge).success) return badge;
  return null;
}

function signOut(d: Draft, source: 'badge' | 'kiosk' | 'timeout'): void {
  const officer = d.s.officer;
  if (!officer) return;
  // The citizen pressed while this officer was signed in: record that rating before the session
  // ends. An open prompt stays open: a press after this is kept, but credited to nobody.
  settleReasons(d);
  closeVisitUnrated(d, 'signed_out');
  d.fx.push({
    type: 'emit',
    event: {
      channel: 'evt/presence',
      body: { kind: 'session', state: 'signed_out', officerId: officer.id, source },
    },
  });
  d.s.officer = null;
  notice(d, 'signed_out', officer.id);
}

function onBadge(d: Draft, badge: string): void {
  const officerId = resolveBadge(d, badge.trim());
  if (officerId === null) {
    reject(d, 'badge', `badge '${badge.slice(0, 32)}' is not on the officer roster`, 'badge_unknown');
    return;
  }
  const same = d.s.officer?.id === officerId;
  signOut(d, 'badge');
  d.fx.push({ type: 'beep', kind: 'ok' });
  if (same) return; // the same badge again toggles the session off
  d.s.officer = { id: officerId, since: d.ctx.now };
  // A visit nobody was signed in for is now served by this officer (its end event says so).
  if (d.s.visit && d.s.visit.officerId === null) d.s.visit.officerId = officerId;
  d.fx.push({
    type: 'emit',
    event: {
      channel: 'evt/presence',
      body: { kind: 'session', state: 'signed_in', officerId, source: 'badge' },
    },
  });
  notice(d, 'signed_in', officerId);
}

function onScan(d: Draft, text: string): void {
  const { patterns, now } = d.ctx;
  if (patterns.ticket.test(text) && QueueTicket.safeParse(text).success) {
    if (d.s.visit?.ticket === text) return; // the same ticket scanned twice
    d.fx.push({ type: 'beep', kind: 'ok' });
    if (d.s.visit && d.s.visit.ticket === null && d.s.visit.dossierIds.length === 0) {
      d.s.visit.ticket = text;
      d.s.visit.lastActivityAt = now;
      return;
    }
    settleOutstanding(d, 'next_visit');
    closeVisitUnrated(d, 'next_visit');
    startVisit(d, 'ticket', text);
    return;
  }
  if (patterns.dossierId.test(text) && DossierId.safeParse(text).success) {
    d.fx.push({ type: 'beep', kind: 'ok' });
    // After the visit ended the officer often scans the receipt while handing it back.
    const target = d.s.visit ?? d.s.reasons?.prompt.visit ?? d.s.prompt?.visit ?? null;
    if (!target) {
      startVisit(d, 'dossier', null, [text]);
      return;
    }
    if (!target.dossierIds.includes(text) && target.dossierIds.length < 20) target.dossierIds.push(text);
    target.lastActivityAt = now;
    if (!d.s.visit) notice(d, 'dossier_attached', text);
    return;
  }
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  reject(d, 'scan', `'${shown}' is neither a queue ticket nor a dossier ID`, 'scan_rejected');
}
