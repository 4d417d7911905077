import { describe, expect, it } from 'vitest';
import { switchLanguageHref } from './middleware.js';

describe('switchLanguageHref', () => {
  it('keeps every parameter of the query and replaces only lang', () => {
    expect(
      switchLanguageHref('http://x/search?q=A001&page=3&period=month&date=2026-11-18&lang=en', 'vi'),
    ).toBe('?q=A001&page=3&period=month&date=2026-11-18&lang=vi');
  });

  it('adds lang to a page without a query', () => {
    expect(switchLanguageHref('http://x/units/trung-van', 'en')).toBe('?lang=en');
  });

  it('keeps repeated parameters and encodes values again', () => {
    expect(switchLanguageHref('http://x/?a=1&a=2&q=h%E1%BB%93+s%C6%A1&lang=vi&lang=en', 'en')).toBe(
      '?a=1&a=2&q=h%E1%BB%93+s%C6%A1&lang=en',
    );
  });
});
