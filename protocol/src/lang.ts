/**
 * The languages every screen speaks: Vietnamese first (the default, what citizens and most staff
 * read), English for visitors and integrators. Defined once here, at the bottom of the dependency
 * graph, so the kiosk, the evaluation's period names and the dashboard cannot drift apart.
 */
export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Narrows an untrusted string (a query, a cookie) to a language, or undefined. */
export function asLang(value: string | undefined | null): Lang | undefined {
  return (LANGS as readonly string[]).includes(value ?? '') ? (value as Lang) : undefined;
}
