import { type EventBody, isValidLevel, officialLevel, type RatingScale } from '@onestop/protocol';
import type { CounterInput, CounterState, HoldSpec, Undo } from './types.js';
import { THANKS_NEGATIVE_MS } from './types.js';
import type { Draft } from './visit-flow.js';

/**
 * The undo window after a rating (issue 13): a slip of the finger is changed on the thanks screen
 * before the rating leaves the device. The rating is written at once (a crash loses nothing) but
 * held; a press inside the window replaces it in place, so exactly one rating per visit is ever
 * sent, and it is the last level chosen. The visit's end was emitted with the first press and is
 * not emitted again: a change is a correction of the rating, not a new visit.
 */
export function undoOpen(u: Undo, now: number): boolean {
  return u.from <= now && now < u.until;
}

/** The hold of a rating recorded now, or null when this counter has no undo window. */
export function holdFor(d: Draft, visitId: string): HoldSpec | null {
  const ms = d.ctx.settings.undoWindowMs;
  return ms > 0 ? { key: visitId, until: d.ctx.now + ms } : null;
}

type Press = Extract<CounterInput, { type: 'press' }>;

/**
 * A press while the thanks screen's window is open: the held rating takes the new level. The
 * officer it is credited to was decided at the first press and stays. Reasons given for a
 * negative level stay only while the level stays negative; a change to a negative level does
 * not reopen the reasons screen (the window is short and the rating must leave soon).
 */
export function changeRating(d: Draft, input: Press): void {
  const t = d.s.thanks!;
  const undo = t.undo!;
  if (!isValidLevel(input.scale, input.level)) {
    d.s.ignoredPresses++;
    d.fx.push({ type: 'rejected', input: 'press', reason: `level ${input.level} is not on ${input.scale}` });
    return;
  }
  d.fx.push({ type: 'beep', kind: 'ok' });
  const old = undo.rating;
  const negative = isNegative(input.scale, input.level);
  const rating: EventBody<'evt/rating'> = {
    ...old,
    level: input.level,
    scale: input.scale,
    source: input.source,
    reasons: negative && isNegative(old.scale, old.level) ? old.reasons : [],
    responseMs: Math.max(0, d.ctx.now - undo.openedAt),
  };
  d.fx.push({ type: 'amend', key: t.visitId, event: { channel: 'evt/rating', body: rating } });
  t.undo = { ...undo, rating };
  t.level = input.level;
  t.scale = input.scale;
  t.negative = negative;
  // Long enough to scan the comment code after a change to a negative level too.
  if (negative) t.until = Math.max(t.until, undo.until + THANKS_NEGATIVE_MS);
}

function isNegative(scale: RatingScale, level: number): boolean {
  return officialLevel(scale, level) === 'unsatisfied';
}

/**
 * Ends a window whose time is over, then releases every hold the new state no longer keeps:
 * whatever path dropped the thanks screen (next visit, shutdown, a failed append) or closed its
 * window, the held rating is let go here, in one place, so none can be forgotten.
 */
export function settleUndo(d: Draft, before: CounterState): void {
  const t = d.s.thanks;
  if (t?.undo && !undoOpen(t.undo, d.ctx.now)) t.undo = null;
  const kept = d.s.thanks?.undo ? d.s.thanks.visitId : null;
  const held = new Set<string>();
  if (before.thanks?.undo) held.add(before.thanks.visitId);
  for (const fx of d.fx) if (fx.type === 'emit' && fx.hold) held.add(fx.hold.key);
  for (const key of held) if (key !== kept) d.fx.push({ type: 'release', key });
}
