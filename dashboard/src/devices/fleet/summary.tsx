import { FLEET_STATUSES, type FleetStatus, type FleetSummary } from '@onestop/store';
import type { FC } from 'hono/jsx';
import type { Translate } from '../../i18n.js';
import { formatVietnamTime } from '../../period.js';
import { UnitSelect } from '../console/unit-select.js';

export type FleetQuery = {
  unit?: string | undefined;
  status?: FleetStatus | undefined;
  version?: string | undefined;
};

/** The filter as a query string (no `page`): the same filter for the list, the fragment and the stream. */
export function fleetSearch(q: FleetQuery): string {
  const p = new URLSearchParams();
  if (q.unit) p.set('unit', q.unit);
  if (q.status) p.set('status', q.status);
  if (q.version) p.set('version', q.version);
  const s = p.toString();
  return s ? `?${s}` : '';
}

const STATE_CLASS: Partial<Record<FleetStatus, string>> = { online: 'ok', offline: 'bad', alerting: 'bad' };

type Props = { t: Translate; summary: FleetSummary; q: FleetQuery };

/**
 * The fleet at a glance: each state's count links to the list filtered by it; versions and model
 * hashes show a fleet half-way through an update. Re-fetched whole by `client/fleet-live.ts`.
 */
export const FleetSummaryBlock: FC<Props> = ({ t, summary, q }) => {
  const search = fleetSearch(q);
  const count = (s: FleetStatus) => (s === 'alerting' ? summary.alerting : summary.states[s]);
  const filtered = (s: FleetStatus) => fleetSearch({ ...q, status: s });
  return (
    <section
      id="fleet-summary"
      data-live={`/devices/fleet/live${search}`}
      data-fragment={`/devices/fleet/summary${search}`}
      data-testid="fleet-summary"
    >
      <h3>
        {t('fleet')} <small class="muted">{t('liveNote')}</small>
      </h3>
      <table>
        <thead>
          <tr>
            <th>{t('fleetTotal')}</th>
            {FLEET_STATUSES.map((s) => (
              <th>{t(s)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <td class="num" data-label={t('fleetTotal')} data-testid="fleet-total">
              {summary.total}
            </td>
            {FLEET_STATUSES.map((s) => (
              <td
                class={`num ${count(s) > 0 ? (STATE_CLASS[s] ?? '') : ''}`}
                data-label={t(s)}
                data-testid={`fleet-${s}`}
              >
                <a href={`/devices${filtered(s)}`}>{count(s)}</a>
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <p data-testid="fleet-versions">
        {t('agentVersions')}:{' '}
        {summary.versions.length === 0
          ? '–'
          : summary.versions.map((v, i) => (
              <>
                {i > 0 ? ' · ' : ''}
                {v.version === null ? (
                  t('unknownVersion')
                ) : (
                  <a href={`/devices${fleetSearch({ ...q, version: v.version })}`}>{v.version}</a>
                )}{' '}
                ({v.n})
              </>
            ))}
      </p>
      <p data-testid="fleet-models">
        {t('modelHashes')}:{' '}
        {summary.models.length === 0
          ? '–'
          : summary.models.map((m, i) => (
              <>
                {i > 0 ? ' · ' : ''}
                {m.name} <code title={m.sha256}>{m.sha256.slice(0, 12)}</code> ({m.n})
              </>
            ))}
      </p>
      <p>
        {t('lastHeard')}: {summary.lastSeenAt ? formatVietnamTime(summary.lastSeenAt) : '–'}
        {summary.stalest && (
          <>
            {' · '}
            {t('stalest')}: <a href={`/devices/${summary.stalest.deviceId}`}>{summary.stalest.deviceId}</a> (
            {formatVietnamTime(summary.stalest.lastSeenAt)})
          </>
        )}
      </p>
    </section>
  );
};

type FilterProps = {
  t: Translate;
  q: FleetQuery;
  units: ReadonlyArray<{ id: string; name: string }> | null;
  versions: ReadonlyArray<string | null>;
};

/** A plain GET form: the filtered list is a link like any other. */
export const FleetFilters: FC<FilterProps> = ({ t, q, units, versions }) => (
  <form method="get" action="/devices" class="filters" data-testid="fleet-filters">
    <UnitSelect t={t} units={units} selected={q.unit} />{' '}
    <label>
      {t('status')}{' '}
      <select name="status">
        <option value="">{t('anyStatus')}</option>
        {FLEET_STATUSES.map((s) => (
          <option value={s} selected={q.status === s}>
            {t(s)}
          </option>
        ))}
      </select>
    </label>{' '}
    <label>
      {t('agentVersions')}{' '}
      <select name="version">
        <option value="">{t('anyVersion')}</option>
        {versions
          .filter((v): v is string => v !== null)
          .map((v) => (
            <option value={v} selected={q.version === v}>
              {v}
            </option>
          ))}
      </select>
    </label>{' '}
    <button type="submit">{t('filter')}</button>
  </form>
);
