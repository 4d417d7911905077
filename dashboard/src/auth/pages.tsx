import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

const FIELD = 'width:100%;font-size:1.1rem';
const BUTTON = 'font-size:1.1rem;padding:.5rem 1.4rem';

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
    <form method="post" action="/login" style="max-width:22rem">
      {next && <input type="hidden" name="next" value={next} />}
      <p>
        <label>
          {t('username')}
          <br />
          <input name="username" autocomplete="username" required style={FIELD} />
        </label>
      </p>
      <p>
        <label>
          {t('password')}
          <br />
          <input name="password" type="password" autocomplete="current-password" required style={FIELD} />
        </label>
      </p>
      <p>
        <button type="submit" style={BUTTON}>
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
        <button type="submit" style={BUTTON}>
          {t('continueSignIn')}
        </button>
      </p>
    </form>
  </>
);
