import {
  getCommand,
  getDeviceConfig,
  issuePairingCode,
  listDevices,
  provisionDevice,
  reissuePairingCode,
  replaceDevice,
  requestCommand,
  restoreDevice,
  revokeDevice,
  rotateDevicePassword,
  setDeviceConfig,
} from '@onestop/store';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { operation } from './operation.js';

// IDs are plain strings here: the store checks them and names the flag to fix.
export const deviceOperations = {
  'device.add': operation(
    z.strictObject({ unitId: z.string(), counterId: z.string(), deviceId: z.string().optional() }),
    (db, input, actor) => provisionDevice(db, { ...input, actor }),
  ),
  // A device and its one-time pairing code: the board claims its password itself, unseen here.
  'device.pair': operation(
    z.strictObject({
      unitId: z.string(),
      counterId: z.string(),
      deviceId: z.string().optional(),
      ttlMinutes: z.int().optional(),
    }),
    (db, input, actor) => issuePairingCode(db, { ...input, actor }),
  ),
  'device.pair.again': operation(
    z.strictObject({ deviceId: z.string(), ttlMinutes: z.int().optional() }),
    (db, input, actor) => reissuePairingCode(db, { ...input, actor }),
  ),
  'device.list': operation(z.strictObject({}), (db) => listDevices(db)),
  'device.revoke': operation(z.strictObject({ deviceId: z.string() }), async (db, { deviceId }, actor) => {
    if (!(await revokeDevice(db, deviceId, actor))) throw new UsageError(`no active device '${deviceId}'`);
    return { deviceId, revoked: true as const };
  }),
  'device.replace': operation(
    z.strictObject({ deviceId: z.string(), newDeviceId: z.string(), drainDays: z.number().optional() }),
    (db, input, actor) => replaceDevice(db, { ...input, actor }),
  ),
  'device.restore': operation(z.strictObject({ deviceId: z.string() }), (db, { deviceId }, actor) =>
    restoreDevice(db, deviceId, actor),
  ),
  'device.rotate': operation(z.strictObject({ deviceId: z.string() }), (db, { deviceId }, actor) =>
    rotateDevicePassword(db, deviceId, actor),
  ),
  'device.config.show': operation(z.strictObject({ deviceId: z.string() }), async (db, { deviceId }) => {
    const stored = await getDeviceConfig(db, deviceId);
    if (!stored)
      throw new UsageError(`no stored settings for '${deviceId}' (the device runs on its file's defaults)`);
    return stored;
  }),
  'device.config.set': operation(
    // The settings are read from the operator's file by the command; the store's schema judges them.
    z.strictObject({ deviceId: z.string().optional(), unitId: z.string().optional(), settings: z.unknown() }),
    (db, input, actor) => setDeviceConfig(db, { ...input, actor }),
  ),
  'device.command': operation(
    z.strictObject({ deviceId: z.string(), name: z.string() }),
    (db, input, actor) => requestCommand(db, { ...input, actor }),
  ),
  'device.command.get': operation(z.strictObject({ cmdId: z.string() }), async (db, { cmdId }) => {
    const cmd = await getCommand(db, cmdId);
    if (!cmd) throw new UsageError(`no command '${cmdId}'`);
    return cmd;
  }),
};
