import type { CounterSettings } from '@onestop/protocol';

/**
 * Counter settings with each officer's badge ID replaced by `hidden` (names stay: the kiosk shows
 * them to every citizen). For everyone but the unit's leader (`canSeeBadges`). The roster is the
 * only source of `officers` on save, so a form carrying the placeholder back changes nothing.
 */
export function hideBadges(settings: CounterSettings, hidden: string): CounterSettings {
  const officers = Object.fromEntries(
    Object.entries(settings.officers).map(([id, o]) => [
      id,
      { ...o, badge: o.badge === null ? null : hidden },
    ]),
  );
  return { ...settings, officers };
}
