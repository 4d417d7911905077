import { COMMAND_NAMES } from '@onestop/protocol';
import type { DeviceCommand, deviceDetail, getDeviceConfig } from '@onestop/store';
import type { Child, FC } from 'hono/jsx';
import type { Lang, Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';
import { CONFIRMED, isDisruptive } from './console/actions.js';
import { hideBadges } from './console/badges.js';
import { lifecycleText } from './lifecycle/messages.js';
import { LifecycleLinks } from './lifecycle/page.js';

type Device = NonNullable<Awaited<ReturnType<typeof deviceDetail>>>;
type StoredConfig = Awaited<ReturnType<typeof getDeviceConfig>>;

type Props = {
  t: Translate;
  device: Device;
  stored: StoredConfig;
  commands: readonly DeviceCommand[];
  /** Technicians and the city edit settings and queue commands; ward leaders only look. */
  editable: boolean;
  lang: Lang;
  /** The unit's leader only: everyone else sees officers' badge IDs hidden. */
  badges: boolean;
  notice?: { ok: boolean; text: string } | undefined;
  /** The stored telemetry drawn (`telemetry/charts.ts`), above the latest message. */
  charts?: Child;
  /** The settings form generated from the schema (`settings/form.tsx`), for those who edit. */
  settingsForm?: Child;
};

const json = (v: unknown) => JSON.stringify(v ?? null, null, 2);

/** One device: its state, settings (editable or shown), commands, telemetry and birth message. */
export const DevicePage: FC<Props> = ({
  t,
  device,
  stored,
  commands,
  editable,
  lang,
  badges,
  notice,
  charts,
  settingsForm,
}) => {
  const settings = stored && !badges ? hideBadges(stored.settings, t('badgeHidden')) : stored?.settings;
  return (
    <>
      <h2>
        {t('device')} {device.id}{' '}
        <small class="muted">
          {device.unitId} · {t('counter')} {device.counterId}
        </small>
      </h2>
      {notice && (
        <p class={notice.ok ? 'ok' : 'bad'} role="status" data-testid="notice">
          {notice.text}
        </p>
      )}
      <table>
        <tbody>
          <tr>
            <th>{t('status')}</th>
            <td>{device.revokedAt ? t('revoked') : device.status}</td>
          </tr>
          <tr>
            <th>{t('lastSeen')}</th>
            <td>{device.lastSeenAt ? formatVietnamTime(device.lastSeenAt) : '–'}</td>
          </tr>
          <tr>
            <th>Agent</th>
            <td>{device.agentVersion ?? '–'}</td>
          </tr>
          <tr>
            <th>{t('configVersion')}</th>
            <td data-testid="versions">
              {t('desired')} {stored?.version ?? '–'} · {t('applied')} {device.appliedConfigVersion ?? '–'}
            </td>
          </tr>
        </tbody>
      </table>
      <h3>{t('settings')}</h3>
      {editable ? settingsForm : <pre>{json(settings ?? null)}</pre>}
      {!badges && <p class="note">{t('badgeHiddenNote')}</p>}
      <h3>{t('commands')}</h3>
      {editable && (
        <div class="buttons">
          {COMMAND_NAMES.map((n) =>
            isDisruptive(n) ? (
              // A second, explicit step in plain HTML (no script for the CSP to allow), as the
              // roster's retire button; the server refuses the command without `confirm`.
              <details class="confirm" data-testid={`confirm-${n}`}>
                <summary>{t(`cmd_${n}`)}</summary>
                <form method="post" action={`/devices/${device.id}/commands`}>
                  <input type="hidden" name="name" value={n} />
                  <input type="hidden" name="confirm" value={CONFIRMED} />
                  <span class="note">{t('confirmCommandNote')}</span>{' '}
                  <button type="submit" class="danger">{`${t('confirmCommand')}: ${t(`cmd_${n}`)}`}</button>
                </form>
              </details>
            ) : (
              <form method="post" action={`/devices/${device.id}/commands`}>
                <input type="hidden" name="name" value={n} />
                <button type="submit">{t(`cmd_${n}`)}</button>
              </form>
            ),
          )}
        </div>
      )}
      <CommandsTable t={t} rows={commands} />
      {editable && <LifecycleLinks l={lifecycleText(lang)} device={device} />}
      <h3>Telemetry</h3>
      {charts}
      <pre>{json(device.telemetry)}</pre>
      <h3>Birth</h3>
      <pre>{json(device.birth)}</pre>
    </>
  );
};

function commandState(t: Translate, c: DeviceCommand): string {
  if (c.answeredAt) return c.ok ? t('cmdOk') : t('cmdFailed');
  if (c.sentAt) return t('cmdSent');
  return c.expiresAt < new Date() ? t('cmdExpired') : t('cmdQueued');
}

const CommandsTable: FC<{ t: Translate; rows: readonly DeviceCommand[] }> = ({ t, rows }) =>
  rows.length === 0 ? null : (
    <table data-testid="commands">
      <thead>
        <tr>
          <th>{t('time')}</th>
          <th>{t('action')}</th>
          <th>{t('actor')}</th>
          <th>{t('status')}</th>
          <th>{t('detail')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => (
          <tr>
            <td data-label={t('time')}>{formatVietnamTime(c.requestedAt)}</td>
            <td data-label={t('action')}>{c.name}</td>
            <td data-label={t('actor')}>{c.requestedBy}</td>
            <td class={c.answeredAt && !c.ok ? 'bad' : c.ok ? 'ok' : ''} data-label={t('status')}>
              {commandState(t, c)}
            </td>
            <td data-label={t('detail')}>{c.error ?? (c.result ? JSON.stringify(c.result) : '')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
