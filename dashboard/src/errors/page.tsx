import type { Child, FC } from 'hono/jsx';
import type { MessageKey, Translate } from '../i18n.js';

type Props = {
  t: Translate;
  status: number;
  title: MessageKey;
  paragraphs: readonly MessageKey[];
  /** Where "back" leads: the role's home, `/login`, or nowhere (a citizen on the comment form). */
  home: string | null;
  children?: Child;
};

/** The body of every error page: what happened in words, details, and the way back. */
export const ErrorBody: FC<Props> = ({ t, status, title, paragraphs, home, children }) => (
  <section data-testid="error" data-status={String(status)}>
    <h2>{t(title)}</h2>
    {paragraphs.map((p) => (
      <p>{t(p)}</p>
    ))}
    {children}
    {home && (
      <p>
        <a href={home} data-testid="back-home">
          {t('backHome')}
        </a>
      </p>
    )}
  </section>
);

/** The field a 400 names, and the technical reason under it. */
export const BadInput: FC<{
  t: Translate;
  field?: string | null | undefined;
  reason?: string | undefined;
}> = ({ t, field, reason }) => (
  <>
    {field && (
      <p>
        {t('errorField')}: <code data-testid="error-field">{field}</code>
      </p>
    )}
    {reason && (
      <p class="note">
        {t('errorDetail')}: {reason}
      </p>
    )}
  </>
);
