import { STORE_BACKENDS } from '@onestop/store/testing';
import { describe, expect, it } from 'vitest';
import { type Expected, peopleSuite } from '../access/fixture.js';

const NOW = new Date('2026-11-20T03:00:00Z');

const MATRIX: Array<[string, Expected]> = [
  // Everyone else signed in is sent to their own start page.
  [
    '/',
    {
      city: 200,
      'lead.tv': '/units/trung-van',
      'lead.ka': '/units/kim-anh',
      tech: '/devices',
      lan: '/officers/cb-lan',
      tam: '/officers/cb-tam',
    },
  ],
];

describe.each(STORE_BACKENDS)('city page on %s', (backend) => {
  const { as, answersAsExpected } = peopleSuite(backend, NOW);
  answersAsExpected(MATRIX);

  it('answers a bad period with a 400 page naming the field', async () => {
    const res = await as('city', '/?period=month&date=2026-02-30');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-testid="error-field">date<');
  });
});
