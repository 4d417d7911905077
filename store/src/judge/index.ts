/**
 * The centre's judgement of each rating: whether it counts for the officer it names (verified
 * attribution) and whether a misuse filter caught it, kept right in the roll-ups as late events
 * arrive. The rules in words and their reason codes: @onestop/evaluation judgement.ts.
 */

export { AROUND_THE_CLOCK } from '@onestop/evaluation';
export { type JudgeScope, type Judging, judgeFresh, prepareJudging, rejudge } from './judge.js';
export { judgePending } from './pending.js';
export * from './queries.js';
export { getUnitSettings, initUnitSettings, parseUnitSettingsInput, setUnitSettings } from './settings.js';
