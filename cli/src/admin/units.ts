import { UnitId } from '@onestop/protocol';
import { getUnitSettings, setUnitSettings } from '@onestop/store';
import { z } from 'zod';
import { operation } from './operation.js';

const Hours = z.object({ open: z.string(), close: z.string() }).nullable();
/** A value the operator typed: the unit settings schema judges it and names the field. */
const Typed = z.unknown().optional();

/** A unit's evaluation settings: shown, or some of them changed (the rest kept, audited). */
export const unitOperations = {
  'unit.settings': operation(
    z.strictObject({
      unitId: UnitId,
      openingHours: z.record(z.string(), Hours).default({}),
      rapidRepeatSeconds: Typed,
      burstMaxPresses: Typed,
      burstWindowMinutes: Typed,
      satisfiedShare: Typed,
    }),
    async (db, { unitId, openingHours, ...o }, actor) => {
      const now = await getUnitSettings(db, unitId);
      const changes = Object.keys(openingHours).length > 0 || Object.values(o).some((v) => v !== undefined);
      if (!changes) return now;
      const next = {
        ...now,
        openingHours: { ...now.openingHours, ...openingHours },
        rapidRepeat: { windowSeconds: o.rapidRepeatSeconds ?? now.rapidRepeat.windowSeconds },
        burst: {
          maxPresses: o.burstMaxPresses ?? now.burst.maxPresses,
          windowMinutes: o.burstWindowMinutes ?? now.burst.windowMinutes,
        },
        targets: { satisfiedShare: o.satisfiedShare ?? now.targets.satisfiedShare },
      };
      return setUnitSettings(db, { unitId, settings: next, actor });
    },
  ),
};
