import { raw } from 'hono/html';
import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';

export interface AddDeviceValues {
  unitId?: string | undefined;
  counterId?: string | undefined;
  deviceId?: string | undefined;
  minutes?: number | string | undefined;
  /** The device of "a new code for a device", kept when refused. */
  againDeviceId?: string | undefined;
}

/** "Add device": the unit, the counter, and optionally the device's own ID and the code's life. */
export const AddDeviceForm: FC<{
  t: Translate;
  units: readonly { id: string; name: string }[];
  values: AddDeviceValues;
  error?: string | undefined;
}> = ({ t, units, values, error }) => (
  <>
    <h2>{t('addDevice')}</h2>
    <p class="note">{t('addDeviceHelp')}</p>
    {error && (
      <p class="bad" role="alert" data-testid="notice">
        {error}
      </p>
    )}
    <form method="post" action="/devices/add">
      <p>
        <label>
          {t('unit')}{' '}
          <select name="unitId" required>
            {units.map((u) => (
              <option value={u.id} selected={u.id === values.unitId}>
                {u.name} ({u.id})
              </option>
            ))}
          </select>
        </label>
      </p>
      <p>
        <label>
          {t('counter')} <input name="counterId" required maxlength={64} value={values.counterId ?? ''} />
        </label>
      </p>
      <p>
        <label>
          {t('deviceIdOptional')} <input name="deviceId" maxlength={64} value={values.deviceId ?? ''} />
        </label>
      </p>
      <p>
        <label>
          {t('pairingMinutes')}{' '}
          <input name="minutes" type="number" min={1} max={1440} value={String(values.minutes ?? 30)} />
        </label>
      </p>
      <p>
        <button type="submit">{t('issuePairingCode')}</button>
      </p>
    </form>
    <h3>{t('pairAgain')}</h3>
    <p class="note">{t('pairAgainHelp')}</p>
    <form method="post" action="/devices/pair-again">
      <p>
        <label>
          {t('device')} <input name="deviceId" required maxlength={64} value={values.againDeviceId ?? ''} />
        </label>{' '}
        <button type="submit">{t('issuePairingCodeAgain')}</button>
      </p>
    </form>
  </>
);

export interface IssuedCode {
  code: string;
  deviceId: string;
  unitId: string;
  counterId: string;
  expiresAt: Date;
  /** The dashboard's own address, which the board claims the code from. */
  centre: string;
  /** The QR code of `pairUrl`, drawn on the server as SVG (no script on the page). */
  qrSvg: string;
}

/** The code shown once: typed on the board, or its QR scanned; the password is never shown. */
export const IssuedCodePage: FC<{ t: Translate; issued: IssuedCode }> = ({ t, issued }) => (
  <>
    <h2>{t('pairingCode')}</h2>
    <p>
      {t('device')} <strong data-testid="device-id">{issued.deviceId}</strong> · {issued.unitId} ·{' '}
      {t('counter')} {issued.counterId}
    </p>
    <p class="pairing-code" data-testid="pairing-code">
      <strong>{issued.code}</strong>
    </p>
    <p>
      {t('pairingExpires')} {formatVietnamTime(issued.expiresAt)}. {t('pairingOnce')}
    </p>
    <figure>
      {raw(issued.qrSvg)}
      <figcaption>{t('pairingQr')}</figcaption>
    </figure>
    <p>{t('pairingOnBoard')}</p>
    <pre data-testid="pair-command">
      sudo onestop agent pair {issued.code} --centre {issued.centre} --config /etc/onestop/agent.yaml
    </pre>
    <p class="note">{t('pairingPasswordNote')}</p>
    <p>
      <a href="/devices/add">{t('addDevice')}</a> ·{' '}
      <a href={`/devices/${issued.deviceId}`}>{issued.deviceId}</a>
    </p>
  </>
);

/** What the QR opens on a phone: the code and the command, for a board without a keyboard. */
export const PairInstructions: FC<{ t: Translate; code: string; centre: string }> = ({ t, code, centre }) => (
  <>
    <h2>{t('pairingCode')}</h2>
    <p class="pairing-code">
      <strong>{code}</strong>
    </p>
    <p>{t('pairingOnBoard')}</p>
    <pre>
      sudo onestop agent pair {code} --centre {centre} --config /etc/onestop/agent.yaml
    </pre>
  </>
);
