import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

export type Notice = { ok: boolean; text: string };

type Props = {
  t: Translate;
  unit: { id: string; name: string };
  roster: ReadonlyArray<{ id: string; name: string; badge: string | null }>;
  notice?: Notice | undefined;
  /** The unit's leader only (`canSeeBadges`): the city sees the column hidden. */
  badges: boolean;
};

const Field: FC<{ name: string; label: string; required?: boolean; maxLength: number; pattern?: string }> = (
  p,
) => (
  <p>
    <label>
      {p.label}
      <br />
      <input name={p.name} required={p.required} maxlength={p.maxLength} pattern={p.pattern} class="field" />
    </label>
  </p>
);

/** The unit's officers with a retire button each, and the form that adds or renames one. */
export const RosterPage: FC<Props> = ({ t, unit, roster, notice, badges }) => (
  <>
    <h2>
      {t('roster')} <small class="muted">{unit.name}</small>
    </h2>
    {notice && (
      <p class={notice.ok ? 'ok' : 'bad'} role="status" data-testid="notice">
        {notice.text}
      </p>
    )}
    <table data-testid="roster">
      <thead>
        <tr>
          <th>{t('officerId')}</th>
          <th>{t('officer')}</th>
          <th>{t('badge')}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {roster.map((o) => (
          <tr>
            <td data-label={t('officerId')}>{o.id}</td>
            <td data-label={t('officer')}>{o.name}</td>
            <td data-label={t('badge')}>{o.badge === null ? '–' : badges ? o.badge : t('badgeHidden')}</td>
            <td>
              {/* Retiring takes the officer off every counter of the unit: a second, explicit
                  step, in plain HTML (no script, so nothing for the CSP to allow). */}
              <details class="confirm">
                <summary>{t('retire')}</summary>
                <form method="post" action={`/units/${unit.id}/roster/${o.id}/retire`}>
                  <button type="submit" class="danger">{`${t('retireConfirm')} ${o.name}`}</button>
                </form>
              </details>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    <h3>{t('addOrUpdateOfficer')}</h3>
    <form method="post" action={`/units/${unit.id}/roster`}>
      <Field
        name="officerId"
        label={t('officerId')}
        required
        maxLength={64}
        pattern="[A-Za-z0-9][A-Za-z0-9._-]*"
      />
      <Field name="name" label={t('officer')} required maxLength={80} />
      {/* Not even an empty field for who may not see badges: the badge stays as it is. */}
      {badges && <Field name="badge" label={t('badge')} maxLength={64} />}
      <p>
        <button type="submit">{t('save')}</button>
      </p>
    </form>
    <p class="note">{t('rosterNote')}</p>
  </>
);
