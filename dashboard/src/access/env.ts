import type { findUnit } from '@onestop/store';
import type { Viewer } from '../auth/access.js';
import type { Lang } from '../i18n.js';

/**
 * What every dashboard handler may read from the context: who asks (`identify`), in which language
 * (the language middleware) and, on routes under `unitScope`, the unit they were allowed to open.
 * One definition, so a route cannot forget a variable another middleware sets.
 */
export type DashboardEnv = {
  Variables: {
    staff: Viewer | null;
    lang: Lang;
    unit: NonNullable<Awaited<ReturnType<typeof findUnit>>>;
  };
};
