import {
  type CounterSettings,
  LEVEL_LABELS,
  type LevelTone,
  type LinkStatus,
  levelTone,
  maskedDossier,
  SCALE_LEVELS,
} from '@onestop/protocol';
import type { CounterState, Screen } from '../counter/types.js';
import type { CommentLinks } from './comment-link.js';

/** Everything the kiosk page needs, pushed over SSE; no personal data beyond the officer's name. */
export interface KioskView {
  screen: Screen;
  officer: { id: string; name: string } | null;
  scale: CounterSettings['scale'];
  /** Best first, as printed on keypads; `tone` is shared with the dashboard so colours agree. */
  levels: Array<{ level: number; vi: string; en: string; tone: LevelTone }>;
  reasons: CounterSettings['reasons'];
  /**
   * The thanks screen's comment form link, signed for that visit; null on every other screen and
   * during the undo window (the "Đổi" control has the screen; the code comes once the level is final).
   */
  commentUrl: string | null;
  /** Whether the device reaches the centre; ratings are kept on the device either way. */
  link: KioskLink;
  /**
   * The officer's start/end visit buttons: only while an officer is signed in, on a counter whose
   * screen offers them (kioskOfficerControls); null otherwise.
   */
  officerControls: OfficerControls | null;
  /** The counter's number as the citizen reads it; null when not known. */
  counter: string | null;
  /** A camera estimates the citizen's expression here: the page shows its notice only then. */
  camera: boolean;
  /**
   * Time left to answer the open prompt (rating or reasons), or to change the rating on the thanks
   * screen, when the view was sent; else null.
   */
  remainingMs: number | null;
  /** The screen's dossier IDs as the page shows them, masked: it faces the queue. */
  dossiersShown: string[];
}

/**
 * Which officer buttons work now. Start only when nobody is being served or rating: on a counter
 * without a scanner this is how a visit begins, and a misplaced touch must not cut off the
 * citizen still rating. End only while a visit is in progress.
 */
export interface OfficerControls {
  startVisit: boolean;
  endVisit: boolean;
}

export function officerControls(state: CounterState): OfficerControls | null {
  if (!state.officer) return null;
  return {
    startVisit: !state.visit && !state.prompt && !state.reasons,
    endVisit: state.visit !== null,
  };
}

/** Why a touch on the officer's bar is refused now, or null when it is taken. */
export function refusedOfficerAction(
  controls: OfficerControls | null,
  action: 'start-visit' | 'end-visit',
): string | null {
  if (!controls) return 'no officer is signed in at this counter';
  if (action === 'start-visit')
    return controls.startVisit ? null : 'a citizen is being served or rating; end that visit first';
  return controls.endVisit ? null : 'no visit is in progress';
}

/** What a citizen is told about the link: connected, not connected, or this device was withdrawn. */
export type KioskLink = 'online' | 'offline' | 'withdrawn';

/** MQTT 3.1.1 CONNACK 5: the broker knows the device and refuses it, i.e. it was revoked. */
const NOT_AUTHORIZED = 5;

export function kioskLink(status: LinkStatus): KioskLink {
  switch (status.state) {
    case 'connected':
      return 'online';
    case 'reconnecting':
      return status.refusedCode === NOT_AUTHORIZED ? 'withdrawn' : 'offline';
    case 'connecting':
    case 'stopped':
      return 'offline';
    default:
      return status satisfies never;
  }
}

/** What the device adds to a view beyond the counter's state and settings. */
export interface ViewExtras {
  /** Signs the thanks screen's comment link; absent: no comment code on this device. */
  comments?: CommentLinks | null;
  /** The counter's number, shown to the citizen. */
  counterId?: string | null;
  /** Whether a camera watches the citizen's side here: only then is its notice shown. */
  camera?: boolean;
  /** The agent's clock now: the countdown of a prompt is its deadline less this. */
  now?: number | null;
}

export function buildView(
  state: CounterState,
  screen: Screen,
  settings: CounterSettings,
  link: KioskLink,
  /** Whether this counter's screen offers the officer's buttons: kioskOfficerControls(config). */
  officerTouch: boolean,
  extras: ViewExtras = {},
): KioskView {
  const { comments = null, counterId = null, camera = false, now = null } = extras;
  const deadline =
    screen.kind === 'rating' || screen.kind === 'reasons'
      ? screen.deadline
      : screen.kind === 'thanks'
        ? screen.undoUntil
        : null;
  const officer = state.officer
    ? { id: state.officer.id, name: settings.officers[state.officer.id]?.name ?? state.officer.id }
    : null;
  const n = SCALE_LEVELS[settings.scale];
  const levels = [];
  for (let level = n; level >= 1; level--) {
    const label = LEVEL_LABELS[settings.scale][level]!;
    levels.push({ level, vi: label.vi, en: label.en, tone: levelTone(settings.scale, level) });
  }
  return {
    screen,
    officer,
    scale: settings.scale,
    levels,
    reasons: settings.reasons,
    commentUrl:
      screen.kind === 'thanks' && screen.undoUntil === null && state.thanks && settings.commentUrl && comments
        ? comments.of(state.thanks, settings.commentUrl)
        : null,
    link,
    officerControls: officerTouch ? officerControls(state) : null,
    counter: counterId,
    camera,
    remainingMs: deadline !== null && now !== null ? Math.max(0, deadline - now) : null,
    dossiersShown: 'dossierIds' in screen ? screen.dossierIds.map(maskedDossier) : [],
  };
}
