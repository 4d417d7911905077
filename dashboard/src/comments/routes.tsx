import { CounterId, DossierId, LANGS, MAX_COMMENT_TOKEN_LENGTH, OfficerId, UnitId } from '@onestop/protocol';
import {
  addComment,
  COMMENT_KINDS,
  type CommentCodeRefusal,
  checkCommentCode,
  commentsOnVisit,
  type Database,
  findOfficer,
  findUnit,
  MAX_COMMENTS_PER_VISIT,
} from '@onestop/store';
import { Hono, type Context as HonoContext } from 'hono';
import { z } from 'zod';
import { throttleKey } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';
import { errorPage, formLimit, notFound, tooManyRequests } from '../errors/answer.js';
import { type Lang, type MessageKey, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { form, query } from '../validate.js';
import { type CommentAbout, CommentForm, CommentThanks } from './form-page.js';
import { commentStatusRoutes } from './status.js';

/**
 * Where a QR code points: `t`, the code a counter signed for one visit (it names the counter,
 * officer and dossiers); or `unit` alone, a general poster's code. `counter`, `officer` and
 * `dossier` are read only to refuse them in words: old codes and forged links named them freely.
 */
const Context = z.strictObject({
  t: z.string().min(1).max(MAX_COMMENT_TOKEN_LENGTH).optional(),
  unit: UnitId.optional(),
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
  /**
   * Poster comments (and refused codes) accepted per client address in `windowMs`: a citizen
   * leaves one, a script many. Comments with a valid visit code are not counted here (citizens
   * behind one centre Wi-Fi address would block each other): their code allows one comment.
   */
  perAddress: number;
  windowMs: number;
}

/** Why a comment is refused beyond its code: it names what no code vouches for, or the code is used up. */
type Refusal = CommentCodeRefusal | 'unbound' | 'used';

const REFUSAL_TEXT: Record<Refusal, MessageKey> = {
  malformed: 'commentCodeInvalid',
  invalid: 'commentCodeInvalid',
  unknown_device: 'commentCodeInvalid',
  no_key: 'commentCodeInvalid',
  mismatch: 'commentCodeInvalid',
  withdrawn: 'commentCodeWithdrawn',
  expired: 'commentCodeExpired',
  unbound: 'commentCodeNeeded',
  used: 'commentCodeUsed',
};

export function commentRoutes(
  db: Database,
  limits: CommentLimits = { perAddress: 10, windowMs: 10 * 60_000 },
) {
  const app = new Hono<{ Variables: { lang: Lang } }>();
  const recent = new AttemptWindow(limits.perAddress, limits.windowMs);
  app.route('/status', commentStatusRoutes(db));

  /** A refused code or an unbound claim: why, in words, and the unit's general form when known. */
  const refuse = async (c: HonoContext, why: Refusal, unitId: string | undefined) => {
    const unit = unitId ? await findUnit(db, unitId) : null;
    const t = translator(c.get('lang') as Lang);
    const general = unit ? (
      <p>
        <a href={`/comment?unit=${encodeURIComponent(unit.id)}`} data-testid="general-form">
          {t('commentGeneralForm')} ({unit.name})
        </a>
      </p>
    ) : null;
    return errorPage(
      c,
      why === 'used' ? 409 : why === 'expired' || why === 'withdrawn' ? 410 : 400,
      'commentCodeTitle',
      [REFUSAL_TEXT[why]],
      general,
    );
  };

  /** What a form is about: the code's visit (checked), or the unit of a poster code. */
  const about = async (
    asked: z.infer<typeof Context>,
  ): Promise<{ ok: true; about: CommentAbout } | { ok: false; why: Refusal | 'unit'; unitId?: string }> => {
    if (asked.t) {
      const checked = await checkCommentCode(db, asked.t);
      if (!checked.ok) return { ok: false, why: checked.refusal, unitId: checked.unitId };
      const { claim } = checked;
      const [unit, officer, sent] = await Promise.all([
        findUnit(db, claim.u),
        claim.o ? findOfficer(db, claim.o) : null,
        commentsOnVisit(db, claim.d, claim.i),
      ]);
      if (!unit) return { ok: false, why: 'unknown_device' };
      // Said before the citizen types, not after.
      if (sent >= MAX_COMMENTS_PER_VISIT) return { ok: false, why: 'used', unitId: unit.id };
      // Only an officer on this unit's roster is named and answers for the comment: a claim naming
      // anyone else (moved since, or a device's stale roster) is kept as a comment on the counter.
      const onRoster = officer !== null && officer.unitId === unit.id;
      return {
        ok: true,
        about: {
          unit,
          token: asked.t,
          visitId: claim.i,
          deviceId: claim.d,
          counterId: claim.c,
          officerId: onRoster ? officer.id : null,
          officerName: onRoster ? officer.name : null,
          dossierIds: claim.s,
        },
      };
    }
    if (asked.counter || asked.officer || asked.dossier) return { ok: false, why: 'unbound' };
    if (!asked.unit) return { ok: false, why: 'unit' };
    const unit = await findUnit(db, asked.unit);
    return unit ? { ok: true, about: { unit, token: null } } : { ok: false, why: 'unit' };
  };

  app.get('/', query(Context), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const asked = c.req.valid('query');
    const found = await about(asked);
    if (!found.ok)
      return found.why === 'unit'
        ? notFound(c, { error: 'unknown unit', field: 'unit' })
        : refuse(c, found.why, found.unitId ?? asked.unit);
    const body = <CommentForm t={t} lang={lang} about={found.about} />;
    return c.html(layout({ lang, t, title: t('commentFormHeading'), body, staff: null, citizen: true }));
  });

  const limitBody = formLimit(MAX_BODY_BYTES, {
    error: 'comment too large',
    reason: `at most ${MAX_BODY_BYTES} bytes`,
  });

  app.post('/', limitBody, form(Form, 'invalid comment'), async (c) => {
    const lang = c.get('lang');
    const f = c.req.valid('form');
    const address = throttleKey(c);
    // Codes are checked before the address window: a valid one is not counted against the Wi-Fi.
    const found = await about(f);
    if (!found.ok || !found.about.token) {
      const wait = recent.retryAfter(address);
      if (wait > 0)
        return tooManyRequests(c, wait, { error: 'too many comments', reason: 'try again later' });
      recent.record(address);
    }
    if (!found.ok)
      return found.why === 'unit'
        ? notFound(c, { error: 'unknown unit', field: 'unit' })
        : refuse(c, found.why, found.unitId ?? f.unit);
    const a = found.about;
    // The citizen picks among the visit's own dossiers; none other can be named.
    const dossierIds = a.token ? a.dossierIds : [];
    const dossierId = f.dossier ?? (dossierIds.length === 1 ? dossierIds[0]! : null);
    if (dossierId !== null && !dossierIds.includes(dossierId)) {
      // A valid code misused: counted against the address like any refused post.
      recent.record(address);
      return refuse(c, 'unbound', a.unit.id);
    }
    const stored = await addComment(db, {
      unitId: a.unit.id,
      counterId: a.token ? a.counterId : null,
      officerId: a.token ? a.officerId : null,
      dossierId,
      kind: f.kind ?? null,
      body: f.body,
      contact: f.contact ?? null,
      visitId: a.token ? a.visitId : null,
      deviceId: a.token ? a.deviceId : null,
    });
    const t = translator(lang);
    if (!stored) {
      recent.record(address);
      return refuse(c, 'used', a.unit.id);
    }
    const body = <CommentThanks t={t} reference={stored.reference} />;
    // Switching language here leads to the comment's status page, not to a form without its code.
    const other = lang === 'vi' ? 'en' : 'vi';
    const langHref = `/comment/status?ref=${stored.reference}&lang=${other}`;
    return c.html(
      layout({ lang, t, title: t('commentFormHeading'), body, staff: null, citizen: true, langHref }),
      201,
    );
  });

  return app;
}
