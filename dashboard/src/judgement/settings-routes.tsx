import { DEFAULT_UNIT_SETTINGS, UnitSettings } from '@onestop/evaluation';
import { type Database, getUnitSettings, StoreInputError, setUnitSettings } from '@onestop/store';
import { type Context, Hono } from 'hono';
import type { DashboardEnv as Env } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';

import { formLimit } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { form } from '../validate.js';
import {
  documentOf,
  formFromBody,
  formOf,
  issueMessages,
  SettingsBody,
  type SettingsForm,
  SettingsFormView,
} from './settings-form.js';

type Notice = { ok: boolean; lines: string[] };

/**
 * A unit's evaluation settings (opening hours, misuse-filter thresholds), for its ward leaders and
 * the city: validated by the evaluation schema, stored with an audit entry by the store.
 */
export function settingsRoutes(db: Database) {
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const scoped = unitScope(db);
  const limit = formLimit(8 * 1024);

  const page = (
    c: Context<Env>,
    unit: { id: string; name: string },
    shown: SettingsForm,
    notice?: Notice,
  ) => {
    const lang = c.get('lang');
    const t = translator(lang);
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('unitSettings')} staff={c.get('staff')}>
        <h2>
          {t('unitSettings')} <small class="muted">{unit.name}</small>
        </h2>
        <p>
          <a href={`/units/${unit.id}`}>{t('backToUnit')}</a> ·{' '}
          <a href={`/cach-tinh?unit=${unit.id}#filters`}>{t('seeMethod')}</a>
        </p>
        {notice ? (
          <div class={notice.ok ? 'ok' : 'bad'} role="status" data-testid="notice">
            {notice.lines.map((l) => (
              <p>{l}</p>
            ))}
          </div>
        ) : (
          ''
        )}
        <p class="note">
          <b>{t('settingsNoRejudge')}</b>
        </p>
        <SettingsFormView t={t} unitId={unit.id} form={shown} defaults={DEFAULT_UNIT_SETTINGS} />
        <p class="note">{t('settingsHelpUnit')}</p>
      </Layout>,
      notice?.ok === false ? 400 : 200,
    );
  };

  app.get('/units/:unitId/settings', leaders, scoped, async (c) => {
    const unit = c.var.unit;
    try {
      return page(c, unit, formOf(await getUnitSettings(db, unit.id)));
    } catch (err) {
      // A stored document that no longer validates: the judge uses the defaults meanwhile.
      if (!(err instanceof StoreInputError)) throw err;
      return page(c, unit, formOf(DEFAULT_UNIT_SETTINGS), { ok: false, lines: [err.message] });
    }
  });

  app.post('/units/:unitId/settings', leaders, limit, scoped, form(SettingsBody), async (c) => {
    const unit = c.var.unit;
    const t = translator(c.get('lang'));
    const typed = formFromBody(c.req.valid('form'));
    const parsed = UnitSettings.safeParse(documentOf(typed));
    if (!parsed.success)
      return page(c, unit, typed, {
        ok: false,
        lines: [t('settingsInvalid'), ...issueMessages(t, parsed.error)],
      });
    try {
      const saved = await setUnitSettings(db, {
        unitId: unit.id,
        settings: parsed.data,
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      return page(c, unit, formOf(saved), { ok: true, lines: [t('settingsSaved')] });
    } catch (err) {
      if (!(err instanceof StoreInputError)) throw err;
      return page(c, unit, typed, { ok: false, lines: [t('settingsInvalid'), err.message] });
    }
  });

  return app;
}
