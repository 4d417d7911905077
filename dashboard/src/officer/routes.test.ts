import { STORE_BACKENDS } from '@onestop/store/testing';
import { describe, expect, it } from 'vitest';
import { type Expected, peopleSuite } from '../access/fixture.js';

const NOW = new Date('2026-11-20T03:00:00Z');

const MATRIX: Array<[string, Expected]> = [
  // Officers see only their own record; ward leaders those of their unit.
  ['/officers/cb-lan', { city: 200, 'lead.tv': 200, 'lead.ka': 403, tech: 403, lan: 200, tam: 403 }],
  ['/officers/cb-tam', { city: 200, 'lead.tv': 403, 'lead.ka': 200, tech: 403, lan: 403, tam: 200 }],
];

describe.each(STORE_BACKENDS)('officer page on %s', (backend) => {
  const { as, answersAsExpected } = peopleSuite(backend, NOW);
  answersAsExpected(MATRIX);

  it('answers a malformed officer ID 400 and an unknown one 404, as pages', async () => {
    for (const [path, status] of [
      ['/officers/bad%20id', 400],
      ['/officers/cb-nobody', 404],
      ['/officers/cb-lan?days=abc', 400],
    ] as const) {
      const res = await as('city', path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toContain('text/html');
    }
  });

  it("gives a ward leader the same refusal for an unknown officer as for another ward's", async () => {
    const other = await as('lead.ka', '/officers/cb-lan');
    const unknown = await as('lead.ka', '/officers/cb-nobody');
    expect(other.status).toBe(403);
    expect(unknown.status).toBe(403);
    const main = async (r: Response) => /<main>([\s\S]*)<\/main>/.exec(await r.text())?.[1];
    expect(await main(unknown)).toBe(await main(other));
  });

  it('tells an officer opening a colleague that it is their own record only', async () => {
    const page = await (await as('lan', '/officers/cb-tam?lang=en')).text();
    expect(page).not.toContain('Vũ Minh Tâm');
  });
});
