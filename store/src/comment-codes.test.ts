import { type CommentClaim, newCommentKey, signCommentClaim } from '@onestop/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommentCode } from './comment-codes.js';
import { devices, units, visits } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const key = newCommentKey();
const now = new Date('2026-11-20T03:00:00Z');
const claim = (over: Partial<CommentClaim> = {}): CommentClaim => ({
  v: 1,
  d: 'dev-q01',
  u: 'trung-van',
  c: 'q01',
  i: '0193a0c2-6000-7000-8000-00000000aaaa',
  o: 'cb-lan',
  s: ['000.00.12.H26-251120-0001'],
  t: Math.floor(now.getTime() / 1000) - 60,
  ...over,
});

describe.each(STORE_BACKENDS)('comment codes on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(units).values({ id: 'trung-van', name: 'Phường Trung Văn' });
    await store.db.insert(devices).values({
      id: 'dev-q01',
      unitId: 'trung-van',
      counterId: 'q01',
      username: 'dev-dev-q01',
      passwordHash: 'x',
      birth: { commentKey: key.publicKey },
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('takes a signed code whose visit has not reached the centre yet', async () => {
    const r = await checkCommentCode(store.db, signCommentClaim(claim(), key.privatePem), now);
    expect(r).toMatchObject({ ok: true, claim: { o: 'cb-lan' } });
  });

  it('takes a code that agrees with its stored visit, and refuses one that names someone else', async () => {
    const id = '0193a0c2-6000-7000-8000-00000000bbbb';
    await store.db.insert(visits).values({
      id,
      unitId: 'trung-van',
      counterId: 'q01',
      deviceId: 'dev-q01',
      officerId: 'cb-lan',
      dossierIds: ['000.00.12.H26-251120-0001'],
      startedAt: new Date(now.getTime() - 300_000),
    });
    const agrees = await checkCommentCode(store.db, signCommentClaim(claim({ i: id }), key.privatePem), now);
    expect(agrees.ok).toBe(true);
    for (const other of [{ o: 'cb-tam' }, { o: null }, { s: ['000.00.12.H26-251120-0002'] }, { s: [] }]) {
      const r = await checkCommentCode(
        store.db,
        signCommentClaim(claim({ i: id, ...other }), key.privatePem),
        now,
      );
      expect(r, JSON.stringify(other)).toEqual({ ok: false, refusal: 'mismatch', unitId: 'trung-van' });
    }
  });

  it('refuses a code signed by another key', async () => {
    const r = await checkCommentCode(store.db, signCommentClaim(claim(), newCommentKey().privatePem), now);
    expect(r).toMatchObject({ ok: false, refusal: 'invalid' });
  });
});
