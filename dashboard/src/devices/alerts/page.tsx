import type { AlertRow, AlertStep, UnitAlertHook } from '@onestop/store';
import type { FC } from 'hono/jsx';
import { type MessageKey, type Translate, translateIfKnown } from '../../i18n.js';
import { formatVietnamTime } from '../../period.js';
import type { Notice } from '../console/actions.js';
import { UnitSelect } from '../console/unit-select.js';

export const ALERT_FILTER_STATUSES = ['active', 'open', 'acknowledged', 'cleared'] as const;
export const ALERT_KINDS = [
  'offline',
  'outbox_filling',
  'dead_letters',
  'camera_error',
  'usb_device_missing',
  'overheating',
  'clock_skew',
  'quarantined_events',
] as const;

const kindText = (t: Translate, kind: string) =>
  (ALERT_KINDS as readonly string[]).includes(kind) ? t(`alert_${kind}` as MessageKey) : kind;

const NoticeLine: FC<{ notice?: Notice | undefined }> = ({ notice }) =>
  notice ? (
    <p class={notice.ok ? 'ok' : 'bad'} role="status" data-testid="notice">
      {notice.text}
    </p>
  ) : null;

type ListProps = {
  t: Translate;
  rows: readonly AlertRow[];
  filter: { status: string; kind?: string | undefined; unit?: string | undefined };
  /** Units to filter by (absent for a ward leader, who sees only their own). */
  units: ReadonlyArray<{ id: string; name: string }> | null;
};

/** The alerts with their state, filtered by a plain GET form (a link keeps the filter). */
export const AlertList: FC<ListProps> = ({ t, rows, filter, units }) => (
  <>
    <h2>{t('alertsConsole')}</h2>
    <p>
      <a href="/devices">{t('devices')}</a> · <a href="/devices/alerts/hooks">{t('alertHooks')}</a>
    </p>
    <form method="get" action="/devices/alerts" class="filters" data-testid="alert-filters">
      <label>
        {t('status')}{' '}
        <select name="status">
          {ALERT_FILTER_STATUSES.map((s) => (
            <option value={s} selected={filter.status === s}>
              {t(`alertStatus_${s}`)}
            </option>
          ))}
        </select>
      </label>{' '}
      <label>
        {t('alertKind')}{' '}
        <select name="kind">
          <option value="">{t('anyKind')}</option>
          {ALERT_KINDS.map((k) => (
            <option value={k} selected={filter.kind === k}>
              {kindText(t, k)}
            </option>
          ))}
        </select>
      </label>{' '}
      <UnitSelect t={t} units={units} selected={filter.unit} /> <button type="submit">{t('filter')}</button>
    </form>
    {rows.length === 0 ? (
      <p class="ok" data-testid="alert-list">
        {t('noAlerts')}
      </p>
    ) : (
      <table data-testid="alert-list">
        <thead>
          <tr>
            <th>{t('alert')}</th>
            <th>{t('device')}</th>
            <th>{t('unitName')}</th>
            <th>{t('status')}</th>
            <th>{t('assignee')}</th>
            <th>{t('detail')}</th>
            <th>{t('since')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr data-testid={`alert-${a.id}`}>
              <td data-label={t('alert')}>
                <a href={`/devices/alerts/${a.id}`}>{kindText(t, a.kind)}</a>
              </td>
              <td data-label={t('device')}>
                {a.deviceId ? <a href={`/devices/${a.deviceId}`}>{a.deviceId}</a> : '–'}
              </td>
              <td data-label={t('unitName')}>{a.unitId}</td>
              <td
                data-label={t('status')}
                class={a.status === 'open' ? 'bad' : a.status === 'cleared' ? 'ok' : ''}
              >
                {t(`alertStatus_${a.status}`)}
              </td>
              <td data-label={t('assignee')}>{a.assignee ?? '–'}</td>
              <td data-label={t('detail')}>{a.message}</td>
              <td data-label={t('since')}>{formatVietnamTime(a.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
  </>
);

type DetailProps = {
  t: Translate;
  lang: 'vi' | 'en';
  alert: AlertRow;
  steps: readonly AlertStep[];
  technicians: ReadonlyArray<{ username: string; displayName: string }>;
  editable: boolean;
  notice?: Notice | undefined;
  /** What was typed in a refused form, shown again so nothing is lost. */
  typed?: { action: string; comment: string } | undefined;
};

const CommentBox: FC<{ t: Translate; value: string }> = ({ t, value }) => (
  <label>
    {t('comment')}
    <br />
    <textarea name="comment" rows={2} maxlength={1000} class="wide" required>
      {value}
    </textarea>
  </label>
);

/** One alert: its state, its history, and (for technicians and the city) what can be done. */
export const AlertDetail: FC<DetailProps> = ({
  t,
  lang,
  alert,
  steps,
  technicians,
  editable,
  notice,
  typed,
}) => {
  const kept = (action: string) => (typed?.action === action ? typed.comment : '');
  const active = alert.status !== 'cleared';
  const action = (name: string) => `/devices/alerts/${alert.id}/${name}`;
  return (
    <>
      <h2>
        {t('alert')} #{alert.id}: {kindText(t, alert.kind)}{' '}
        <small class="muted">
          {alert.unitId} ·{' '}
          {alert.deviceId ? <a href={`/devices/${alert.deviceId}`}>{alert.deviceId}</a> : '–'}
        </small>
      </h2>
      <p>
        <a href="/devices/alerts">{t('alertsAll')}</a>
      </p>
      <NoticeLine notice={notice} />
      <table>
        <tbody>
          <tr>
            <th>{t('status')}</th>
            <td data-testid="alert-status">{t(`alertStatus_${alert.status}`)}</td>
          </tr>
          <tr>
            <th>{t('detail')}</th>
            <td>{alert.message}</td>
          </tr>
          <tr>
            <th>{t('since')}</th>
            <td>{formatVietnamTime(alert.createdAt)}</td>
          </tr>
          <tr>
            <th>{t('assignee')}</th>
            <td data-testid="alert-assignee">{alert.assignee ?? t('nobody')}</td>
          </tr>
        </tbody>
      </table>
      {editable && active && (
        <div class="alert-actions">
          {alert.status === 'open' && (
            <form method="post" action={action('acknowledge')} data-testid="form-acknowledge">
              <CommentBox t={t} value={kept('acknowledge')} />
              <button type="submit">{t('acknowledge')}</button>
            </form>
          )}
          <form method="post" action={action('assign')} data-testid="form-assign">
            <label>
              {t('assignee')}{' '}
              <select name="assignee">
                <option value="">{t('nobody')}</option>
                {technicians.map((u) => (
                  <option value={u.username} selected={alert.assignee === u.username}>
                    {u.displayName} ({u.username})
                  </option>
                ))}
              </select>
            </label>{' '}
            <button type="submit">{t('assign')}</button>
          </form>
          <form method="post" action={action('comment')} data-testid="form-comment">
            {/* A refused acknowledgement of an alert acknowledged meanwhile: its words land here. */}
            <CommentBox
              t={t}
              value={kept('comment') || (alert.status !== 'open' ? kept('acknowledge') : '')}
            />
            <button type="submit">{t('addComment')}</button>
          </form>
          <form method="post" action={action('clear')} data-testid="form-clear">
            <CommentBox t={t} value={kept('clear')} />
            <button type="submit" class="danger">
              {t('clearAlert')}
            </button>
          </form>
        </div>
      )}
      <h3>{t('alertHistory')}</h3>
      <table data-testid="alert-history">
        <thead>
          <tr>
            <th>{t('time')}</th>
            <th>{t('actor')}</th>
            <th>{t('action')}</th>
            <th>{t('comment')}</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((s) => (
            <tr>
              <td data-label={t('time')}>{formatVietnamTime(s.at)}</td>
              <td data-label={t('actor')}>{s.actor}</td>
              <td data-label={t('action')}>
                {translateIfKnown(lang, `alertAction_${s.action}`) ?? s.action}
              </td>
              <td data-label={t('comment')}>
                {s.action === 'cleared' && s.actor === 'system' ? t('clearedAuto') : (s.comment ?? '')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
};

type HooksProps = {
  t: Translate;
  hooks: readonly UnitAlertHook[];
  editable: boolean;
  notice?: Notice | undefined;
  typed?: { unitId: string; url: string } | undefined;
};

/** Each unit's webhook with its delivery counts; technicians and the city set them. */
export const HooksPage: FC<HooksProps> = ({ t, hooks, editable, notice, typed }) => (
  <>
    <h2>{t('alertHooks')}</h2>
    <p>
      <a href="/devices/alerts">{t('alertsConsole')}</a>
    </p>
    <p class="note">{t('alertHooksNote')}</p>
    <NoticeLine notice={notice} />
    {hooks.length === 0 ? (
      <p class="muted">{t('empty')}</p>
    ) : (
      <table data-testid="hooks">
        <thead>
          <tr>
            <th>{t('unitName')}</th>
            <th>{t('hookUrl')}</th>
            <th>{t('hookDelivered')}</th>
            <th>{t('hookFailures')}</th>
            <th>{t('hookLastError')}</th>
          </tr>
        </thead>
        <tbody>
          {hooks.map((h) => (
            <tr data-testid={`hook-${h.unitId}`}>
              <td data-label={t('unitName')}>{h.unitId}</td>
              <td data-label={t('hookUrl')}>{h.url}</td>
              <td class="num" data-label={t('hookDelivered')}>
                {h.delivered}
              </td>
              <td class={`num${h.failures > 0 ? ' bad' : ''}`} data-label={t('hookFailures')}>
                {h.failures}
              </td>
              <td data-label={t('hookLastError')}>
                {h.lastError
                  ? `${h.lastError} (${h.lastFailureAt ? formatVietnamTime(h.lastFailureAt) : ''})`
                  : '–'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    )}
    {editable && (
      <form method="post" action="/devices/alerts/hooks" data-testid="form-hook">
        <p>
          <label>
            {t('unitName')}
            <br />
            <input name="unitId" required maxlength={64} class="field" value={typed?.unitId ?? ''} />
          </label>
        </p>
        <p>
          <label>
            {t('hookUrl')}
            <br />
            <input name="url" type="url" maxlength={2000} class="wide" value={typed?.url ?? ''} />
          </label>
        </p>
        <button type="submit">{t('hookSave')}</button>
      </form>
    )}
  </>
);
