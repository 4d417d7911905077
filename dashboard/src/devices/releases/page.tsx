import type {
  OfferOutcome,
  Rollout,
  RolloutProgress,
  RolloutStage,
  StoredRelease,
  TrustedReleaseKey,
} from '@onestop/store';
import type { Translate } from '../../i18n.js';
import { formatVietnamTime } from '../../period.js';

const OUTCOMES: readonly OfferOutcome[] = ['offered', 'downloading', 'healthy', 'failed', 'rolled-back'];
const STAGES: readonly RolloutStage[] = ['canary', 'percent', 'all'];

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

export function scopeText(t: Translate, r: Pick<Rollout, 'unitId'>): string {
  return r.unitId ?? t('rolloutCity');
}

export function stageText(t: Translate, r: Pick<Rollout, 'stage' | 'percent'>): string {
  return r.stage === 'percent' ? `${t('rolloutStage_percent')} ${r.percent} %` : t(`rolloutStage_${r.stage}`);
}

function StateCell({ t, r }: { t: Translate; r: Rollout }) {
  return (
    <td class={r.haltReason ? 'bad' : ''} data-testid={`rollout-state-${r.id}`}>
      {t(`rolloutState_${r.state}`)}
      {r.haltReason ? <small> ({t('rolloutHalted')})</small> : ''}
    </td>
  );
}

export function ReleasesPage(p: {
  t: Translate;
  releases: readonly StoredRelease[];
  keys: readonly TrustedReleaseKey[];
  rollouts: readonly Rollout[];
  editable: boolean;
}) {
  const { t } = p;
  return (
    <>
      <h2>{t('releases')}</h2>
      <p class="muted">{t('releaseUploadHint')}</p>
      {p.releases.length === 0 ? (
        <p class="muted">{t('empty')}</p>
      ) : (
        <table data-testid="releases">
          <thead>
            <tr>
              <th>{t('releaseVersion')}</th>
              <th>{t('releaseComponents')}</th>
              <th>{t('releaseModels')}</th>
              <th>{t('releaseSize')}</th>
              <th>{t('releaseSignedBy')}</th>
              <th>{t('releasePublished')}</th>
            </tr>
          </thead>
          <tbody>
            {p.releases.map((r) => (
              <tr>
                <td data-label={t('releaseVersion')}>{r.version}</td>
                <td data-label={t('releaseComponents')}>
                  {r.components.map((c) => t(`releaseComponent_${c}`)).join(', ')}
                </td>
                <td data-label={t('releaseModels')}>
                  {r.models.map((m) => (
                    <span title={m.sha256}>
                      {m.name} {m.sha256.slice(0, 12)}{' '}
                    </span>
                  ))}
                </td>
                <td class="num" data-label={t('releaseSize')} title={`sha256:${r.sha256}`}>
                  {mib(r.size)}
                </td>
                <td data-label={t('releaseSignedBy')}>{r.keyId}</td>
                <td data-label={t('releasePublished')}>
                  {r.publishedBy}, {formatVietnamTime(r.publishedAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{t('rollouts')}</h3>
      {p.rollouts.length === 0 ? (
        <p class="muted">{t('empty')}</p>
      ) : (
        <table data-testid="rollouts">
          <thead>
            <tr>
              <th>{t('releaseVersion')}</th>
              <th>{t('rolloutScope')}</th>
              <th>{t('rolloutStage')}</th>
              <th>{t('rolloutState')}</th>
              <th>{t('releasePublished')}</th>
            </tr>
          </thead>
          <tbody>
            {p.rollouts.map((r) => (
              <tr>
                <td data-label={t('releaseVersion')}>
                  <a href={`/devices/rollouts/${r.id}`}>{r.version}</a>
                </td>
                <td data-label={t('rolloutScope')}>{scopeText(t, r)}</td>
                <td data-label={t('rolloutStage')}>{stageText(t, r)}</td>
                <StateCell t={t} r={r} />
                <td data-label={t('releasePublished')}>
                  {r.createdBy}, {formatVietnamTime(r.createdAt)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {p.editable && p.releases.length > 0 ? (
        <form method="post" action="/devices/rollouts" data-testid="rollout-start">
          <h3>{t('rolloutStart')}</h3>
          <label>
            {t('releaseVersion')}{' '}
            <select name="version">
              {p.releases.map((r) => (
                <option value={r.version}>{r.version}</option>
              ))}
            </select>
          </label>{' '}
          <label>
            {t('rolloutScope')}{' '}
            <select name="scope" required data-testid="rollout-scope">
              <option value="" selected disabled>
                {t('rolloutChooseScope')}
              </option>
              <option value="city">{t('rolloutCity')}</option>
              <option value="unit">{t('rolloutOneUnit')}</option>
            </select>{' '}
            <input name="unitId" placeholder={t('rolloutUnitId')} maxlength={64} />
          </label>{' '}
          <label>
            {t('rolloutCanary')} <input name="canary" required maxlength={4000} />
          </label>{' '}
          <label>
            {t('rolloutDeadline')}{' '}
            <input name="healthDeadlineS" type="number" min={30} max={3600} value="300" />
          </label>{' '}
          <button type="submit">{t('rolloutStart')}</button>
        </form>
      ) : (
        ''
      )}

      <h3>{t('releaseKeys')}</h3>
      {p.keys.length === 0 ? (
        <p class="bad" data-testid="no-release-key">
          {t('releaseNoKey')}
        </p>
      ) : (
        <table data-testid="release-keys">
          <thead>
            <tr>
              <th>{t('releaseKeyName')}</th>
              <th>{t('releaseSignedBy')}</th>
              <th>{t('releasePublished')}</th>
              {p.editable ? <th /> : ''}
            </tr>
          </thead>
          <tbody>
            {p.keys.map((k) => (
              <tr>
                <td>{k.name}</td>
                <td>{k.keyId}</td>
                <td>
                  {k.addedBy}, {formatVietnamTime(k.addedAt)}
                </td>
                {p.editable ? (
                  <td>
                    <form method="post" action={`/devices/releases/keys/${k.keyId}/remove`}>
                      <button type="submit">{t('releaseKeyRemove')}</button>
                    </form>
                  </td>
                ) : (
                  ''
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.editable ? (
        <form method="post" action="/devices/releases/keys" data-testid="release-key-add">
          <label>
            {t('releaseKeyName')} <input name="name" maxlength={80} />
          </label>
          <br />
          <label>
            {t('releaseKeyPem')}
            <br />
            <textarea name="publicPem" rows={4} cols={70} required maxlength={4096} />
          </label>
          <br />
          <button type="submit">{t('releaseKeyAdd')}</button>
        </form>
      ) : (
        ''
      )}
    </>
  );
}

function ActionButton({ t, id, action, label }: { t: Translate; id: string; action: string; label: string }) {
  return (
    <form
      method="post"
      action={`/devices/rollouts/${id}/${action}`}
      class="inline"
      data-testid={`rollout-${action}`}
    >
      <button type="submit">{label}</button>
      {action === 'withdraw' ? <small class="muted"> {t('rolloutWithdrawNote')}</small> : ''}
    </form>
  );
}

export function RolloutPage(p: {
  t: Translate;
  progress: RolloutProgress;
  editable: boolean;
  error?: string;
}) {
  const { t, progress } = p;
  const r = progress.rollout;
  const failures = progress.devices.filter((d) => d.outcome === 'failed' || d.outcome === 'rolled-back');
  return (
    <>
      <h2>
        {t('rollout')} {r.version} · {scopeText(t, r)}
      </h2>
      {p.error ? (
        <p class="bad" role="alert" data-testid="rollout-error">
          {t('rolloutRefused')}: {p.error}
        </p>
      ) : (
        ''
      )}
      <p>
        {t('rolloutStage')}: <b>{stageText(t, r)}</b> · {t('rolloutState')}:{' '}
        <b data-testid="rollout-state">{t(`rolloutState_${r.state}`)}</b>
      </p>
      {r.haltReason ? (
        <p class="bad" data-testid="rollout-halt">
          {t('rolloutHalted')}: {r.haltReason}
        </p>
      ) : (
        ''
      )}
      <table data-testid="rollout-progress">
        <thead>
          <tr>
            <th>{t('rolloutStage')}</th>
            {OUTCOMES.map((o) => (
              <th>{t(`rolloutOutcome_${o}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {STAGES.map((s) => (
            <tr data-stage={s}>
              <td>{t(`rolloutStage_${s}`)}</td>
              {OUTCOMES.map((o) => (
                <td
                  class={`num${(o === 'failed' || o === 'rolled-back') && progress.stages[s][o] > 0 ? ' bad' : ''}`}
                >
                  {progress.stages[s][o]}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>

      {p.editable && (r.state === 'active' || r.state === 'paused' || r.state === 'done') ? (
        <div data-testid="rollout-actions">
          {r.state === 'active' ? (
            <ActionButton t={t} id={r.id} action="pause" label={t('rolloutPause')} />
          ) : (
            ''
          )}
          {r.state === 'paused' ? (
            <ActionButton t={t} id={r.id} action="resume" label={t('rolloutResume')} />
          ) : (
            ''
          )}
          {r.state === 'active' && r.stage !== 'all' ? (
            <form
              method="post"
              action={`/devices/rollouts/${r.id}/widen`}
              class="inline"
              data-testid="rollout-widen"
            >
              <label>
                {t('rolloutPercent')}{' '}
                <input
                  name="percent"
                  type="number"
                  min={1}
                  max={100}
                  value={String(Math.min(100, Math.max(10, r.percent * 2)))}
                />
              </label>{' '}
              <button type="submit">{t('rolloutWiden')}</button>
            </form>
          ) : (
            ''
          )}
          <ActionButton t={t} id={r.id} action="withdraw" label={t('rolloutWithdraw')} />
        </div>
      ) : (
        ''
      )}

      <h3>{t('rolloutFailures')}</h3>
      {failures.length === 0 ? (
        <p class="muted">{t('rolloutNoFailures')}</p>
      ) : (
        <table data-testid="rollout-failures">
          <thead>
            <tr>
              <th>{t('device')}</th>
              <th>{t('rolloutState')}</th>
              <th>{t('rolloutRunning')}</th>
              <th>{t('rolloutReason')}</th>
            </tr>
          </thead>
          <tbody>
            {failures.map((d) => (
              <tr>
                <td>
                  <a href={`/devices/${d.deviceId}`}>{d.deviceId}</a>
                </td>
                <td class="bad">{t(`rolloutOutcome_${d.outcome}`)}</td>
                <td>{d.running ?? '–'}</td>
                <td>{d.reason ?? '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>{t('rolloutDevices')}</h3>
      <table data-testid="rollout-devices">
        <thead>
          <tr>
            <th>{t('device')}</th>
            <th>{t('counter')}</th>
            <th>{t('rolloutStage')}</th>
            <th>{t('rolloutState')}</th>
            <th>{t('rolloutRunning')}</th>
          </tr>
        </thead>
        <tbody>
          {progress.devices.map((d) => (
            <tr>
              <td>
                <a href={`/devices/${d.deviceId}`}>{d.deviceId}</a>
              </td>
              <td>
                {d.unitId} / {d.counterId}
              </td>
              <td>{t(`rolloutStage_${d.stage}`)}</td>
              <td>{t(`rolloutOutcome_${d.outcome}`)}</td>
              <td>{d.running ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
