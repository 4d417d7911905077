import { CounterId, DossierId, LANGS, OfficerId, UnitId } from '@onestop/protocol';
import { addComment, COMMENT_KINDS, type Database, findUnit } from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import { clientAddress } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';
import { formLimit, notFound, tooManyRequests } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { form, query } from '../validate.js';
import { CommentForm, CommentThanks } from './form-page.js';

/** Where the counter's QR code points: any phone camera opens it, no app needed. */
const Context = z.strictObject({
  unit: UnitId,
  counter: CounterId.optional(),
  officer: OfficerId.optional(),
  dossier: DossierId.optional(),
  lang: z.enum(LANGS).optional(),
});
const Form = Context.extend({
  body: z
    .string()
    .trim()
    .min(3, 'comment is too short')
    .max(2000, 'comment is too long (2000 characters at most)'),
  contact: z.string().trim().max(100).optional(),
  // Optional for old links and scripts; unmarked comments never count against a dossier.
  kind: z.enum(COMMENT_KINDS).optional(),
});

/** A comment form is a few KB at most; anything larger is not a citizen typing. */
const MAX_BODY_BYTES = 16 * 1024;

export interface CommentLimits {
  /** Comments accepted per client address in `windowMs`: a citizen leaves one, a script many. */
  perAddress: number;
  windowMs: number;
}

export function commentRoutes(
  db: Database,
  limits: CommentLimits = { perAddress: 10, windowMs: 10 * 60_000 },
) {
  const app = new Hono<{ Variables: { lang: Lang } }>();
  const recent = new AttemptWindow(limits.perAddress, limits.windowMs);

  app.get('/', query(Context), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const asked = c.req.valid('query');
    const unit = await findUnit(db, asked.unit);
    if (!unit) return notFound(c, { error: 'unknown unit', field: 'unit' });
    const body = <CommentForm t={t} unitName={unit.name} context={asked} />;
    return c.html(layout({ lang, t, title: t('commentFormHeading'), body, staff: null }));
  });

  const limitBody = formLimit(MAX_BODY_BYTES, {
    error: 'comment too large',
    reason: `at most ${MAX_BODY_BYTES} bytes`,
  });

  app.post('/', limitBody, form(Form, 'invalid comment'), async (c) => {
    const lang = c.get('lang');
    const address = clientAddress(c);
    const wait = recent.retryAfter(address);
    if (wait > 0) return tooManyRequests(c, wait, { error: 'too many comments', reason: 'try again later' });
    const f = c.req.valid('form');
    if (!(await findUnit(db, f.unit))) return notFound(c, { error: 'unknown unit', field: 'unit' });
    recent.record(address);
    const { reference } = await addComment(db, {
      unitId: f.unit,
      counterId: f.counter ?? null,
      officerId: f.officer ?? null,
      dossierId: f.dossier ?? null,
      kind: f.kind ?? null,
      body: f.body,
      contact: f.contact ?? null,
    });
    const t = translator(lang);
    const body = <CommentThanks t={t} reference={reference} />;
    return c.html(layout({ lang, t, title: t('commentFormHeading'), body, staff: null }), 201);
  });

  return app;
}
