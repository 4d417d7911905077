import { DEFAULT_DRAIN_DAYS, MAX_DRAIN_DAYS } from '@onestop/protocol';
import type { FC } from 'hono/jsx';
import { fill } from '../../i18n.js';
import { formatVietnamTime } from '../../period.js';
import type { LifecycleText } from './messages.js';
import type { Handover } from './one-time.js';

export const ACTIONS = ['replace', 'restore', 'rotate', 'revoke'] as const;
export type Action = (typeof ACTIONS)[number];

/** Where a device stands, as far as its lifecycle goes. */
export interface Standing {
  id: string;
  counterId: string;
  revokedAt: Date | null;
  replacedBy: string | null;
  drainUntil: Date | null;
}

/** What can be done to a device now: a revoked one restored, a live one replaced, rotated, revoked. */
export function actionsFor(d: Standing): Action[] {
  if (d.revokedAt) return ['restore'];
  if (d.replacedBy) return ['revoke'];
  return ['replace', 'rotate', 'revoke'];
}

/** On the device page (technicians and the city): its standing and a link to each action's confirmation. */
export const LifecycleLinks: FC<{ l: LifecycleText; device: Standing }> = ({ l, device }) => (
  <section data-testid="lifecycle">
    <h3>{l('lifecycle')}</h3>
    {device.replacedBy && !device.revokedAt && (
      <p class="note" data-testid="draining">
        {l('draining')} <a href={`/devices/${device.replacedBy}`}>{device.replacedBy}</a>
        {device.drainUntil && ` · ${l('drainUntil')} ${formatVietnamTime(device.drainUntil)}`}
      </p>
    )}
    <p class="buttons">
      {actionsFor(device).map((a) => (
        <a class="button" href={`/devices/${device.id}/lifecycle/${a}`} data-testid={`lifecycle-${a}`}>
          {l(a)}
        </a>
      ))}
    </p>
  </section>
);

export interface ConfirmInput {
  newDeviceId?: string | undefined;
  drainDays?: string | undefined;
}

/** The confirmation step: what the action does, its fields (kept after a refusal), confirm or cancel. */
export const ConfirmPage: FC<{
  l: LifecycleText;
  device: Standing;
  action: Action;
  input: ConfirmInput;
  error?: string | undefined;
}> = ({ l, device, action, input, error }) => (
  <>
    <h2>
      {l(action)}: {device.id}
    </h2>
    {error && (
      <p class="bad" role="alert" data-testid="notice">
        {error}
      </p>
    )}
    <p>{fill(l(`explain_${action}`), { counter: device.counterId })}</p>
    <form method="post" action={`/devices/${device.id}/lifecycle/${action}`}>
      <input type="hidden" name="confirm" value="yes" />
      {action === 'replace' && (
        <>
          <p>
            <label>
              {l('newDeviceId')}{' '}
              <input
                name="newDeviceId"
                required
                maxlength={64}
                pattern="[a-z0-9][a-z0-9-]*"
                value={input.newDeviceId ?? ''}
              />
            </label>
          </p>
          <p>
            <label>
              {l('drainDays')}{' '}
              <input
                name="drainDays"
                type="number"
                min={0}
                max={MAX_DRAIN_DAYS}
                value={input.drainDays ?? String(DEFAULT_DRAIN_DAYS)}
              />
            </label>
          </p>
        </>
      )}
      <p>
        <button type="submit" data-testid="confirm">
          {l('confirm')}
        </button>{' '}
        <a href={`/devices/${device.id}`}>{l('cancel')}</a>
      </p>
    </form>
  </>
);

/** After the redirect: what was done, and for a new password the credentials, once. */
export const DonePage: FC<{
  l: LifecycleText;
  deviceId: string;
  action: Action;
  handover?: Handover | null;
}> = ({ l, deviceId, action, handover }) => (
  <>
    <h2>{l(`done_${action}`)}</h2>
    {handover === null && (
      <p class="bad" data-testid="notice">
        {l('credentialsGone')}
      </p>
    )}
    {handover && (
      <>
        <p class="ok" role="status" data-testid="notice">
          {l(`done_${action}`)}: {handover.deviceId}
        </p>
        <p class="note">{l('passwordOnce')}</p>
        <pre data-testid="credentials">
          {JSON.stringify(
            {
              device: { unitId: handover.unitId, counterId: handover.counterId, deviceId: handover.deviceId },
              mqtt: { username: handover.username, password: handover.password },
            },
            null,
            2,
          )}
        </pre>
        {handover.replaced && (
          <p data-testid="draining">
            {l('draining')} {handover.deviceId}:{' '}
            <a href={`/devices/${handover.replaced}`}>{handover.replaced}</a>
            {handover.drainUntil &&
              ` · ${l('drainUntil')} ${formatVietnamTime(new Date(handover.drainUntil))}`}
          </p>
        )}
      </>
    )}
    <p>
      <a href={`/devices/${handover?.deviceId ?? deviceId}`}>{l('backToDevice')}</a>
    </p>
  </>
);
