import type { StaffRole } from '@onestop/store';
import type { Viewer } from '../auth/access.js';
import type { MessageKey } from '../i18n.js';

/** One entry of the header menu: where it goes and the words on it. */
export interface MenuItem {
  href: string;
  label: MessageKey;
  /** The "new comments" count shown beside the entry (ward leaders only). */
  badge?: number;
}

interface MenuEntry {
  roles: readonly StaffRole[];
  label: MessageKey;
  /** Where it goes for this person, or null when their account lacks what it needs (a unit). */
  href: (staff: Viewer) => string | null;
  badge?: (staff: Viewer) => number | undefined;
}

/**
 * The menu, derived from the same role rules the routes enforce: an entry is listed for the roles
 * its route lets in, so nobody is shown a link that would answer 403.
 */
const ENTRIES: readonly MenuEntry[] = [
  { roles: ['city'], label: 'city', href: () => '/' },
  { roles: ['ward'], label: 'myUnit', href: (s) => (s.unitId ? `/units/${s.unitId}` : null) },
  {
    roles: ['ward'],
    label: 'comments',
    href: (s) => (s.unitId ? `/units/${s.unitId}/comments${s.newComments ? '?state=new' : ''}` : null),
    badge: (s) => s.newComments || undefined,
  },
  { roles: ['officer'], label: 'myRecord', href: (s) => (s.officerId ? `/officers/${s.officerId}` : null) },
  { roles: ['city', 'ward', 'technician'], label: 'devices', href: () => '/devices' },
  // Who manages accounts (`canManageRole`): the city every role, technicians their teammates.
  { roles: ['city', 'technician'], label: 'users', href: () => '/users' },
  { roles: ['city'], label: 'audit', href: () => '/audit' },
  { roles: ['city', 'ward', 'technician', 'officer'], label: 'method', href: () => '/cach-tinh' },
];

export function menuFor(staff: Viewer | null): MenuItem[] {
  if (!staff) return [];
  return ENTRIES.flatMap((e) => {
    if (!e.roles.includes(staff.role)) return [];
    const href = e.href(staff);
    if (href === null) return [];
    const badge = e.badge?.(staff);
    return [badge === undefined ? { href, label: e.label } : { href, label: e.label, badge }];
  });
}
