import { isAbsolute } from 'node:path';
import {
  changeRollout,
  listReleases,
  listRollouts,
  rolloutProgress,
  startRollout,
  trustReleaseKey,
  widenRollout,
} from '@onestop/store';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { operation } from './operation.js';

const RolloutRef = z.strictObject({ rolloutId: z.string() });

/**
 * Fleet updates (issue 14) from the command line, through the running centre when there is one:
 * publishing a bundle (verified against the trusted keys before it is kept), trusting a signing
 * key, and driving rollouts. The store checks IDs and states and words the refusals.
 */
export const releaseOperations = {
  'release.publish': operation(
    z.strictObject({ file: z.string().min(1) }),
    async (db, { file }, actor, ctx) => {
      // The centre reads the file itself: a relative path would be read from its own folder.
      if (!isAbsolute(file))
        throw new UsageError(`release publish: give the file's absolute path, got '${file}'`);
      const { publishReleaseFile } = await import('@onestop/dashboard');
      const outcome = await publishReleaseFile(db, file, { releasesDir: ctx.releasesDir, actor });
      if (!outcome.ok) throw new UsageError(`release publish: ${outcome.message}`);
      const { path: _path, ...release } = outcome.release;
      return release;
    },
  ),
  'release.list': operation(z.strictObject({}), async (db) =>
    (await listReleases(db)).map(({ path: _path, ...r }) => r),
  ),
  'release.trust': operation(
    z.strictObject({ publicPem: z.string().max(4096), name: z.string().max(80) }),
    async (db, input, actor) => {
      const { publicPem: _pem, ...key } = await trustReleaseKey(db, { ...input, actor });
      return key;
    },
  ),
  'rollout.start': operation(
    z.strictObject({
      version: z.string(),
      unitId: z.string().nullable(),
      canary: z.array(z.string()).max(1_000),
      healthDeadlineS: z.number().optional(),
    }),
    (db, input, actor) => startRollout(db, { ...input, actor }),
  ),
  'rollout.widen': operation(
    z.strictObject({ rolloutId: z.string(), percent: z.number() }),
    (db, input, actor) => widenRollout(db, { ...input, actor }),
  ),
  'rollout.pause': operation(RolloutRef, (db, { rolloutId }, actor) =>
    changeRollout(db, { rolloutId, action: 'pause', actor }),
  ),
  'rollout.resume': operation(RolloutRef, (db, { rolloutId }, actor) =>
    changeRollout(db, { rolloutId, action: 'resume', actor }),
  ),
  'rollout.withdraw': operation(RolloutRef, (db, { rolloutId }, actor) =>
    changeRollout(db, { rolloutId, action: 'withdraw', actor }),
  ),
  'rollout.status': operation(RolloutRef, async (db, { rolloutId }) => {
    const progress = await rolloutProgress(db, rolloutId);
    if (!progress) throw new UsageError(`no rollout '${rolloutId}'`);
    return progress;
  }),
  'rollout.list': operation(z.strictObject({}), (db) => listRollouts(db)),
};
