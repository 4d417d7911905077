import { type DeviceAddress, signCommentClaim } from '@onestop/protocol';
import type { CommentKey } from '../agent/comment-key.js';
import type { CounterState } from '../counter/types.js';

type Thanks = NonNullable<CounterState['thanks']>;

/** The most dossiers a comment code names: a visit rarely has more, and each one enlarges the code. */
const MAX_DOSSIERS = 4;

/**
 * The comment link of a thanks screen: the unit's comment form with a token signed for that visit
 * (protocol comment-token.ts), so a comment naming this counter, officer or dossier is taken only
 * from someone who was shown it. One token per visit: the screen's repaints show the same code.
 */
export class CommentLinks {
  private last: { visitId: string; base: string; url: string } | null = null;

  constructor(
    private readonly address: DeviceAddress,
    private readonly key: CommentKey,
    /** The device clock, Unix ms. */
    private readonly now: () => number,
  ) {}

  /** Null only if the visit's IDs cannot be signed (they are checked where they enter). */
  of(thanks: Thanks, base: string): string | null {
    const last = this.last;
    if (last && last.visitId === thanks.visitId && last.base === base) return last.url;
    let token: string;
    try {
      token = signCommentClaim(
        {
          v: 1,
          d: this.address.deviceId,
          u: this.address.unitId,
          c: this.address.counterId,
          i: thanks.visitId,
          o: thanks.officerId,
          s: thanks.dossierIds.slice(0, MAX_DOSSIERS),
          t: Math.max(0, Math.floor(this.now() / 1000)),
        },
        this.key.privatePem,
      );
    } catch {
      return null;
    }
    const url = new URL(base);
    url.searchParams.set('t', token);
    this.last = { visitId: thanks.visitId, base, url: url.toString() };
    return this.last.url;
  }
}
