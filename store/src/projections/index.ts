/**
 * Projections: everything derived from `events` (ratings, visits, presence intervals, expression
 * summaries, hourly roll-ups), computed here and only here, in set-based SQL, one statement per
 * batch per event kind (presence: one more per further round, see presence.ts).
 */
export { projectExpressions } from './expressions.js';
export { projectPresence } from './presence.js';
export { projectRatings } from './ratings.js';
export { eventKey, type Origin } from './statement.js';
export { hourBucketSql, inVietnamSql, vietnamHourOfDaySql } from './vietnam-time-sql.js';
export { projectVisits } from './visits.js';
