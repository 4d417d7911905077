import { and, eq, isNotNull, isNull, type SQL } from 'drizzle-orm';
import { ratings } from './schema.js';

/**
 * THE rule for whether a stored rating counts in an officer's figures: its time could be placed,
 * its officer was verified as signed in at that counter on the unit's roster, and no misuse filter
 * caught it. Every report reads ratings through this; roll-ups count only such ratings.
 */
export function countsForOfficer(): SQL {
  return and(isNotNull(ratings.at), eq(ratings.attribution, 'verified'), isNull(ratings.filterReason)) as SQL;
}

/**
 * Whether a stored rating is a citizen's rating of the unit (the Decision 766 per-dossier figure
 * of a unit): its time could be placed and no misuse filter caught it. Whom it names does not
 * matter here: an unverified rating still rates the unit's handling of the dossier.
 */
export function ratesTheUnit(): SQL {
  return and(isNotNull(ratings.at), isNull(ratings.filterReason)) as SQL;
}
