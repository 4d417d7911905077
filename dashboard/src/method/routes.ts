import { Hono } from 'hono';
import { type AuthEnv, requireRole } from '../auth/access.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { methodPage } from './page.js';

type Env = { Variables: AuthEnv['Variables'] & { lang: Lang } };

/** "Cách tính" (`?lang=en`: how figures are computed), for everyone who sees any figure. */
export function methodRoutes() {
  const app = new Hono<Env>();
  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    return c.html(layout({ lang, t, title: t('method'), body: methodPage(lang, t), staff: c.get('staff') }));
  });
  return app;
}
