import { type DayHours, type UnitSettings, WEEKDAYS, type Weekday } from '@onestop/evaluation';
import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { fill, type MessageKey, type Translate } from '../i18n.js';

/** The settings form as typed: strings, so that a refused form comes back exactly as sent. */
export interface SettingsForm {
  days: Record<Weekday, { open: string; close: string; closed: boolean }>;
  rapidRepeatSeconds: string;
  burstMaxPresses: string;
  burstWindowMinutes: string;
  /** The satisfied-share target in percent, as leaders speak of it (stored as a share, 0.5–1). */
  satisfiedShareTarget: string;
}

/** A share as the percent typed on the form, and back; anything not a number goes through as typed. */
const asPercent = (share: number) => String(Number((share * 100).toFixed(1)));
const fromPercent = (v: string) => (v === '' ? undefined : /^\d+(\.\d+)?$/.test(v) ? Number(v) / 100 : v);

/** The form filled with stored settings. */
export function formOf(s: UnitSettings): SettingsForm {
  return {
    days: Object.fromEntries(
      WEEKDAYS.map((d) => {
        const h = s.openingHours[d];
        return [d, { open: h?.open ?? '', close: h?.close ?? '', closed: h === null }];
      }),
    ) as SettingsForm['days'],
    rapidRepeatSeconds: String(s.rapidRepeat.windowSeconds),
    burstMaxPresses: String(s.burst.maxPresses),
    burstWindowMinutes: String(s.burst.windowMinutes),
    satisfiedShareTarget: asPercent(s.targets.satisfiedShare),
  };
}

/** A typed value; blank is absent (`form()` drops blank fields), the schema judges the rest. */
const Typed = z.string().trim().optional();

/**
 * The settings form's fields as posted (`mon.open`, `mon.close`, `mon.closed`, …, then the
 * numbers): strings only, so a file or a repeated field is refused at the edge. Values are not
 * judged here: `UnitSettings` does that, so the form can come back with what was typed.
 */
export const SettingsBody = z.object({
  ...Object.fromEntries(
    WEEKDAYS.flatMap((d) => [`${d}.open`, `${d}.close`, `${d}.closed`].map((k) => [k, Typed])),
  ),
  rapidRepeatSeconds: Typed,
  burstMaxPresses: Typed,
  burstWindowMinutes: Typed,
  satisfiedShareTarget: Typed,
});

/** The form as typed from the posted fields; anything else is ignored. */
export function formFromBody(body: Readonly<Record<string, string | undefined>>): SettingsForm {
  const text = (k: string) => body[k] ?? '';
  return {
    days: Object.fromEntries(
      WEEKDAYS.map((d) => [
        d,
        { open: text(`${d}.open`), close: text(`${d}.close`), closed: body[`${d}.closed`] !== undefined },
      ]),
    ) as SettingsForm['days'],
    rapidRepeatSeconds: text('rapidRepeatSeconds'),
    burstMaxPresses: text('burstMaxPresses'),
    burstWindowMinutes: text('burstWindowMinutes'),
    satisfiedShareTarget: text('satisfiedShareTarget'),
  };
}

/**
 * The settings document the form asks for, for `UnitSettings` to judge: an empty field takes its
 * default; anything typed goes through as typed, so that the schema names what is wrong with it.
 */
export function documentOf(f: SettingsForm): unknown {
  const whole = (v: string) => (v === '' ? undefined : /^-?\d+$/.test(v) ? Number(v) : v);
  const day = (h: SettingsForm['days'][Weekday]) =>
    h.closed ? null : h.open === '' && h.close === '' ? undefined : { open: h.open, close: h.close };
  return {
    openingHours: Object.fromEntries(WEEKDAYS.map((d) => [d, day(f.days[d])])),
    rapidRepeat: { windowSeconds: whole(f.rapidRepeatSeconds) },
    burst: { maxPresses: whole(f.burstMaxPresses), windowMinutes: whole(f.burstWindowMinutes) },
    targets: { satisfiedShare: fromPercent(f.satisfiedShareTarget) },
  };
}

const NUMBER_FIELDS: Record<string, MessageKey> = {
  'rapidRepeat.windowSeconds': 'rapidRepeatSeconds',
  'burst.maxPresses': 'burstMaxPresses',
  'burst.windowMinutes': 'burstWindowMinutes',
  'targets.satisfiedShare': 'satisfiedShareTarget',
};
/** Fields typed in percent while the schema bounds them as shares: bounds are said in percent. */
const PERCENT_FIELDS = new Set(['targets.satisfiedShare']);
const isWeekday = (k: PropertyKey | undefined): k is Weekday =>
  k !== undefined && (WEEKDAYS as readonly PropertyKey[]).includes(k);

function fieldLabel(t: Translate, path: readonly PropertyKey[]): string {
  const [group, day, bound] = path;
  if (group === 'openingHours' && isWeekday(day)) {
    const name = t(`weekday_${day}`);
    return bound === 'open'
      ? `${name} · ${t('opens')}`
      : bound === 'close'
        ? `${name} · ${t('closes')}`
        : name;
  }
  const key = NUMBER_FIELDS[path.join('.')];
  return key ? t(key) : path.join('.');
}

/**
 * The schema's refusal in the leader's language: each problem with the field named as on the form.
 * A day whose hour is malformed is not also told that it closes before it opens.
 */
export function issueMessages(t: Translate, error: z.ZodError): string[] {
  const malformedDays = new Set(
    error.issues.filter((i) => i.code === 'invalid_format').map((i) => i.path[1]),
  );
  return error.issues
    .filter((i) => !(i.code === 'custom' && i.path.length === 2 && malformedDays.has(i.path[1])))
    .map((i) => {
      const bound = (n: number | bigint) =>
        String(PERCENT_FIELDS.has(i.path.join('.')) ? asPercent(Number(n)) : n);
      const reason =
        i.code === 'invalid_format'
          ? t('issueClock')
          : i.code === 'custom' && i.path[0] === 'openingHours'
            ? t('issueCloseAfterOpen')
            : i.code === 'too_small'
              ? fill(t('issueMin'), { n: bound(i.minimum) })
              : i.code === 'too_big'
                ? fill(t('issueMax'), { n: bound(i.maximum) })
                : i.code === 'invalid_type'
                  ? t('issueWhole')
                  : i.message;
      return `${fieldLabel(t, i.path)}: ${reason}`;
    });
}

export function hoursText(t: Translate, h: DayHours): string {
  return h === null ? t('closedAllDay') : `${h.open}–${h.close}`;
}

type FormProps = { t: Translate; unitId: string; form: SettingsForm; defaults: UnitSettings };

/** The form, with each field's default beside it. */
export const SettingsFormView: FC<FormProps> = ({ t, unitId, form: f, defaults }) => {
  const Day: FC<{ d: Weekday }> = ({ d }) => {
    const v = f.days[d];
    const name = t(`weekday_${d}`);
    return (
      <tr data-day={d}>
        <td>{name}</td>
        <td>
          <input
            name={`${d}.open`}
            value={v.open}
            size={5}
            placeholder="HH:MM"
            aria-label={`${name} ${t('opens')}`}
          />
        </td>
        <td>
          <input
            name={`${d}.close`}
            value={v.close}
            size={5}
            placeholder="HH:MM"
            aria-label={`${name} ${t('closes')}`}
          />
        </td>
        <td>
          <input
            type="checkbox"
            name={`${d}.closed`}
            value="1"
            aria-label={`${name} ${t('closedAllDay')}`}
            checked={v.closed}
          />
        </td>
        <td class="muted">{hoursText(t, defaults.openingHours[d])}</td>
      </tr>
    );
  };
  const NumberField: FC<{
    name: Exclude<keyof SettingsForm, 'days'>;
    label: MessageKey;
    fallback: number;
  }> = (p) => (
    <p>
      <label>
        {t(p.label)}
        <br />
        <input name={p.name} value={f[p.name]} inputmode="numeric" size={6} />
      </label>{' '}
      <small class="muted">
        {t('defaultValue')}: {p.fallback}
      </small>
    </p>
  );
  return (
    <form method="post" action={`/units/${unitId}/settings`} data-testid="unit-settings">
      <h3>{t('openingHours')}</h3>
      <table data-testid="opening-hours">
        <thead>
          <tr>
            <th>{t('weekday')}</th>
            <th>{t('opens')}</th>
            <th>{t('closes')}</th>
            <th>{t('closedAllDay')}</th>
            <th>{t('defaultValue')}</th>
          </tr>
        </thead>
        <tbody>
          {WEEKDAYS.map((d) => (
            <Day d={d} />
          ))}
        </tbody>
      </table>
      <h3>{t('filtersTitle')}</h3>
      <NumberField
        name="rapidRepeatSeconds"
        label="rapidRepeatSeconds"
        fallback={defaults.rapidRepeat.windowSeconds}
      />
      <NumberField name="burstMaxPresses" label="burstMaxPresses" fallback={defaults.burst.maxPresses} />
      <NumberField
        name="burstWindowMinutes"
        label="burstWindowMinutes"
        fallback={defaults.burst.windowMinutes}
      />
      <h3>{t('targetsTitle')}</h3>
      <NumberField
        name="satisfiedShareTarget"
        label="satisfiedShareTarget"
        fallback={Number(asPercent(defaults.targets.satisfiedShare))}
      />
      <p>
        <button type="submit">{t('saveUnitSettings')}</button>
      </p>
    </form>
  );
};
