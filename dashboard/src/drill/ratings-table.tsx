import { displayNumber } from '@onestop/evaluation';
import type { CameraEstimate, DrillRating } from '@onestop/store';
import { type Lang, reasonsText, type Translate } from '../i18n.js';
import { levelText, reasonWords } from '../judgement/page.js';
import type { PagerHtml } from '../pages/pager.js';
import { formatVietnamTime } from '../period.js';

/** Why a listed rating is not in anyone's figures, in the same words as the uncounted list. */
function whyNotCounted(t: Translate, r: DrillRating): string[] {
  if (r.counted) return [];
  const why = reasonWords(t, r);
  return why.length > 0 ? why : [t('notJudgedYet')];
}

function Officer({ t, r }: { t: Translate; r: DrillRating }) {
  if (r.officerId === null) return <>–</>;
  // A name only from this unit's roster (`rosterOfficer`): any other ID is shown as such.
  return r.officerName !== null ? (
    <>
      {r.officerName} <small class="muted">{r.officerId}</small>
    </>
  ) : (
    <>
      {r.officerId} <small class="muted">{t('notOnUnitRoster')}</small>
    </>
  );
}

/**
 * Which models produced a camera estimate (name and the first 12 hex digits of each hash, the
 * whole hash on hover): after an update a leader can tell estimates of the new model from the old.
 */
export function CameraModels({ t, models }: { t: Translate; models: CameraEstimate['models'] }) {
  if (!models || models.length === 0)
    return (
      <small class="muted" data-testid="camera-models">
        <br />
        {t('cameraModelUnknown')}
      </small>
    );
  return (
    <small class="muted" data-testid="camera-models">
      {models.map((m) => (
        <>
          <br />
          <span title={`${m.name} sha256:${m.sha256}`}>
            {m.name} {m.sha256.slice(0, 12)}
          </span>
        </>
      ))}
    </small>
  );
}

function Row({ lang, t, r, comments }: { lang: Lang; t: Translate; r: DrillRating; comments: boolean }) {
  const why = whyNotCounted(t, r);
  return (
    <tr data-event-id={r.eventId} data-counted={String(r.counted)} class={r.counted ? '' : 'uncounted'}>
      <td data-label={t('time')}>{r.at ? formatVietnamTime(r.at) : '–'}</td>
      <td data-label={t('counter')}>{r.counterId}</td>
      <td data-label={t('officer')}>
        <Officer t={t} r={r} />
      </td>
      <td class={r.official === 'unsatisfied' ? 'bad' : ''} data-label={t('level')}>
        {levelText(lang, r.scale, r.level)}
      </td>
      <td data-label={t('dossier')}>{r.dossierIds.join(', ') || '–'}</td>
      <td data-label={t('ticket')}>{r.ticket ?? '–'}</td>
      <td data-label={t('reasons')} data-testid="drill-reasons">
        {reasonsText(lang, r.reasons)}
      </td>
      {comments ? (
        <td data-label={t('drillLinkedComment')} data-testid="drill-comment">
          {r.comments.length === 0
            ? '–'
            : r.comments.map((c) => (
                <p>
                  {c.kind === 'complaint' ? <b>{t('commentComplaint')}: </b> : ''}
                  {c.kind === 'praise' ? <i>{t('commentPraise')}: </i> : ''}
                  {c.body}
                </p>
              ))}
        </td>
      ) : (
        ''
      )}
      <td class="num muted" data-label={t('drillCamera')} data-testid="drill-camera">
        {r.camera ? displayNumber('points', r.camera.index) : '–'}
        {r.camera ? <CameraModels t={t} models={r.camera.models} /> : ''}
      </td>
      <td data-label={t('counted')}>
        {why.length > 0 ? (
          <small data-testid="uncounted-marker">
            <b>{t('notCounted')}</b>: {why.join('; ')}
          </small>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}

type Props = {
  lang: Lang;
  t: Translate;
  rows: readonly DrillRating[];
  pager: PagerHtml;
  /**
   * Citizens' comments beside the ratings: for the unit's leaders only. An officer reading their
   * own ratings must not be able to tell which citizen complained about them (`canFollowUpComments`).
   */
  comments: boolean;
};

/**
 * The ratings behind a figure, one page of them: each with its dossier, reasons in words, the
 * comment on the same dossier, and the camera's estimate in its own greyed column (never mixed
 * into the official level beside it).
 */
export function DrillRatingsTable({ lang, t, rows, pager, comments }: Props) {
  if (rows.length === 0)
    return (
      <>
        {pager}
        <p class="muted" data-testid="drill-empty">
          {t('empty')}
        </p>
      </>
    );
  return (
    <>
      {pager}
      <table data-testid="drill-ratings">
        <thead>
          <tr>
            <th>{t('time')}</th>
            <th>{t('counter')}</th>
            <th>{t('officer')}</th>
            <th>{t('level')}</th>
            <th>{t('dossier')}</th>
            <th>{t('ticket')}</th>
            <th>{t('reasons')}</th>
            {comments ? <th>{t('drillLinkedComment')}</th> : ''}
            <th class="num">{t('drillCamera')}</th>
            <th>{t('counted')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <Row lang={lang} t={t} r={r} comments={comments} />
          ))}
        </tbody>
      </table>
      {pager}
    </>
  );
}
