import { STORE_BACKENDS } from '@onestop/store/testing';
import { describe, expect, it } from 'vitest';
import { type Expected, peopleSuite } from '../access/fixture.js';

const NOW = new Date('2026-11-20T03:00:00Z');

const MATRIX: Array<[string, Expected]> = [
  ['/audit', { city: 200, 'lead.tv': 403, 'lead.ka': 403, tech: 403, lan: 403, tam: 403 }],
];

describe.each(STORE_BACKENDS)('audit log on %s', (backend) => {
  const { as, answersAsExpected } = peopleSuite(backend, NOW);
  answersAsExpected(MATRIX);

  it('lists the accounts created, in words', async () => {
    const page = await (await as('city', '/audit?lang=en')).text();
    expect(page).toContain('data-testid="audit"');
    expect(page).toContain('lead.tv');
  });
});
