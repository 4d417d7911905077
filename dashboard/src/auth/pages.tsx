import { MIN_PASSWORD_LENGTH } from '@onestop/store';
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

const NewPassword: FC<{ name: string; label: string }> = ({ name, label }) => (
  <p>
    <label>
      {label}
      <br />
      <input
        name={name}
        type="password"
        autocomplete="new-password"
        minlength={MIN_PASSWORD_LENGTH}
        class="big wide"
      />
    </label>
  </p>
);

/**
 * A one-time link shows only a button: a chat app's link preview (a GET) must not spend it. The
 * person may choose a new password on the way (how a forgotten one is reset); blank keeps the old.
 */
export const LinkPage: FC<{ t: Translate; token: string; message?: string | undefined }> = ({
  t,
  token,
  message,
}) => (
  <>
    <h2>{t('signIn')}</h2>
    {message && (
      <p class="bad" role="alert">
        {message}
      </p>
    )}
    <form method="post" action="/login/link" class="narrow">
      <input type="hidden" name="token" value={token} />
      <NewPassword name="password" label={t('linkNewPassword')} />
      <NewPassword name="confirm" label={t('linkNewPasswordAgain')} />
      <p>
        <button type="submit" class="big">
          {t('continueSignIn')}
        </button>
      </p>
    </form>
  </>
);
