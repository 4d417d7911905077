import type { StaffListing, StaffRole } from '@onestop/store';
import type { FC } from 'hono/jsx';
import { fill, type MessageKey, type Translate } from '../i18n.js';
import { Pager } from '../pages/pager.js';
import type { Flash } from './flash.js';

export type Unit = { id: string; name: string };

/** A filter of the list: kept by its links, its pager and the actions' return. */
export interface ListView {
  role?: StaffRole | undefined;
  unit?: string | undefined;
  page: number;
}

export function listSearch(v: ListView, page = v.page): string {
  const q = new URLSearchParams();
  if (v.role) q.set('role', v.role);
  if (v.unit) q.set('unit', v.unit);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return s ? `?${s}` : '';
}

const roleKey = (role: string) => `role_${role}` as MessageKey;

const DONE_TEXT: Record<Flash['done'], MessageKey> = {
  added: 'userAdded',
  link: 'userLinkIssued',
  disabled: 'userDisabledDone',
  enabled: 'userEnabledDone',
};

/** What the last action did; a sign-in link in a box to copy, said to be shown this once. */
const FlashNotice: FC<{ t: Translate; flash: Flash }> = ({ t, flash }) => (
  <div class="ok" role="status" data-testid="notice">
    <p>{fill(t(DONE_TEXT[flash.done]), { username: flash.username })}</p>
    {flash.link && (
      <>
        <p>
          <b>{fill(t('userLinkTitle'), { username: flash.username })}</b>
        </p>
        <p>
          <input
            readonly
            class="wide"
            value={flash.link.url}
            aria-label={fill(t('userLinkTitle'), { username: flash.username })}
            data-testid="sign-in-link"
          />
        </p>
        <p class="note">{fill(t('userLinkOnce'), { minutes: flash.link.validMinutes })}</p>
      </>
    )}
  </div>
);

export const Refusal: FC<{ t: Translate; title: MessageKey; lines: readonly string[] }> = ({
  t,
  title,
  lines,
}) => (
  <div class="bad" role="alert" data-testid="refusal">
    <p>{t(title)}</p>
    {lines.map((l) => (
      <p>{l}</p>
    ))}
  </div>
);

interface ListProps {
  t: Translate;
  me: string;
  rows: readonly StaffListing[];
  total: number;
  size: number;
  view: ListView;
  roles: readonly StaffRole[];
  units: readonly Unit[];
  technician: boolean;
  flash?: Flash | undefined;
  refusal?: readonly string[] | undefined;
}

/** Accounts the asker may manage, filtered by role and unit, with their actions. */
export const UsersPage: FC<ListProps> = (p) => {
  const { t, view } = p;
  const unitName = new Map(p.units.map((u) => [u.id, u.name]));
  const back = listSearch(view);
  const action = (username: string, what: string) => `/users/${encodeURIComponent(username)}/${what}${back}`;
  return (
    <>
      <h2>{t('users')}</h2>
      <p class="note">
        {t('usersIntro')} {p.technician ? t('usersIntroTechnician') : ''}
      </p>
      {p.flash && <FlashNotice t={t} flash={p.flash} />}
      {p.refusal && <Refusal t={t} title="userActionRefused" lines={p.refusal} />}
      <p>
        <a href="/users/new" data-testid="add-user">
          {t('userAdd')}
        </a>
      </p>
      <form method="get" action="/users" class="filters" data-testid="user-filter">
        <label>
          {t('userRole')}{' '}
          <select name="role">
            <option value="">{t('userAnyRole')}</option>
            {p.roles.map((r) => (
              <option value={r} selected={view.role === r}>
                {t(roleKey(r))}
              </option>
            ))}
          </select>
        </label>{' '}
        {p.technician ? (
          ''
        ) : (
          <label>
            {t('userUnitShort')}{' '}
            <select name="unit">
              <option value="">{t('userAnyUnit')}</option>
              {p.units.map((u) => (
                <option value={u.id} selected={view.unit === u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
        )}{' '}
        <button type="submit">{t('userFilter')}</button>
      </form>
      {p.rows.length === 0 ? (
        <p class="muted">{t('usersEmpty')}</p>
      ) : (
        <table data-testid="users">
          <thead>
            <tr>
              <th>{t('username')}</th>
              <th>{t('userDisplayName')}</th>
              <th>{t('userRole')}</th>
              <th>{t('userUnitShort')}</th>
              <th>{t('status')}</th>
              <th>{t('userActions')}</th>
            </tr>
          </thead>
          <tbody>
            {p.rows.map((s) => (
              <tr data-username={s.username}>
                <td data-label={t('username')}>
                  {s.username} {s.username === p.me ? <small class="muted">{t('userYou')}</small> : ''}
                </td>
                <td data-label={t('userDisplayName')}>{s.displayName}</td>
                <td data-label={t('userRole')}>
                  {t(roleKey(s.role))}
                  {s.officerId ? ` · ${s.officerId}` : ''}
                </td>
                <td data-label={t('userUnitShort')}>
                  {s.unitId ? (unitName.get(s.unitId) ?? s.unitId) : '–'}
                </td>
                <td data-label={t('status')}>{s.disabled ? t('userDisabled') : t('userActive')}</td>
                <td data-label={t('userActions')}>
                  {s.disabled ? (
                    <form method="post" action={action(s.username, 'enable')}>
                      <button type="submit">{t('userEnable')}</button>
                    </form>
                  ) : (
                    <>
                      <form method="post" action={action(s.username, 'link')}>
                        <button type="submit">{t('userNewLink')}</button>
                      </form>
                      {s.username === p.me ? (
                        ''
                      ) : (
                        // Confirmed before it is done, without script (the CSP allows none inline).
                        <details data-testid="disable">
                          <summary>{t('userDisable')}…</summary>
                          <p class="note">{t('userDisableConfirm')}</p>
                          <form method="post" action={action(s.username, 'disable')}>
                            <button type="submit" class="danger">
                              {t('userDisable')} {s.username}
                            </button>
                          </form>
                        </details>
                      )}
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager
        t={t}
        page={view.page}
        size={p.size}
        total={p.total}
        shown={p.rows.length}
        href={(n) => `/users${listSearch(view, n)}`}
        id="users"
      />
    </>
  );
};

/** What the add form shows: what was typed, kept after a refusal. */
export interface AddValues {
  username: string;
  displayName: string;
  role: string;
  unitId: string;
  officerId: string;
}

export const EMPTY_ADD: AddValues = { username: '', displayName: '', role: '', unitId: '', officerId: '' };

interface AddProps {
  t: Translate;
  roles: readonly StaffRole[];
  units: readonly Unit[];
  values: AddValues;
  refusal?: readonly string[] | undefined;
}

/** A new account: sign-in name, name shown, role, and the unit or officer the role needs. */
export const AddUserPage: FC<AddProps> = ({ t, roles, units, values, refusal }) => (
  <>
    <h2>{t('userAdd')}</h2>
    <p>
      <a href="/users">{t('userBackToList')}</a>
    </p>
    {refusal && <Refusal t={t} title="userFormInvalid" lines={refusal} />}
    <form method="post" action="/users" class="narrow" data-testid="add-user-form">
      <p>
        <label>
          {t('username')}
          <br />
          <input
            name="username"
            value={values.username}
            required
            maxlength={63}
            autocomplete="off"
            class="wide"
          />
        </label>
      </p>
      <p>
        <label>
          {t('userDisplayName')}
          <br />
          <input name="displayName" value={values.displayName} maxlength={200} class="wide" />
        </label>
      </p>
      <p>
        <label>
          {t('userRole')}
          <br />
          <select name="role" required>
            {roles.map((r) => (
              <option value={r} selected={values.role === r}>
                {t(roleKey(r))}
              </option>
            ))}
          </select>
        </label>
      </p>
      {roles.includes('ward') && (
        <p>
          <label>
            {t('userUnit')}
            <br />
            <select name="unitId">
              <option value="">{t('userNoUnit')}</option>
              {units.map((u) => (
                <option value={u.id} selected={values.unitId === u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          </label>
        </p>
      )}
      {roles.includes('officer') && (
        <p>
          <label>
            {t('userOfficer')}
            <br />
            <input name="officerId" value={values.officerId} maxlength={64} class="wide" />
          </label>
        </p>
      )}
      <p class="note">{t('userAddHelp')}</p>
      <p>
        <button type="submit" class="big">
          {t('userCreate')}
        </button>
      </p>
    </form>
  </>
);
