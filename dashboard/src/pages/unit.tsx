import {
  isValidLevel,
  type LevelTone,
  levelTone,
  type RatingScale,
  RatingScale as RatingScaleSchema,
} from '@onestop/protocol';
import type { CommentRow, CounterSummary, OfficerSummary, RatingRow } from '@onestop/store';
import type { FC } from 'hono/jsx';
import { type Lang, levelLabel, reasonsText, scaledLevelLabel, type Translate } from '../i18n.js';
import { levelText, reasonWords } from '../judgement/page.js';
import { formatVietnamTime } from '../period.js';
import { Bar } from './bar.js';
import { ChangeCell } from './change.js';
import {
  CAMERA_COLUMN,
  DOSSIER_COLUMN,
  FigureCells,
  FigureHeaders,
  OfficialCells,
  OfficialHeaders,
  OverdueNote,
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

type Levels = { ratings: number; levels: Record<string, number> };

/** The levels given, as a stacked bar and in words. */
const Distribution: FC<{ lang: Lang; row: Levels }> = ({ lang, row }) => {
  const entries = levelEntries(row.levels);
  // Where levels of two scales meet, each label names its scale: a 4-key and a 5-key
  // "Không hài lòng" are not the same level.
  const mixed = new Set(entries.map((e) => e.scale)).size > 1;
  const label = (scale: RatingScale, level: number) =>
    mixed ? scaledLevelLabel(lang, scale, level) : levelLabel(lang, scale, level);
  const total = entries.reduce((sum, e) => sum + e.n, 0) || 1;
  const segments = entries.map((e) => ({
    share: e.n / total,
    colour: TONE_COLOURS[levelTone(e.scale, e.level)],
  }));
  return (
    <>
      <Bar segments={segments} label={entries.map((e) => `${label(e.scale, e.level)} ${e.n}`).join(', ')} />
      <small>
        {entries.map((e, i) => (
          <>
            {i > 0 ? ' · ' : ''}
            {label(e.scale, e.level)}: <b>{e.n}</b>
          </>
        ))}
      </small>
    </>
  );
};

const DistributionCell: FC<{ lang: Lang; t: Translate; row: Levels }> = ({ lang, t, row }) => (
  <td data-label={t('distribution')}>{row.ratings > 0 ? <Distribution lang={lang} row={row} /> : '–'}</td>
);

type OfficerTableProps = {
  lang: Lang;
  t: Translate;
  rows: OfficerSummary[];
  /** The period's query, kept in links. */
  search: string;
  /** The same table for the previous period. */
  previous: readonly OfficerSummary[];
};

export const OfficerTable: FC<OfficerTableProps> = ({ lang, t, rows, search, previous }) => {
  const before = new Map(previous.map((s) => [s.officerId, s]));
  if (rows.length === 0)
    return (
      <p class="muted" id="officers">
        {t('empty')}
      </p>
    );
  return (
    <div id="officers">
      <table data-testid="officer-table">
        <thead>
          <tr>
            <th>{t('officer')}</th>
            <th class="num">{t('ratings')}</th>
            <OfficialHeaders lang={lang} />
            <th>{t('distribution')}</th>
            <FigureHeaders t={t} columns={RATING_COLUMNS} />
            <FigureHeaders t={t} columns={[DOSSIER_COLUMN]} />
            <FigureHeaders t={t} columns={[CAMERA_COLUMN]} />
            <th>{t('vsPrevious')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <tr data-officer={s.officerId ?? ''}>
              <td data-label={t('officer')}>
                {s.officerId === null ? (
                  <span class="muted">{t('noOfficer')}</span>
                ) : (
                  <>
                    <a href={`/officers/${s.officerId}?${search}`}>{s.officerName ?? s.officerId}</a>
                    {s.officerName ? (
                      <>
                        {' '}
                        <small class="muted">{s.officerId}</small>
                      </>
                    ) : (
                      ''
                    )}
                  </>
                )}
              </td>
              <td class="num" data-label={t('ratings')}>
                {s.ratings}
              </td>
              <OfficialCells lang={lang} row={s} />
              <DistributionCell lang={lang} t={t} row={s} />
              <FigureCells t={t} columns={RATING_COLUMNS} row={s} />
              <FigureCells t={t} columns={[DOSSIER_COLUMN]} row={s} />
              <FigureCells t={t} columns={[CAMERA_COLUMN]} row={s} />
              <ChangeCell t={t} current={s} previous={before.get(s.officerId)} />
            </tr>
          ))}
        </tbody>
      </table>
      <OverdueNote t={t} rows={rows} />
    </div>
  );
};

/** `OfficerTable` for the officer page and the live re-fetch. */
export function officerTable(
  lang: Lang,
  t: Translate,
  rows: OfficerSummary[],
  period: { search: string; previous: readonly OfficerSummary[] },
) {
  return <OfficerTable lang={lang} t={t} rows={rows} search={period.search} previous={period.previous} />;
}

export const CounterTable: FC<{ lang: Lang; t: Translate; rows: CounterSummary[] }> = ({ lang, t, rows }) => {
  if (rows.length === 0) return <p class="muted">{t('empty')}</p>;
  return (
    <table data-testid="counter-table">
      <thead>
        <tr>
          <th>{t('counter')}</th>
          <th class="num">{t('ratings')}</th>
          <OfficialHeaders lang={lang} />
          <th>{t('distribution')}</th>
          <FigureHeaders t={t} columns={RATING_COLUMNS} />
          <th class="num">{t('visits')}</th>
          <th class="num">{t('unrated')}</th>
          <FigureHeaders t={t} columns={[CAMERA_COLUMN]} />
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr data-counter={c.counterId}>
            <td data-label={t('counter')}>{c.counterId}</td>
            <td class="num" data-label={t('ratings')}>
              {c.ratings}
            </td>
            <OfficialCells lang={lang} row={c} />
            <DistributionCell lang={lang} t={t} row={c} />
            <FigureCells t={t} columns={RATING_COLUMNS} row={c} />
            <td class="num" data-label={t('visits')}>
              {c.visits}
            </td>
            <td class="num" data-label={t('unrated')}>
              {c.unratedVisits}
            </td>
            <FigureCells t={t} columns={[CAMERA_COLUMN]} row={c} />
          </tr>
        ))}
      </tbody>
    </table>
  );
};

/** An officer by name when on this unit's roster; any other ID as such, "not on this roster". */
export const OfficerWords: FC<{
  t: Translate;
  o: { officerId: string | null; officerName: string | null };
}> = ({ t, o }) => {
  if (o.officerId === null) return <>–</>;
  return o.officerName !== null ? (
    <>
      {o.officerName} <small class="muted">{o.officerId}</small>
    </>
  ) : (
    <>
      {o.officerId} <small class="muted">{t('notOnUnitRoster')}</small>
    </>
  );
};

/** What a list across units adds to `RatingRowView`: each column only when given. */
export interface RatingRowExtras {
  /** The rating's unit, linked (search results span units). */
  unit?: { name: string | null; href: string };
  /** The citizen's reason codes (shown in words). */
  reasons?: readonly string[];
  /** Levels of several scales may meet in the list: each names its scale. */
  scaled?: boolean;
}

type RatingRowProps = { lang: Lang; t: Translate; r: RatingRow; extras?: RatingRowExtras | undefined };

/**
 * One stored rating as it arrived, whatever the centre made of it. An uncounted one says why (the
 * same words as the list of uncounted ratings); a quarantined one shows the time its device
 * claimed, marked as unplaced. The officer's name shows only for an officer of this unit: any
 * other ID is shown as such, "not on this unit's roster".
 */
export const RatingRowView: FC<RatingRowProps> = ({ lang, t, r, extras = {} }) => {
  const placed = r.at !== null;
  const why = placed ? reasonWords(t, r) : [t('quarantined')];
  if (placed && !r.counted && why.length === 0) why.push(t('notJudgedYet'));
  const level = extras.scaled ? levelText(lang, r.scale, r.level) : levelLabel(lang, r.scale, r.level);
  return (
    <tr
      data-event-id={r.eventId}
      data-counted={String(r.counted)}
      class={r.counted ? undefined : 'uncounted'}
    >
      <td data-label={t('time')}>
        {r.at !== null ? (
          formatVietnamTime(r.at)
        ) : (
          <span class="muted">{`${formatVietnamTime(r.deviceTs)} (${t('claimedUnplaced')})`}</span>
        )}
      </td>
      {extras.unit ? (
        <td data-label={t('unitColumn')}>
          <a href={extras.unit.href}>{extras.unit.name ?? r.unitId}</a>
        </td>
      ) : (
        ''
      )}
      <td data-label={t('counter')}>{r.counterId}</td>
      <td data-label={t('officer')}>
        <OfficerWords t={t} o={r} />
      </td>
      <td class={r.official === 'unsatisfied' ? 'bad' : ''} data-label={t('level')}>
        {level}
      </td>
      <td data-label={t('dossier')}>{r.dossierIds.join(', ') || '–'}</td>
      <td data-label={t('ticket')}>{r.ticket ?? '–'}</td>
      {extras.reasons ? <td data-label={t('reasons')}>{reasonsText(lang, extras.reasons)}</td> : ''}
      <td data-label={t('counted')}>
        {r.counted ? (
          ''
        ) : (
          <small data-testid="uncounted-marker">
            <b>{t('notCounted')}</b>: {why.join('; ')}
          </small>
        )}
      </td>
    </tr>
  );
};

/** A rating's row as HTML text: what the live feed (`/api/live`) sends to open unit pages. */
export function ratingRowHtml(lang: Lang, t: Translate, r: RatingRow): Promise<string> {
  return Promise.resolve(<RatingRowView lang={lang} t={t} r={r} />).then((h) => h.toString());
}

/** The header row matching `RatingRowView` with the same extras. */
export const RatingHeaders: FC<{ t: Translate; extras?: { unit?: unknown; reasons?: unknown } }> = ({
  t,
  extras = {},
}) => (
  <tr>
    <th>{t('time')}</th>
    {extras.unit ? <th>{t('unitColumn')}</th> : ''}
    <th>{t('counter')}</th>
    <th>{t('officer')}</th>
    <th>{t('level')}</th>
    <th>{t('dossier')}</th>
    <th>{t('ticket')}</th>
    {extras.reasons ? <th>{t('reasons')}</th> : ''}
    <th>{t('counted')}</th>
  </tr>
);

/** The latest ratings; the unit page's client module prepends rows from the live feed. */
export const LiveRatingsTable: FC<{ lang: Lang; t: Translate; rows: RatingRow[] }> = ({ lang, t, rows }) => (
  <table data-testid="live-ratings">
    <thead>
      <RatingHeaders t={t} />
    </thead>
    <tbody id="live-body">
      {rows.map((r) => (
        <RatingRowView lang={lang} t={t} r={r} />
      ))}
    </tbody>
  </table>
);

type CommentOpts = { unitId: string; leader: boolean; contact: boolean; reference?: string | undefined };

/**
 * The unit's comments with their reference and follow-up state. `leader`: the viewer leads this
 * unit (`canFollowUpComments`), so the follow-up forms are shown; `contact`: the viewer is its
 * ward leader (`canSeeCitizenContact`), so the citizen's contact is. Otherwise neither is rendered.
 */
export const CommentList: FC<{ t: Translate; rows: CommentRow[] } & CommentOpts> = ({ t, rows, ...opts }) => (
  <>
    {/* biome-ignore lint/a11y/useSemanticElements: as the header's search box: <search> is missing on older phones */}
    <form method="get" action={`/units/${opts.unitId}/comments`} role="search">
      <label>
        {t('commentSearch')}{' '}
        <input name="ref" value={opts.reference ?? ''} maxlength={24} placeholder="GY-000000-0" />
      </label>{' '}
      <button type="submit">{t('search')}</button>
    </form>
    {rows.length === 0 ? (
      <p class="muted" data-testid="comments-empty">
        {opts.reference ? t('commentSearchNone') : t('empty')}
      </p>
    ) : (
      <table data-testid="comments">
        <thead>
          <tr>
            <th>{t('commentReference')}</th>
            <th>{t('time')}</th>
            <th>{t('counter')}</th>
            <th>{t('officer')}</th>
            <th>{t('dossier')}</th>
            <th>{t('comments')}</th>
            {opts.contact ? <th>{t('commentContact')}</th> : ''}
            <th>{t('commentFollowUp')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr data-comment={r.reference} data-status={r.status}>
              <td data-label={t('commentReference')}>
                <code>{r.reference}</code>
              </td>
              <td data-label={t('time')}>{formatVietnamTime(r.createdAt)}</td>
              <td data-label={t('counter')}>{r.counterId ?? '–'}</td>
              <td data-label={t('officer')}>
                <OfficerWords t={t} o={r} />
              </td>
              <td data-label={t('dossier')}>{r.dossierId ?? '–'}</td>
              <td data-label={t('comments')}>
                <CommentKind t={t} kind={r.kind} />
                {r.body}
              </td>
              {opts.contact ? (
                <td data-label={t('commentContact')} data-testid="comment-contact">
                  {r.contact ?? '–'}
                </td>
              ) : (
                ''
              )}
              <td data-label={t('commentFollowUp')}>
                <FollowUpCell t={t} r={r} {...opts} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </>
);

/** A complaint or praise marked before the comment's text. */
export const CommentKind: FC<{ t: Translate; kind: string | null }> = ({ t, kind }) =>
  kind === 'complaint' ? (
    <>
      <b>{t('commentComplaint')}</b>:{' '}
    </>
  ) : kind === 'praise' ? (
    <>
      <i>{t('commentPraise')}</i>:{' '}
    </>
  ) : (
    <></>
  );

const FollowUpCell: FC<{ t: Translate; r: CommentRow } & CommentOpts> = ({ t, r, ...opts }) => {
  const action = `/units/${opts.unitId}/comments/${r.id}/follow-up`;
  return (
    <>
      <b data-testid="comment-status">{t(`commentStatus_${r.status}`)}</b>
      {r.handledAt ? (
        <>
          <br />
          <small class="muted" data-testid="comment-handled">
            {`${r.handledByName ?? r.handledBy ?? '–'} · ${formatVietnamTime(r.handledAt)}`}
          </small>
        </>
      ) : (
        ''
      )}
      {r.reply ? (
        <>
          <br />
          <small>{r.reply}</small>
        </>
      ) : (
        ''
      )}
      {opts.leader && r.status === 'new' ? (
        <form method="post" action={action}>
          <input type="hidden" name="status" value="handled" />
          <button type="submit">{t('commentMarkHandled')}</button>
        </form>
      ) : (
        ''
      )}
      {opts.leader && r.status !== 'replied' ? (
        <form method="post" action={action}>
          <input type="hidden" name="status" value="replied" />
          <label>
            {t('commentReplyText')}
            <br />
            <textarea name="reply" rows={2} required maxlength={2000} class="wide"></textarea>
          </label>
          <button type="submit">{t('commentMarkReplied')}</button>
        </form>
      ) : (
        ''
      )}
    </>
  );
};
