import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

/** Sign-in with a password; `next` brings the person back to the page they asked for. */
export const LoginPage: FC<{ t: Translate; message?: string | undefined; next?: string | undefined }> = ({
  t,
  message,
  next,
}) => (
  <>
    <h2>{t('signIn')}</h2>
    {message && (
      <p class="bad" role="alert">
        {message}
      </p>
    )}
    <form method="post" action="/login" class="narrow">
      {next && <input type="hidden" name="next" value={next} />}
      <p>
        <label>
          {t('username')}
          <br />
          <input name="username" autocomplete="username" required class="big wide" />
        </label>
      </p>
      <p>
        <label>
          {t('password')}
          <br />
          <input name="password" type="password" autocomplete="current-password" required class="big wide" />
        </label>
      </p>
      <p>
        <button type="submit" class="big">
          {t('signIn')}
        </button>
      </p>
    </form>
  </>
);

/** A one-time link shows only a button: a chat app's link preview (a GET) must not spend it. */
export const LinkPage: FC<{ t: Translate; token: string }> = ({ t, token }) => (
  <>
    <h2>{t('signIn')}</h2>
    <form method="post" action="/login/link">
      <input type="hidden" name="token" value={token} />
      <p>
        <button type="submit" class="big">
          {t('continueSignIn')}
        </button>
      </p>
    </form>
  </>
);
