import { COMMENT_KINDS } from '@onestop/store';
import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

/** What the counter's QR code carries along, sent back with the comment as hidden fields. */
export type CommentContext = { unit: string; counter?: string; officer?: string; dossier?: string };

type FormProps = { t: Translate; unitName: string; context: CommentContext };

/** The citizen's form: kind, text, an optional contact. Large type: it is read on a phone. */
export const CommentForm: FC<FormProps> = ({ t, unitName, context }) => (
  <>
    <h2>{t('commentFormHeading')}</h2>
    <p>
      <b>{unitName}</b>
      {context.counter && ` · ${t('counter')} ${context.counter}`}
    </p>
    <form method="post" action="/comment">
      {(['unit', 'counter', 'officer', 'dossier'] as const).map((k) =>
        context[k] ? <input type="hidden" name={k} value={context[k]} /> : null,
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
          <input name="contact" maxlength={100} class="big wide" />
        </label>
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
  </>
);
