import {
  isValidLevel,
  type LevelTone,
  levelTone,
  type RatingScale,
  RatingScale as RatingScaleSchema,
} from '@onestop/protocol';
import type { CommentRow, CounterSummary, OfficerSummary, RatingRow } from '@onestop/store';
import { html } from 'hono/html';
import { type Lang, levelLabel, reasonsText, scaledLevelLabel, type Translate } from '../i18n.js';
import { levelText, reasonWords } from '../judgement/page.js';
import { formatVietnamTime } from '../period.js';
import { Bar } from './bar.js';
import { changeCell } from './change.js';
import {
  CAMERA_COLUMN,
  DOSSIER_COLUMN,
  figureCells,
  figureHeaders,
  officialCells,
  officialHeaders,
  overdueNote,
  RATING_COLUMNS,
} from './figures.js';

/** The dashboard's palette for the shared level tones (protocol decides which level gets which). */
const TONE_COLOURS: Record<LevelTone, string> = {
  'very-positive': '#0a6b2d',
  positive: '#5aa469',
  neutral: '#c9a227',
  negative: '#b00020',
};

export function levelEntries(levels: Record<string, number>) {
  return Object.entries(levels)
    .flatMap(([key, n]) => {
      const [scale, level] = key.split(':');
      const parsed = RatingScaleSchema.safeParse(scale);
      const lv = Number(level);
      // A key the store should never produce is left out rather than drawn in a made-up colour.
      return parsed.success && isValidLevel(parsed.data, lv) ? [{ scale: parsed.data, level: lv, n }] : [];
    })
    .sort((a, b) => a.scale.localeCompare(b.scale) || b.level - a.level);
}

function distribution(lang: Lang, s: { ratings: number; levels: Record<string, number> }) {
  const entries = levelEntries(s.levels);
  // Where levels of two scales meet, each label names its scale: a 4-key and a 5-key
  // "Không hài lòng" are not the same level.
  const mixed = new Set(entries.map((e) => e.scale)).size > 1;
  const label = (scale: RatingScale, level: number) =>
    mixed ? scaledLevelLabel(lang, scale, level) : levelLabel(lang, scale, level);
  const colour = (scale: RatingScale, level: number) => TONE_COLOURS[levelTone(scale, level)];
  const total = entries.reduce((sum, e) => sum + e.n, 0) || 1;
  const segments = entries.map((e) => ({ share: e.n / total, colour: colour(e.scale, e.level) }));
  const spoken = entries.map((e) => `${label(e.scale, e.level)} ${e.n}`).join(', ');
  return html`${<Bar segments={segments} label={spoken} />}<small>${entries.map((e, i) => html`${i > 0 ? ' · ' : ''}${label(e.scale, e.level)}: <b>${e.n}</b>`)}</small>`;
}

/** `search` keeps the period in links; `previous` is the same table for the previous period. */
export function officerTable(
  lang: Lang,
  t: Translate,
  rows: OfficerSummary[],
  period: { search: string; previous: readonly OfficerSummary[] },
) {
  const before = new Map(period.previous.map((s) => [s.officerId, s]));
  if (rows.length === 0) return html`<p class="muted" id="officers">${t('empty')}</p>`;
  return html`<div id="officers"><table data-testid="officer-table">
<thead><tr><th>${t('officer')}</th><th class="num">${t('ratings')}</th>${officialHeaders(lang)}<th>${t('distribution')}</th>${figureHeaders(t, RATING_COLUMNS)}${figureHeaders(t, [DOSSIER_COLUMN])}${figureHeaders(t, [CAMERA_COLUMN])}<th>${t('vsPrevious')}</th></tr></thead>
<tbody>${rows.map(
    (s) => html`<tr data-officer="${s.officerId ?? ''}">
<td data-label="${t('officer')}">${s.officerId === null ? html`<span class="muted">${t('noOfficer')}</span>` : html`<a href="/officers/${s.officerId}?${period.search}">${s.officerName ?? s.officerId}</a>${s.officerName ? html` <small class="muted">${s.officerId}</small>` : ''}`}</td>
<td class="num" data-label="${t('ratings')}">${s.ratings}</td>${officialCells(lang, s)}<td data-label="${t('distribution')}">${s.ratings > 0 ? distribution(lang, s) : '–'}</td>
${figureCells(t, RATING_COLUMNS, s)}${figureCells(t, [DOSSIER_COLUMN], s)}${figureCells(t, [CAMERA_COLUMN], s)}
${changeCell(t, s, before.get(s.officerId))}</tr>`,
  )}</tbody></table>${overdueNote(t, rows)}</div>`;
}

export function counterTable(lang: Lang, t: Translate, rows: CounterSummary[]) {
  if (rows.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  return html`<table data-testid="counter-table">
<thead><tr><th>${t('counter')}</th><th class="num">${t('ratings')}</th>${officialHeaders(lang)}<th>${t('distribution')}</th>${figureHeaders(t, RATING_COLUMNS)}<th class="num">${t('visits')}</th><th class="num">${t('unrated')}</th>${figureHeaders(t, [CAMERA_COLUMN])}</tr></thead>
<tbody>${rows.map(
    (
      c,
    ) => html`<tr data-counter="${c.counterId}"><td data-label="${t('counter')}">${c.counterId}</td><td class="num" data-label="${t('ratings')}">${c.ratings}</td>${officialCells(lang, c)}
<td data-label="${t('distribution')}">${c.ratings > 0 ? distribution(lang, c) : '–'}</td>${figureCells(t, RATING_COLUMNS, c)}
<td class="num" data-label="${t('visits')}">${c.visits}</td><td class="num" data-label="${t('unrated')}">${c.unratedVisits}</td>${figureCells(t, [CAMERA_COLUMN], c)}</tr>`,
  )}</tbody></table>`;
}

/** An officer by name when on this unit's roster; any other ID as such, "not on this roster". */
function officerWords(t: Translate, o: { officerId: string | null; officerName: string | null }) {
  if (o.officerId === null) return '–';
  return o.officerName !== null
    ? html`${o.officerName} <small class="muted">${o.officerId}</small>`
    : html`${o.officerId} <small class="muted">${t('notOnUnitRoster')}</small>`;
}

/**
 * One stored rating as it arrived, whatever the centre made of it. An uncounted one says why (the
 * same words as the list of uncounted ratings); a quarantined one shows the time its device
 * claimed, marked as unplaced. The officer's name shows only for an officer of this unit: any
 * other ID is shown as such, "not on this unit's roster".
 */
export function ratingRow(lang: Lang, t: Translate, r: RatingRow, extras: RatingRowExtras = {}) {
  const placed = r.at !== null;
  const why = placed ? reasonWords(t, r) : [t('quarantined')];
  if (placed && !r.counted && why.length === 0) why.push(t('notJudgedYet'));
  const officer = officerWords(t, r);
  const unit = extras.unit
    ? html`<td data-label="${t('unitColumn')}"><a href="${extras.unit.href}">${extras.unit.name ?? r.unitId}</a></td>`
    : '';
  const level = extras.scaled ? levelText(lang, r.scale, r.level) : levelLabel(lang, r.scale, r.level);
  const reasons = extras.reasons
    ? html`<td data-label="${t('reasons')}">${reasonsText(lang, extras.reasons)}</td>`
    : '';
  return html`<tr data-event-id="${r.eventId}" data-counted="${String(r.counted)}"${r.counted ? '' : html` class="uncounted"`}>
<td data-label="${t('time')}">${placed ? formatVietnamTime(r.at!) : html`<span class="muted">${formatVietnamTime(r.deviceTs)} (${t('claimedUnplaced')})</span>`}</td>${unit}<td data-label="${t('counter')}">${r.counterId}</td>
<td data-label="${t('officer')}">${officer}</td>
<td class="${r.official === 'unsatisfied' ? 'bad' : ''}" data-label="${t('level')}">${level}</td>
<td data-label="${t('dossier')}">${r.dossierIds.join(', ') || '–'}</td><td data-label="${t('ticket')}">${r.ticket ?? '–'}</td>${reasons}
<td data-label="${t('counted')}">${r.counted ? '' : html`<small data-testid="uncounted-marker"><b>${t('notCounted')}</b>: ${why.join('; ')}</small>`}</td></tr>`;
}

/** What a list across units adds to `ratingRow`: each column only when given. */
export interface RatingRowExtras {
  /** The rating's unit, linked (search results span units). */
  unit?: { name: string | null; href: string };
  /** The citizen's reason codes (shown in words). */
  reasons?: readonly string[];
  /** Levels of several scales may meet in the list: each names its scale. */
  scaled?: boolean;
}

/** The header row matching `ratingRow` with the same extras. */
export function ratingHeaders(t: Translate, extras: { unit?: unknown; reasons?: unknown } = {}) {
  return html`<tr><th>${t('time')}</th>${extras.unit ? html`<th>${t('unitColumn')}</th>` : ''}<th>${t('counter')}</th><th>${t('officer')}</th>
<th>${t('level')}</th><th>${t('dossier')}</th><th>${t('ticket')}</th>${extras.reasons ? html`<th>${t('reasons')}</th>` : ''}<th>${t('counted')}</th></tr>`;
}

export function liveRatingsTable(lang: Lang, t: Translate, rows: RatingRow[]) {
  return html`<table data-testid="live-ratings"><thead>${ratingHeaders(t)}</thead>
<tbody id="live-body">${rows.map((r) => ratingRow(lang, t, r))}</tbody></table>`;
}

/**
 * The unit's comments with their reference and follow-up state. `leader`: the viewer leads this
 * unit (`canFollowUpComments`), so the citizen's contact and the follow-up forms are shown;
 * for anyone else neither is even rendered.
 */
export function commentList(
  t: Translate,
  rows: CommentRow[],
  opts: { unitId: string; leader: boolean; reference?: string },
) {
  const search = html`<form method="get" action="/units/${opts.unitId}/comments" role="search"><label>${t('commentSearch')} <input name="ref" value="${opts.reference ?? ''}" maxlength="24" placeholder="GY-000000-0"></label> <button type="submit">${t('search')}</button></form>`;
  if (rows.length === 0)
    return html`${search}<p class="muted" data-testid="comments-empty">${opts.reference ? t('commentSearchNone') : t('empty')}</p>`;
  const contact = opts.leader ? html`<th>${t('commentContact')}</th>` : '';
  return html`${search}<table data-testid="comments"><thead><tr><th>${t('commentReference')}</th><th>${t('time')}</th><th>${t('counter')}</th><th>${t('officer')}</th>
<th>${t('dossier')}</th><th>${t('comments')}</th>${contact}<th>${t('commentFollowUp')}</th></tr></thead><tbody>${rows.map(
    (
      r,
    ) => html`<tr data-comment="${r.reference}" data-status="${r.status}"><td data-label="${t('commentReference')}"><code>${r.reference}</code></td><td data-label="${t('time')}">${formatVietnamTime(r.createdAt)}</td><td data-label="${t('counter')}">${r.counterId ?? '–'}</td><td data-label="${t('officer')}">${officerWords(t, r)}</td>
<td data-label="${t('dossier')}">${r.dossierId ?? '–'}</td><td data-label="${t('comments')}">${r.kind === 'complaint' ? html`<b>${t('commentComplaint')}</b>: ` : r.kind === 'praise' ? html`<i>${t('commentPraise')}</i>: ` : ''}${r.body}</td>
${opts.leader ? html`<td data-label="${t('commentContact')}" data-testid="comment-contact">${r.contact ?? '–'}</td>` : ''}<td data-label="${t('commentFollowUp')}">${followUpCell(t, r, opts)}</td></tr>`,
  )}</tbody></table>`;
}

function followUpCell(t: Translate, r: CommentRow, opts: { unitId: string; leader: boolean }) {
  const state = html`<b data-testid="comment-status">${t(`commentStatus_${r.status}`)}</b>${
    r.handledAt
      ? html`<br><small class="muted" data-testid="comment-handled">${r.handledByName ?? r.handledBy ?? '–'} · ${formatVietnamTime(r.handledAt)}</small>`
      : ''
  }${r.reply ? html`<br><small>${r.reply}</small>` : ''}`;
  if (!opts.leader || r.status === 'replied') return state;
  const action = `/units/${opts.unitId}/comments/${r.id}/follow-up`;
  const handled =
    r.status === 'new'
      ? html`<form method="post" action="${action}"><input type="hidden" name="status" value="handled"><button type="submit">${t('commentMarkHandled')}</button></form>`
      : '';
  return html`${state}${handled}<form method="post" action="${action}"><input type="hidden" name="status" value="replied"><label>${t('commentReplyText')}<br><textarea name="reply" rows="2" required maxlength="2000" class="wide"></textarea></label><button type="submit">${t('commentMarkReplied')}</button></form>`;
}
