import { CounterSettings } from '@onestop/protocol';
import type { FC } from 'hono/jsx';
import type { z } from 'zod';
import { fill, type MessageKey, type Translate } from '../../i18n.js';

/**
 * The settings form is generated from the one schema of counter settings (`CounterSettings` in
 * protocol/): a field added there appears here with its limits, and what the form sends is
 * checked by that same schema. Each field's kind is read from the schema's definition.
 */
type FieldKind =
  | { kind: 'choice'; options: readonly string[] }
  | { kind: 'int'; min: number | null; max: number | null }
  | { kind: 'text'; url: boolean }
  | { kind: 'rows'; keys: readonly string[]; maxRows: number }
  | { kind: 'managed' };
export type SettingField = FieldKind & { name: string; nullable: boolean };

type Def = { type: string; innerType?: Schema; element?: Schema; format?: string; checks?: unknown[] };
type Schema = z.ZodType & {
  def: Def;
  options?: readonly string[];
  minValue?: number | null;
  maxValue?: number | null;
  shape?: Record<string, Schema>;
};

/** An array's `.max(n)` as zod v4 keeps it (a check with `maximum`); 8 when none is found. */
function maxItems(s: Schema): number {
  for (const c of s.def.checks ?? []) {
    const m = (c as { _zod?: { def?: { maximum?: number } } })._zod?.def?.maximum;
    if (typeof m === 'number') return m;
  }
  return 8;
}

function fieldOf(name: string, schema: Schema): SettingField {
  let s = schema;
  let nullable = false;
  while (['default', 'nullable', 'optional'].includes(s.def.type)) {
    if (s.def.type === 'nullable') nullable = true;
    s = s.def.innerType!;
  }
  const t = s.def.type;
  if (t === 'enum') return { name, nullable, kind: 'choice', options: s.options ?? [] };
  if (t === 'number')
    return { name, nullable, kind: 'int', min: s.minValue ?? null, max: s.maxValue ?? null };
  if (t === 'string') return { name, nullable, kind: 'text', url: s.def.format === 'url' };
  if (t === 'array' && s.def.element?.shape)
    return { name, nullable, kind: 'rows', keys: Object.keys(s.def.element.shape), maxRows: maxItems(s) };
  // Officers (a record): from the roster only, never from this form (store/device-config.ts).
  return { name, nullable, kind: 'managed' };
}

export const SETTING_FIELDS: readonly SettingField[] = Object.entries(
  (CounterSettings as unknown as { shape: Record<string, Schema> }).shape,
).map(([name, s]) => fieldOf(name, s));

/** What the form shows: each field as text, as stored or as typed. */
export type FormValues = Record<string, string | Array<Record<string, string>>>;

/** The stored settings as form values. */
export function valuesOf(settings: CounterSettings): FormValues {
  const out: FormValues = {};
  for (const f of SETTING_FIELDS) {
    const v = (settings as Record<string, unknown>)[f.name];
    if (f.kind === 'rows')
      out[f.name] = ((v as Array<Record<string, unknown>>) ?? []).map((r) =>
        Object.fromEntries(f.keys.map((k) => [k, String(r[k] ?? '')])),
      );
    else if (f.kind !== 'managed') out[f.name] = v === null || v === undefined ? '' : String(v);
  }
  return out;
}

/** The posted form as typed (for showing again) and as a settings document (for the schema). */
export function readForm(body: Record<string, unknown>): {
  typed: FormValues;
  settings: Record<string, unknown>;
} {
  const typed: FormValues = {};
  const settings: Record<string, unknown> = {};
  const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '').slice(0, 2_000);
  for (const f of SETTING_FIELDS) {
    if (f.kind === 'managed') continue;
    if (f.kind === 'rows') {
      const rows: Array<Record<string, string>> = [];
      for (let i = 0; i < f.maxRows + 1; i++) {
        const row = Object.fromEntries(f.keys.map((k) => [k, text(`${f.name}.${i}.${k}`).trim()]));
        if (Object.values(row).some((v) => v !== '')) rows.push(row);
      }
      typed[f.name] = rows;
      settings[f.name] = rows;
      continue;
    }
    const raw = text(f.name).trim();
    typed[f.name] = raw;
    if (raw === '') {
      // Blank: null where the schema allows it, else the schema's default.
      if (f.nullable) settings[f.name] = null;
      continue;
    }
    // A number field that is not a number goes to the schema as typed: it says "expected number".
    settings[f.name] = f.kind === 'int' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  }
  return { typed, settings };
}

/** Each refused field's reason in the asker's language, keyed by field (`reasons.1.code` too). */
export function explainIssues(t: Translate, error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of error.issues) {
    const key = i.path.join('.');
    const limit =
      (i as { minimum?: unknown; maximum?: unknown }).minimum ?? (i as { maximum?: unknown }).maximum;
    const text =
      i.code === 'too_small'
        ? i.origin === 'string'
          ? t('issueRequired')
          : fill(t('issueTooSmall'), { limit: String(limit) })
        : i.code === 'too_big'
          ? fill(t(i.origin === 'array' ? 'issueTooMany' : 'issueTooBig'), { limit: String(limit) })
          : i.code === 'invalid_type'
            ? t('issueNumber')
            : i.code === 'invalid_value'
              ? t('issueChoice')
              : i.code === 'invalid_format'
                ? t(i.format === 'url' ? 'issueUrl' : 'issueFormat')
                : i.message;
    out[key] ??= text;
  }
  return out;
}

const label = (t: Translate, name: string) => t(`setting_${name}` as MessageKey);

const Error_: FC<{ text?: string | undefined; id: string }> = ({ text, id }) =>
  text ? (
    <span class="bad" id={id} data-testid={`error-${id}`}>
      {text}
    </span>
  ) : null;

type Props = {
  t: Translate;
  action: string;
  values: FormValues;
  errors: Record<string, string>;
};

/** The generated form: a control per field with its schema's limits, errors beside each. */
export const SettingsForm: FC<Props> = ({ t, action, values, errors }) => (
  <form method="post" action={action} data-testid="settings-form" class="settings-form">
    {SETTING_FIELDS.map((f) => {
      const err = errors[f.name];
      const describedBy = err ? `err-${f.name}` : undefined;
      if (f.kind === 'managed') return <p class="note">{t('settingOfficersNote')}</p>;
      if (f.kind === 'rows') {
        const rows = (values[f.name] as Array<Record<string, string>> | undefined) ?? [];
        const shown = [...rows, ...Array.from({ length: 2 }, () => ({}) as Record<string, string>)].slice(
          0,
          f.maxRows,
        );
        return (
          <fieldset>
            <legend>{label(t, f.name)}</legend>
            <p class="note">{t('settingReasonsNote')}</p>
            {shown.map((row, i) => (
              <p>
                {f.keys.map((k) => (
                  <>
                    <input
                      name={`${f.name}.${i}.${k}`}
                      value={row[k] ?? ''}
                      aria-label={`${label(t, f.name)} ${i + 1} ${k}`}
                      maxlength={80}
                      size={k === 'code' ? 12 : 22}
                    />{' '}
                  </>
                ))}
                <Error_
                  id={`err-${f.name}-${i}`}
                  text={f.keys.map((k) => errors[`${f.name}.${i}.${k}`]).find(Boolean)}
                />
              </p>
            ))}
            <Error_ id={`err-${f.name}`} text={err} />
          </fieldset>
        );
      }
      const value = (values[f.name] as string | undefined) ?? '';
      return (
        <p>
          <label for={`set-${f.name}`}>{label(t, f.name)}</label>
          <br />
          {f.kind === 'choice' ? (
            <select id={`set-${f.name}`} name={f.name} aria-describedby={describedBy}>
              {f.options.map((o) => (
                <option value={o} selected={o === value}>
                  {o}
                </option>
              ))}
            </select>
          ) : f.kind === 'int' ? (
            <input
              id={`set-${f.name}`}
              name={f.name}
              value={value}
              inputmode="numeric"
              aria-describedby={describedBy}
              class="field"
              // Limits as hints only: the server checks them and explains, whatever the browser does.
              placeholder={`${f.min ?? ''}–${f.max ?? ''}`}
            />
          ) : (
            <input
              id={`set-${f.name}`}
              name={f.name}
              value={value}
              aria-describedby={describedBy}
              class="wide"
              maxlength={2000}
            />
          )}{' '}
          <Error_ id={`err-${f.name}`} text={err} />
        </p>
      );
    })}
    <p>
      <button type="submit">{t('saveSettings')}</button>
    </p>
  </form>
);
