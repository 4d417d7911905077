import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './examples.js';
import { decodePayload } from './validate.js';

describe('U+0000 in a payload', () => {
  it('is refused as malformed wherever it hides, and a literal backslash-u text is not', () => {
    const birth = JSON.stringify({ ...EXAMPLES.birth, agentVersion: 'x\u0000y' });
    expect(birth).toContain('\\u0000');
    expect(decodePayload('birth', birth)).toMatchObject({ ok: false, refusal: 'malformed' });
    const nested = JSON.stringify({ ...EXAMPLES['evt/rating'], dossierIds: ['A\u0000'] });
    expect(decodePayload('evt/rating', nested)).toMatchObject({ ok: false, refusal: 'malformed' });
    const literal = JSON.stringify({ ...EXAMPLES.birth, agentVersion: 'a\\u0000b' });
    expect(decodePayload('birth', literal).ok).toBe(true);
  });
});
