import { maskedDossier } from '@onestop/protocol';
import { COMMENT_KINDS } from '@onestop/store';
import type { FC } from 'hono/jsx';
import type { Lang, Translate } from '../i18n.js';

/**
 * What a comment is about: a visit, from the code its counter signed (checked by the store's
 * `checkCommentCode`), or only the unit, from a general poster code.
 */
export type CommentAbout =
  | { unit: { id: string; name: string }; token: null }
  | {
      unit: { id: string; name: string };
      token: string;
      visitId: string;
      deviceId: string;
      counterId: string;
      officerId: string | null;
      officerName: string | null;
      dossierIds: string[];
    };

type FormProps = { t: Translate; lang: Lang; about: CommentAbout };

/** The citizen's form: kind, text, an optional contact. Large type: it is read on a phone. */
export const CommentForm: FC<FormProps> = ({ t, lang, about }) => (
  <>
    <h2>{t('commentFormHeading')}</h2>
    <p>
      <b>{about.unit.name}</b>
      {about.token && ` · ${t('counter')} ${about.counterId}`}
      {about.token && about.officerName && ` · ${t('commentFormOfficer')} ${about.officerName}`}
    </p>
    <form method="post" action="/comment">
      {about.token ? (
        <input type="hidden" name="t" value={about.token} />
      ) : (
        <input type="hidden" name="unit" value={about.unit.id} />
      )}
      {lang === 'en' && <input type="hidden" name="lang" value="en" />}
      {about.token && about.dossierIds.length > 1 && (
        <p>
          <label>
            {t('commentFormDossier')}
            <br />
            <select name="dossier" class="big">
              {about.dossierIds.map((d) => (
                <option value={d}>{maskedDossier(d)}</option>
              ))}
            </select>
          </label>
        </p>
      )}
      {about.token && about.dossierIds.length === 1 && (
        <p>
          {t('commentFormDossier')}: <b>{maskedDossier(about.dossierIds[0]!)}</b>
        </p>
      )}
      <fieldset class="big">
        <legend>{t('commentFormKind')}</legend>
        {COMMENT_KINDS.map((k) => (
          <label class="choice">
            <input type="radio" name="kind" value={k} required /> {t(`commentKind_${k}`)}
          </label>
        ))}
      </fieldset>
      <p>
        <label>
          {t('commentFormBody')}
          <br />
          <textarea name="body" rows={6} required minlength={3} maxlength={2000} class="big wide"></textarea>
        </label>
      </p>
      <p>
        <label>
          {t('commentFormContact')}
          <br />
          <input
            name="contact"
            maxlength={100}
            class="big wide"
            autocomplete="tel"
            aria-describedby="contact-use"
          />
        </label>
        <br />
        <small id="contact-use">{t('commentFormContactUse')}</small>
      </p>
      <p>
        <button type="submit" class="big">
          {t('commentFormSend')}
        </button>
      </p>
    </form>
    <p class="note">{t('commentFormPrivacy')}</p>
  </>
);

/** The thanks, with the reference the citizen quotes to ask about the comment later. */
export const CommentThanks: FC<{ t: Translate; reference: string }> = ({ t, reference }) => (
  <>
    <p class="lead">{t('commentFormThanks')}</p>
    <p>
      {t('commentFormReference')}{' '}
      <b class="reference" data-testid="comment-reference">
        {reference}
      </b>
    </p>
    <p>
      <a href={`/comment/status?ref=${reference}`} data-testid="comment-status-link">
        {t('commentStatusHeading')}
      </a>
    </p>
  </>
);
