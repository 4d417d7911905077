import { CounterId, DossierId, describeIssues, LANGS, OfficerId, UnitId } from '@onestop/protocol';
import { addComment, COMMENT_KINDS, type Database, findUnit } from '@onestop/store';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import { clientAddress } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';
import { badRequest, formLimit, notFound, tooManyRequests } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';

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

const TEXT = {
  heading: { vi: 'Góp ý gửi lãnh đạo phường, xã', en: 'Comment to the ward leaders' },
  kind: { vi: 'Ông/bà muốn', en: 'You wish to' },
  complaint: { vi: 'Góp ý / Phản ánh', en: 'Suggest or complain' },
  praise: { vi: 'Khen', en: 'Praise' },
  body: { vi: 'Nội dung góp ý', en: 'Your comment' },
  contact: { vi: 'Số điện thoại hoặc email (không bắt buộc)', en: 'Phone or email (optional)' },
  send: { vi: 'Gửi góp ý', en: 'Send' },
  thanks: {
    vi: 'Cảm ơn ông/bà đã góp ý. Lãnh đạo đơn vị sẽ xem xét.',
    en: 'Thank you. The unit leaders will review it.',
  },
  reference: {
    vi: 'Mã số góp ý của ông/bà (xin ghi lại để hỏi về góp ý này):',
    en: 'Your comment reference (keep it to ask about this comment):',
  },
  privacy: {
    vi: 'Chỉ lưu nội dung và thông tin liên hệ ông/bà tự nguyện cung cấp.',
    en: 'Only what you write and the contact you choose to give are stored.',
  },
} as const;
const say = (lang: Lang, k: keyof typeof TEXT) => TEXT[k][lang];

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

  app.get('/', async (c) => {
    const lang = c.get('lang');
    const q = Context.safeParse(c.req.query());
    if (!q.success) return badRequest(c, { error: 'invalid query', ...describeIssues(q.error) });
    const unit = await findUnit(db, q.data.unit);
    if (!unit) return notFound(c, { error: 'unknown unit', field: 'unit' });
    const hidden = (['unit', 'counter', 'officer', 'dossier'] as const).map((k) =>
      q.data[k] ? html`<input type="hidden" name="${k}" value="${q.data[k]}">` : '',
    );
    const body = html`<h2>${say(lang, 'heading')}</h2><p><b>${unit.name}</b>${q.data.counter ? html` · ${translator(lang)('counter')} ${q.data.counter}` : ''}</p>
<form method="post" action="/comment">${hidden}
<fieldset style="font-size:1.1rem"><legend>${say(lang, 'kind')}</legend>${COMMENT_KINDS.map((k) => html`<label style="margin-right:1.5rem"><input type="radio" name="kind" value="${k}" required> ${say(lang, k)}</label>`)}</fieldset>
<p><label>${say(lang, 'body')}<br><textarea name="body" rows="6" required minlength="3" maxlength="2000" style="width:100%;font-size:1.1rem"></textarea></label></p>
<p><label>${say(lang, 'contact')}<br><input name="contact" maxlength="100" style="width:100%;font-size:1.1rem"></label></p>
<p><button type="submit" style="font-size:1.2rem;padding:.6rem 1.5rem">${say(lang, 'send')}</button></p></form>
<p class="note">${say(lang, 'privacy')}</p>`;
    return c.html(layout({ lang, t: translator(lang), title: say(lang, 'heading'), body, staff: null }));
  });

  const limitBody = formLimit(MAX_BODY_BYTES, {
    error: 'comment too large',
    reason: `at most ${MAX_BODY_BYTES} bytes`,
  });

  app.post('/', limitBody, async (c) => {
    const lang = c.get('lang');
    const address = clientAddress(c);
    const wait = recent.retryAfter(address);
    if (wait > 0) return tooManyRequests(c, wait, { error: 'too many comments', reason: 'try again later' });
    const form = Form.safeParse(
      Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => v !== '')),
    );
    if (!form.success) return badRequest(c, { error: 'invalid comment', ...describeIssues(form.error) });
    const f = form.data;
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
    return c.html(
      layout({
        lang,
        t: translator(lang),
        title: say(lang, 'heading'),
        body: html`<p style="font-size:1.3rem">${say(lang, 'thanks')}</p>
<p>${say(lang, 'reference')} <b style="font-size:1.5rem" data-testid="comment-reference">${reference}</b></p>`,
        staff: null,
      }),
      201,
    );
  });

  return app;
}
