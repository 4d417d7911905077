import { type Database, StoreInputError } from '@onestop/store';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { deviceOperations } from './devices.js';
import type { AdminContext } from './operation.js';
import { peopleOperations } from './people.js';
import { releaseOperations } from './releases.js';
import { unitOperations } from './units.js';

/** Every admin operation by name: `POST /admin/<name>` on the control socket, or a direct call. */
export const ADMIN_OPERATIONS = {
  ...deviceOperations,
  ...peopleOperations,
  ...unitOperations,
  ...releaseOperations,
};

export type AdminOperations = typeof ADMIN_OPERATIONS;
export type AdminOperationName = keyof AdminOperations;

export type AdminOutcome = { status: 200; value: unknown } | { status: 400 | 404; error: string };

const isOperation = (name: string): name is AdminOperationName => Object.hasOwn(ADMIN_OPERATIONS, name);

/** The schema's complaints as one line, each naming the field. */
function describeIssues(name: string, error: z.ZodError): string {
  const issues = error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`);
  return `${name}: ${issues.join('; ')}`;
}

/**
 * Validates and runs one operation. What the operator can fix (bad input, a refusal the store or
 * the operation explains) is an outcome with its message; anything else is thrown, a fault.
 * The value has crossed JSON, as it would have over the socket.
 */
export async function performAdmin(
  db: Database,
  name: string,
  body: unknown,
  actor: string,
  context: AdminContext,
): Promise<AdminOutcome> {
  if (!isOperation(name)) return { status: 404, error: `no admin operation '${name}'` };
  const op = ADMIN_OPERATIONS[name];
  const input = op.input.safeParse(body ?? {});
  if (!input.success) return { status: 400, error: describeIssues(name, input.error) };
  try {
    // The union of every operation's run, each called with its own schema's output.
    const run = op.run as (
      db: Database,
      input: unknown,
      actor: string,
      ctx: AdminContext,
    ) => Promise<unknown>;
    const value = await run(db, input.data, actor, context);
    return { status: 200, value: JSON.parse(JSON.stringify(value ?? null)) };
  } catch (err) {
    if (err instanceof UsageError || err instanceof StoreInputError)
      return { status: 400, error: err.message };
    throw err;
  }
}
