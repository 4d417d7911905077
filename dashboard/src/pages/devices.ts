import type { DeviceListRow, OpenAlert, QuarantinedEvent } from '@onestop/store';
import { html } from 'hono/html';
import type { MessageKey, Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';

const STATUS_KEYS: Record<string, MessageKey> = {
  online: 'online',
  offline: 'offline',
  stopped: 'stopped',
  never_seen: 'never_seen',
};

function outboxDepth(telemetry: unknown): string {
  const depth = (telemetry as { outbox?: { depth?: unknown } } | null)?.outbox?.depth;
  return typeof depth === 'number' ? String(depth) : '–';
}

/** A board's last update report (`update/status`), as the devices table shows it. */
export interface UpdateCell {
  version: string;
  running: string;
  state: string;
  reason: string | null;
}

const UPDATE_OUTCOME: Record<string, MessageKey> = {
  healthy: 'rolloutOutcome_healthy',
  failed: 'rolloutOutcome_failed',
  'rolled-back': 'rolloutOutcome_rolled-back',
};

/** The version an update is bringing and where it stands; a failure says why. */
function updateCell(t: Translate, u: UpdateCell | undefined) {
  if (!u) return html`<td data-label="${t('updateColumn')}">–</td>`;
  const outcome = UPDATE_OUTCOME[u.state];
  const bad = u.state === 'failed' || u.state === 'rolled-back';
  return html`<td class="${bad ? 'bad' : ''}" data-label="${t('updateColumn')}" title="${u.reason ?? ''}">${u.version}: ${outcome ? t(outcome) : t('rolloutOutcome_downloading')}${bad && u.reason ? html`<br><small>${u.reason}</small>` : ''}</td>`;
}

/** `quarantined`: how many events of each device could not be placed in time (absent: none). */
export function devicesTable(
  t: Translate,
  rows: readonly DeviceListRow[],
  quarantined: ReadonlyMap<string, number>,
  updates: ReadonlyMap<string, UpdateCell> = new Map(),
) {
  if (rows.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  return html`<table data-testid="devices"><thead><tr><th>${t('device')}</th><th>${t('unitName')}</th><th>${t('counter')}</th>
<th>${t('status')}</th><th>${t('lastSeen')}</th><th>${t('outbox')}</th><th>${t('quarantined')}</th><th>Agent</th><th>${t('updateColumn')}</th></tr></thead>
<tbody>${rows.map((d) => {
    const key = d.revokedAt ? 'revoked' : (STATUS_KEYS[d.status] ?? 'never_seen');
    const q = quarantined.get(d.deviceId) ?? 0;
    return html`<tr><td data-label="${t('device')}"><a href="/devices/${d.deviceId}">${d.deviceId}</a></td><td data-label="${t('unitName')}">${d.unitId}</td><td data-label="${t('counter')}">${d.counterId}</td>
<td class="${key === 'online' ? 'ok' : key === 'offline' || key === 'revoked' ? 'bad' : ''}" data-label="${t('status')}">${t(key)}</td>
<td data-label="${t('lastSeen')}">${d.lastSeenAt ? formatVietnamTime(d.lastSeenAt) : '–'}</td><td class="num" data-label="${t('outbox')}">${outboxDepth(d.telemetry)}</td>
<td class="num${q > 0 ? ' bad' : ''}" data-label="${t('quarantined')}" data-testid="quarantined-${d.deviceId}">${q}</td><td data-label="Agent">${d.agentVersion ?? '–'}</td>${updateCell(t, updates.get(d.deviceId))}</tr>`;
  })}</tbody></table>`;
}

const EVENT_KEYS: Record<string, MessageKey> = {
  rating: 'event_rating',
  visit: 'event_visit',
  presence: 'event_presence',
  expression: 'event_expression',
};

/** The latest events whose time could not be placed: what the device claimed, when it arrived. */
export function quarantineTable(t: Translate, rows: QuarantinedEvent[]) {
  if (rows.length === 0) return html`<p class="ok" data-testid="quarantine">${t('noQuarantine')}</p>`;
  return html`<p class="note">${t('quarantineNote')}</p>
<table data-testid="quarantine"><thead><tr><th>${t('device')}</th><th>${t('unitName')}</th><th>${t('eventType')}</th>
<th>${t('deviceClaimed')}</th><th>${t('receivedAt')}</th></tr></thead>
<tbody>${rows.map((e) => {
    const key = EVENT_KEYS[e.type];
    return html`<tr><td data-label="${t('device')}"><a href="/devices/${e.deviceId}">${e.deviceId}</a></td><td data-label="${t('unitName')}">${e.unitId}</td>
<td data-label="${t('eventType')}">${key ? t(key) : e.type}</td><td class="bad" data-label="${t('deviceClaimed')}">${formatVietnamTime(e.deviceTs)}</td><td data-label="${t('receivedAt')}">${formatVietnamTime(e.receivedAt)}</td></tr>`;
  })}</tbody></table>`;
}

const ALERT_KEYS: Record<string, MessageKey> = {
  offline: 'alert_offline',
  outbox_filling: 'alert_outbox_filling',
  dead_letters: 'alert_dead_letters',
  camera_error: 'alert_camera_error',
  usb_device_missing: 'alert_usb_device_missing',
  overheating: 'alert_overheating',
  clock_skew: 'alert_clock_skew',
  quarantined_events: 'alert_quarantined_events',
  not_drained: 'alert_not_drained',
};

export function alertsTable(t: Translate, rows: OpenAlert[]) {
  if (rows.length === 0) return html`<p class="ok" data-testid="alerts">${t('noAlerts')}</p>`;
  return html`<table data-testid="alerts"><thead><tr><th>${t('device')}</th><th>${t('unitName')}</th>
<th>${t('openAlerts')}</th><th>${t('detail')}</th><th>${t('since')}</th></tr></thead>
<tbody>${rows.map((a) => {
    const key = ALERT_KEYS[a.kind];
    return html`<tr><td data-label="${t('device')}">${a.deviceId ?? '–'}</td><td data-label="${t('unitName')}">${a.unitId}</td><td class="bad" data-label="${t('openAlerts')}"><a href="/devices/alerts/${a.id}">${key ? t(key) : a.kind}</a></td>
<td data-label="${t('detail')}">${a.message}</td><td data-label="${t('since')}">${formatVietnamTime(a.createdAt)}</td></tr>`;
  })}</tbody></table>`;
}
