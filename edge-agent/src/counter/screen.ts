import type { CounterState, Screen } from './types.js';
import { undoOpen } from './undo.js';

/** What the kiosk shows for a state; the most urgent thing wins. */
export function screenOf(s: CounterState, now: number): Screen {
  if (s.reasons) return { kind: 'reasons', level: s.reasons.level, deadline: s.reasons.deadline };
  if (s.prompt) {
    return {
      kind: 'rating',
      officerId: s.prompt.visit.officerId,
      dossierIds: s.prompt.visit.dossierIds,
      deadline: s.prompt.deadline,
    };
  }
  if (s.thanks && now < s.thanks.until) {
    const u = s.thanks.undo;
    return {
      kind: 'thanks',
      level: s.thanks.level,
      scale: s.thanks.scale,
      negative: s.thanks.negative,
      undoUntil: u && undoOpen(u, now) ? u.until : null,
    };
  }
  if (s.notice && now < s.notice.until)
    return { kind: 'notice', code: s.notice.code, detail: s.notice.detail };
  if (s.visit)
    return {
      kind: 'visit',
      officerId: s.visit.officerId,
      ticket: s.visit.ticket,
      dossierIds: s.visit.dossierIds,
    };
  return { kind: 'idle', officerId: s.officer?.id ?? null };
}

/**
 * The earliest moment the state changes on its own (prompt timeout, idle visit, screens expiring,
 * the officer's session ending at `sessionEnd`).
 */
export function nextDeadline(
  s: CounterState,
  idleTimeoutMs: number,
  sessionEnd: number | null = null,
): number | null {
  const times = [
    sessionEnd ?? undefined,
    s.prompt?.deadline,
    s.reasons?.deadline,
    s.thanks?.until,
    s.thanks?.undo?.until,
    s.notice?.until,
    s.visit ? s.visit.lastActivityAt + idleTimeoutMs : undefined,
  ].filter((t): t is number => t !== undefined);
  return times.length === 0 ? null : Math.min(...times);
}
