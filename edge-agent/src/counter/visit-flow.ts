import { officialLevel } from '@onestop/protocol';
import type {
  CounterContext,
  CounterEffect,
  CounterState,
  PendingReasons,
  Prompt,
  Visit,
  VisitTrigger,
} from './types.js';
import { THANKS_MS, THANKS_NEGATIVE_MS } from './types.js';
import { holdFor } from './undo.js';

/** Mutable working copy for one step; step() hands out a fresh one each time. */
export interface Draft {
  s: CounterState;
  fx: CounterEffect[];
  ctx: CounterContext;
}

export function startVisit(
  d: Draft,
  trigger: VisitTrigger,
  ticket: string | null,
  dossierIds: string[] = [],
): Visit {
  const { now } = d.ctx;
  const visit: Visit = {
    id: d.ctx.newId(),
    startedAt: now,
    lastActivityAt: now,
    ticket,
    dossierIds,
    officerId: d.s.officer?.id ?? null,
    trigger,
  };
  d.s.visit = visit;
  d.s.thanks = null; // the next citizen is at the counter: the previous one's QR code goes away
  d.fx.push({
    type: 'emit',
    event: {
      channel: 'evt/visit',
      body: {
        phase: 'start',
        visitId: visit.id,
        officerId: visit.officerId,
        ticket,
        trigger,
        startedAt: now,
      },
    },
  });
  return visit;
}

type EndReason =
  | 'rated'
  | 'rating_timeout'
  | 'next_visit'
  | 'officer'
  | 'signed_out'
  | 'face_left'
  | 'shutdown';

function emitVisitEnd(d: Draft, visit: Visit, endedAt: number, reason: EndReason, rated: boolean): void {
  d.fx.push({
    type: 'emit',
    event: {
      channel: 'evt/visit',
      body: {
        phase: 'end',
        visitId: visit.id,
        officerId: visit.officerId,
        ticket: visit.ticket,
        dossierIds: visit.dossierIds,
        startedAt: visit.startedAt,
        endedAt,
        reason,
        rated,
      },
    },
  });
}

/** Ends the active visit without asking for a rating (next citizen, officer left). */
export function closeVisitUnrated(d: Draft, reason: 'next_visit' | 'signed_out' | 'shutdown'): void {
  if (!d.s.visit) return;
  emitVisitEnd(d, d.s.visit, d.ctx.now, reason, false);
  d.s.visit = null;
}

/** The officer finished (or the citizen left): the visit ends and the rating prompt opens. */
export function openPrompt(d: Draft, cause: Prompt['cause']): void {
  const visit = d.s.visit;
  if (!visit) return;
  settleOutstanding(d, 'next_visit');
  d.s.visit = null;
  d.s.thanks = null;
  d.s.prompt = {
    visit,
    endedAt: d.ctx.now,
    openedAt: d.ctx.now,
    deadline: d.ctx.now + d.ctx.settings.ratingTimeoutMs,
    cause,
  };
}

/**
 * Whoever is still waiting for a rating when something new starts: a negative rating waiting for
 * reasons is recorded without them (the press counts), an open prompt closes unrated.
 */
export function settleOutstanding(
  d: Draft,
  promptReason: 'next_visit' | 'rating_timeout' | 'shutdown',
): void {
  settleReasons(d);
  if (d.s.prompt) {
    emitVisitEnd(d, d.s.prompt.visit, d.s.prompt.endedAt, promptReason, false);
    d.s.prompt = null;
  }
}

/**
 * Records a negative rating still waiting for its reasons, without them. Called before a sign-out
 * so that the rating (attributed at the press) is on record before the session ends: a rating
 * must never appear after its officer's `signed_out`.
 */
export function settleReasons(d: Draft): void {
  if (d.s.reasons) recordRating(d, d.s.reasons, []);
}

/**
 * Fairness, the one rule for every rating: the officer signed in now answers for it only if that
 * officer was already signed in when the visit ended (`since <= prompt.endedAt`) and has stayed
 * signed in since (any sign-out ends `s.officer`), and did not take over from the officer who
 * served the visit. Someone who badges in while the previous citizen is still rating is not blamed.
 */
export function attributedOfficer(s: CounterState, prompt: Prompt): string | null {
  const officer = s.officer;
  if (officer === null) return null;
  if (officer.since > prompt.endedAt) return null;
  const served = prompt.visit.officerId;
  return served === null || served === officer.id ? officer.id : null;
}

export function recordRating(d: Draft, r: PendingReasons, reasons: string[]): void {
  const visit = r.prompt.visit;
  const rating = {
    visitId: visit.id,
    officerId: r.officerId,
    dossierIds: visit.dossierIds,
    ticket: visit.ticket,
    scale: r.scale,
    level: r.level,
    source: r.source,
    reasons,
    responseMs: Math.max(0, r.pressedAt - r.prompt.openedAt),
  };
  // Held on disk for the undo window: a change replaces it there, so one rating leaves per visit.
  const hold = holdFor(d, visit.id);
  d.fx.push({ type: 'emit', event: { channel: 'evt/rating', body: rating }, ...(hold ? { hold } : {}) });
  emitVisitEnd(d, visit, r.prompt.endedAt, 'rated', true);
  d.s.reasons = null;
  d.s.prompt = null;
  const negative = officialLevel(r.scale, r.level) === 'unsatisfied';
  d.s.thanks = {
    // The usual time counts from the end of the window: the comment code shows only once the
    // rating is final (kiosk view), and the citizen needs that long to scan it.
    until: (hold?.until ?? d.ctx.now) + (negative ? THANKS_NEGATIVE_MS : THANKS_MS),
    level: r.level,
    scale: r.scale,
    negative,
    visitId: visit.id,
    officerId: r.officerId,
    dossierIds: visit.dossierIds,
    undo: hold ? { from: d.ctx.now, until: hold.until, rating, openedAt: r.prompt.openedAt } : null,
  };
}
