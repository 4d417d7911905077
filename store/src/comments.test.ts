import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addComment,
  commentIdOfReference,
  commentReference,
  followUpComment,
  MAX_COMMENTS_PER_VISIT,
  newCommentCount,
  recentComments,
} from './comments.js';
import { auditLog, officers, staffAccounts, units } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

/** An independent Luhn check: the whole number, check digit included, sums to a multiple of 10. */
function luhnValid(digits: string): boolean {
  const sum = [...digits]
    .reverse()
    .map(Number)
    .reduce((s, d, i) => s + (i % 2 === 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d), 0);
  return sum % 10 === 0;
}

describe('comment references', () => {
  it('read back as their id, carry a valid Luhn digit, and forgive case and spaces', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (id) => {
        const ref = commentReference(id);
        expect(ref).toMatch(/^GY-\d{6,}-\d$/);
        expect(luhnValid(ref.replace(/\D/g, ''))).toBe(true);
        expect(commentIdOfReference(ref)).toBe(id);
        expect(commentIdOfReference(` ${ref.toLowerCase().replaceAll('-', ' ')} `)).toBe(id);
      }),
    );
  });

  it('refuse any single mistyped digit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (id, at, plus) => {
          const ref = commentReference(id);
          const positions = [...ref].flatMap((ch, i) => (/\d/.test(ch) ? [i] : []));
          const i = positions[at % positions.length]!;
          const typo = ref.slice(0, i) + ((Number(ref[i]) + plus) % 10) + ref.slice(i + 1);
          expect(commentIdOfReference(typo)).toBeNull();
        },
      ),
    );
    expect(commentIdOfReference('GY-000000-0')).toBeNull();
    expect(commentIdOfReference('nonsense')).toBeNull();
  });
});

describe.each(STORE_BACKENDS)('comment follow-up on %s', (backend) => {
  let store: TestStore;
  const comment = async (unitId: string, officerId: string | null = null, visitId: string | null = null) => {
    const stored = await addComment(store.db, {
      unitId,
      counterId: 'q01',
      officerId,
      dossierId: null,
      kind: 'complaint',
      body: 'Chờ lâu quá',
      contact: '0912 345 678',
      visitId,
      deviceId: visitId ? 'dev-q01' : null,
    });
    if (!stored) throw new Error(`visit ${visitId} already has a comment`);
    return stored;
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'kim-anh', name: 'Xã Kim Anh' },
    ]);
    await store.db.insert(officers).values([
      { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
      { id: 'cb-tam', unitId: 'kim-anh', name: 'Phạm Thị Tâm' },
    ]);
    await store.db.insert(staffAccounts).values({
      username: 'lead.tv',
      displayName: 'Lê Văn Hùng',
      role: 'ward',
      unitId: 'trung-van',
      passwordHash: 'x',
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('names only officers of the unit, and gives each comment its reference', async () => {
    const own = await comment('trung-van', 'cb-lan');
    const foreign = await comment('trung-van', 'cb-tam');
    const rows = await recentComments(store.db, 'trung-van', { limit: 10, ids: [own.id, foreign.id] });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(own.id)).toMatchObject({
      officerName: 'Nguyễn Thị Lan',
      reference: own.reference,
      status: 'new',
    });
    // cb-tam works in Kim Anh: never named on Trung Văn's list.
    expect(byId.get(foreign.id)).toMatchObject({ officerId: 'cb-tam', officerName: null });
  });

  it('takes a few comments per visit, even sent at once, and no more', async () => {
    const visit = '0193a0c2-6000-7000-8000-00000000c0de';
    const sent = await Promise.allSettled(
      Array.from({ length: MAX_COMMENTS_PER_VISIT + 2 }, () => comment('trung-van', null, visit)),
    );
    expect(sent.filter((r) => r.status === 'fulfilled')).toHaveLength(MAX_COMMENTS_PER_VISIT);
    await expect(comment('trung-van', null, visit)).rejects.toThrow(/already has a comment/);
    // Comments from a general poster code name no visit, and any number of them are kept.
    await comment('trung-van');
    await comment('trung-van');
  });

  it('moves a comment forward only, stamps who and when, and audits it', async () => {
    const { id, reference } = await comment('trung-van');
    const at = new Date('2026-11-20T03:00:00Z');
    const move = (status: 'handled' | 'replied', unitId = 'trung-van', reply: string | null = null) =>
      followUpComment(store.db, {
        unitId,
        commentId: id,
        status,
        reply,
        username: 'lead.tv',
        actor: 'dashboard:lead.tv',
        at,
      });
    // Another unit's leader cannot reach it, whatever id they send.
    expect(await move('handled', 'kim-anh')).toBe('not-found');
    expect(await move('handled')).toBe('done');
    expect(await move('handled')).toBe('not-allowed');
    expect(await move('replied', 'trung-van', 'Đã gọi điện xin lỗi')).toBe('done');
    expect(await move('handled')).toBe('not-allowed');
    const [row] = await recentComments(store.db, 'trung-van', { limit: 1, ids: [id] });
    expect(row).toMatchObject({
      status: 'replied',
      handledBy: 'lead.tv',
      handledByName: 'Lê Văn Hùng',
      handledAt: at,
      reply: 'Đã gọi điện xin lỗi',
    });
    const audit = (await store.db.select().from(auditLog)).filter((a) => a.target === reference);
    expect(audit.map((a) => [a.action, a.details])).toEqual([
      ['comment.follow-up', { unitId: 'trung-van', from: 'new', to: 'handled' }],
      [
        'comment.follow-up',
        { unitId: 'trung-van', from: 'handled', to: 'replied', reply: 'Đã gọi điện xin lỗi' },
      ],
    ]);
  });

  it('counts the new comments of one unit only', async () => {
    const count = async (unitId: string) =>
      (await recentComments(store.db, unitId, { limit: 1000 })).filter((r) => r.status === 'new').length;
    await comment('kim-anh');
    const { id } = await comment('trung-van');
    await followUpComment(store.db, {
      unitId: 'trung-van',
      commentId: id,
      status: 'handled',
      reply: null,
      username: 'lead.tv',
      actor: 'test',
    });
    for (const unit of ['trung-van', 'kim-anh', 'nowhere'])
      expect(await newCommentCount(store.db, unit)).toBe(await count(unit));
    expect(await newCommentCount(store.db, 'kim-anh')).toBe(1);
  });
});
