import type { AuditEntry } from '@onestop/store';
import type { FC } from 'hono/jsx';
import { type Lang, type Translate, translateIfKnown } from '../i18n.js';
import { formatVietnamTime } from '../period.js';

/** The action in words; a code nobody translated yet shows as itself rather than vanish. */
export function auditAction(lang: Lang, code: string): string {
  return translateIfKnown(lang, `audit_${code}`) ?? code;
}

/**
 * The details as `key: value` lines (an officer's badge ID masked: the audit is the city's, and
 * badge IDs are for the unit's leader only, `canSeeBadges`), nested values written out as compact JSON: readable, and
 * escaped by JSX like every other cell.
 */
export function auditDetails(details: unknown): string[] {
  if (details === null || details === undefined) return [];
  if (typeof details !== 'object' || Array.isArray(details)) return [valueText(details)];
  return Object.entries(details).map(
    ([k, v]) => `${k}: ${k === 'badge' && v !== null ? '***' : valueText(v)}`,
  );
}

function valueText(v: unknown): string {
  if (v === null || v === undefined) return '–';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

type AuditTableProps = { lang: Lang; t: Translate; rows: AuditEntry[] };

export const AuditTable: FC<AuditTableProps> = ({ lang, t, rows }) => {
  if (rows.length === 0) return <p class="muted">{t('empty')}</p>;
  return (
    <table data-testid="audit">
      <thead>
        <tr>
          <th>{t('time')}</th>
          <th>{t('actor')}</th>
          <th>{t('action')}</th>
          <th>{t('target')}</th>
          <th>{t('detail')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((a) => (
          <tr>
            <td data-label={t('time')}>{formatVietnamTime(a.at)}</td>
            <td data-label={t('actor')}>{a.actor}</td>
            <td data-label={t('action')} title={a.action}>
              {auditAction(lang, a.action)}
            </td>
            <td data-label={t('target')}>{a.target}</td>
            <td data-label={t('detail')}>
              {auditDetails(a.details).map((line, i) => (
                <>
                  {i > 0 ? <br /> : ''}
                  {line}
                </>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
