import type { FC } from 'hono/jsx';
import type { Translate } from '../../i18n.js';

/**
 * The "unit" filter of the console's GET forms (fleet, alerts): every unit, or none shown at all
 * for a ward leader (`units` null), whose pages are their own unit's whatever the query says.
 */
export const UnitSelect: FC<{
  t: Translate;
  units: ReadonlyArray<{ id: string; name: string }> | null;
  selected: string | undefined;
}> = ({ t, units, selected }) =>
  units ? (
    <label>
      {t('unitName')}{' '}
      <select name="unit">
        <option value="">{t('anyUnit')}</option>
        {units.map((u) => (
          <option value={u.id} selected={selected === u.id}>
            {u.name}
          </option>
        ))}
      </select>
    </label>
  ) : null;
