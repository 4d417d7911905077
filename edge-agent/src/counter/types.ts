// The pure state machine knows the wire contract and nothing else of the agent (no storage).
import type { CounterSettings, EventBody, RatingScale } from '@onestop/protocol';

export type VisitTrigger = 'ticket' | 'dossier' | 'face' | 'officer';

export interface Visit {
  id: string;
  startedAt: number;
  lastActivityAt: number;
  ticket: string | null;
  dossierIds: string[];
  /** The officer signed in when the visit started (or who signed in during it). */
  officerId: string | null;
  trigger: VisitTrigger;
}

/** A visit that has ended and is waiting for the citizen's rating. */
export interface Prompt {
  visit: Visit;
  endedAt: number;
  openedAt: number;
  deadline: number;
  cause: 'officer' | 'face_left' | 'idle';
}

/** A negative rating waiting (briefly) for reason codes on the touch screen. */
export interface PendingReasons {
  prompt: Prompt;
  level: number;
  scale: RatingScale;
  source: 'keypad' | 'touch';
  pressedAt: number;
  /** Decided at the press: who was signed in then answers for it, whatever happens next. */
  officerId: string | null;
  deadline: number;
}

/**
 * The thanks screen's undo window: the rating is on disk but held (not sent) until `until`, and a
 * press before then replaces it. Open while `from <= now < until`: a wall clock set back ends it
 * rather than stretching it (a rating must never be held for as long as a clock fault lasts).
 */
export interface Undo {
  from: number;
  until: number;
  /** The rating as it stands (what a change starts from); the outbox holds it under the visit ID. */
  rating: EventBody<'evt/rating'>;
  /** When the prompt opened: a change's response time counts from there too. */
  openedAt: number;
}

export type NoticeCode =
  | 'scan_rejected'
  | 'badge_unknown'
  | 'signed_in'
  | 'signed_out'
  | 'no_visit'
  | 'not_recorded'
  | 'not_changed'
  | 'dossier_attached';

export interface CounterState {
  officer: { id: string; since: number } | null;
  visit: Visit | null;
  prompt: Prompt | null;
  reasons: PendingReasons | null;
  /**
   * The thanks screen after a rating, and the visit it thanks for: the kiosk's comment QR code
   * vouches for that visit, its attributed officer and its dossiers (protocol comment-token.ts).
   */
  thanks: {
    until: number;
    level: number;
    scale: RatingScale;
    negative: boolean;
    visitId: string;
    officerId: string | null;
    dossierIds: string[];
    /** While open, a press changes this rating instead of being ignored (see undo.ts). */
    undo: Undo | null;
  } | null;
  notice: { until: number; code: NoticeCode; detail: string } | null;
  lastPressAt: number | null;
  ignoredPresses: number;
}

export type CounterInput =
  | { type: 'badge'; id: string }
  | { type: 'scan'; text: string }
  | { type: 'press'; level: number; scale: RatingScale; source: 'keypad' | 'touch' }
  | { type: 'reasons'; codes: string[] }
  | { type: 'face'; present: boolean }
  | { type: 'officer'; action: 'start-visit' | 'end-visit' | 'sign-out' }
  | { type: 'record-failed'; reason: string }
  /** The outbox no longer held the rating a press wanted to change (it had to leave already). */
  | { type: 'change-refused'; reason: string }
  /** The agent is stopping: nothing may be left half-open (a visit start with no end). */
  | { type: 'shutdown' }
  | { type: 'tick' };

export type CounterEvent =
  | { channel: 'evt/rating'; body: EventBody<'evt/rating'> }
  | { channel: 'evt/visit'; body: EventBody<'evt/visit'> }
  | { channel: 'evt/presence'; body: EventBody<'evt/presence'> };

export type Screen =
  | { kind: 'idle'; officerId: string | null }
  | { kind: 'visit'; officerId: string | null; ticket: string | null; dossierIds: string[] }
  | { kind: 'rating'; officerId: string | null; dossierIds: string[]; deadline: number }
  | { kind: 'reasons'; level: number; deadline: number }
  | {
      kind: 'thanks';
      level: number;
      scale: RatingScale;
      negative: boolean;
      /** Until when a press changes the rating; null once it is final. */
      undoUntil: number | null;
    }
  | { kind: 'notice'; code: NoticeCode; detail: string };

/** A rating stored now but sent only once released (or once `until` passes, whatever happens). */
export interface HoldSpec {
  key: string;
  until: number;
}

export type CounterEffect =
  | { type: 'emit'; event: CounterEvent; hold?: HoldSpec }
  /** Replace the held event under `key` with this one (the rating changed in its undo window). */
  | { type: 'amend'; key: string; event: Extract<CounterEvent, { channel: 'evt/rating' }> }
  /** The held event under `key` is final: send it. */
  | { type: 'release'; key: string }
  | { type: 'beep'; kind: 'ok' | 'error' }
  | { type: 'show'; screen: Screen }
  | { type: 'schedule'; at: number | null }
  | { type: 'rejected'; input: CounterInput['type']; reason: string };

export interface CounterContext {
  now: number;
  settings: CounterSettings;
  patterns: { dossierId: RegExp; ticket: RegExp };
  newId: () => string;
  /** A touch screen is present, so a negative rating may be followed by reason codes. */
  touch: boolean;
  /**
   * When a session that began at `since` is ended automatically (max session age, end of the
   * working day), or null for never. A forgotten sign-out must not make an officer answer for
   * the ratings of whoever uses the counter overnight or the next morning.
   */
  sessionEndsAt: (since: number) => number | null;
}

export interface StepResult {
  state: CounterState;
  effects: CounterEffect[];
}

export const THANKS_MS = 6_000;
/** Long enough to take out a phone and scan the comment QR code. */
export const THANKS_NEGATIVE_MS = 30_000;
export const NOTICE_MS = 4_000;
export const REASONS_TIMEOUT_MS = 15_000;

export function initialCounterState(officer: CounterState['officer'] = null): CounterState {
  return {
    officer,
    visit: null,
    prompt: null,
    reasons: null,
    thanks: null,
    notice: null,
    lastPressAt: null,
    ignoredPresses: 0,
  };
}
