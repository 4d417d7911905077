import { type CommandName, LANGS } from '@onestop/protocol';
import { type Database, type DeviceCommand, getCommand } from '@onestop/store';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { Translate } from '../../i18n.js';

/**
 * Commands that interrupt a counter (a citizen may be rating): the page asks before sending
 * them, and the server refuses them without the confirmation, so a stray click, a replayed form
 * or an old bookmark never restarts a board.
 */
export const DISRUPTIVE_COMMANDS: readonly CommandName[] = ['restart', 'reload-config'];
export const isDisruptive = (name: string) => (DISRUPTIVE_COMMANDS as readonly string[]).includes(name);

/** The form's `confirm` value that says the technician pressed "Confirm". */
export const CONFIRMED = 'yes';

/**
 * After an action the browser is sent (303) to the device's page with what happened in the query:
 * a refresh then only reloads the page and never queues the command or saves again. The query
 * names the command or version; the notice is built from the store (a crafted link cannot make
 * the page claim something that did not happen).
 */
export const DeviceQuery = z.object({
  queued: z.uuid().optional(),
  saved: z.coerce.number().int().min(1).optional(),
  lang: z.enum(LANGS).optional(),
});
export type DeviceQuery = z.infer<typeof DeviceQuery>;

/** An unreadable notice parameter is dropped, not refused: it only ever came from a redirect. */
export const deviceQuery = validator('query', (value) => {
  const r = DeviceQuery.safeParse(value);
  return r.success ? r.data : {};
});

export type Notice = { ok: boolean; text: string };

/** The notice a redirect asked for, if it matches what the store holds for this device. */
export async function noticeOf(
  db: Database,
  t: Translate,
  deviceId: string,
  q: DeviceQuery,
  storedVersion: number | undefined,
): Promise<Notice | undefined> {
  if (q.queued) {
    const cmd: DeviceCommand | null = await getCommand(db, q.queued);
    if (cmd && cmd.deviceId === deviceId) return { ok: true, text: `${t('commandQueued')}: ${cmd.name}` };
  }
  if (q.saved !== undefined && q.saved === storedVersion)
    return { ok: true, text: `${t('savedVersion')} ${q.saved}` };
  return undefined;
}
