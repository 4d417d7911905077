import type { AuditEntry } from '@onestop/store';
import { html } from 'hono/html';
import type { Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';

export function auditTable(t: Translate, rows: AuditEntry[]) {
  if (rows.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  return html`<table data-testid="audit"><thead><tr><th>${t('time')}</th><th>${t('actor')}</th><th>${t('action')}</th>
<th>${t('target')}</th><th>${t('detail')}</th></tr></thead>
<tbody>${rows.map(
    (
      a,
    ) => html`<tr><td data-label="${t('time')}">${formatVietnamTime(a.at)}</td><td data-label="${t('actor')}">${a.actor}</td><td data-label="${t('action')}">${a.action}</td><td data-label="${t('target')}">${a.target}</td>
<td data-label="${t('detail')}"><code>${a.details === null ? '' : JSON.stringify(a.details)}</code></td></tr>`,
  )}</tbody></table>`;
}
