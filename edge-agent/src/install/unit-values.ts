import { isAbsolute, normalize } from 'node:path';

/**
 * What may be pasted into the agent's unit file and the kiosk's .desktop Exec= line. systemd
 * splits on whitespace, expands `%` specifiers and `$` variables, and a newline starts a new
 * directive (an `ExecStartPre=+…` run as root); a .desktop Exec= line has its own `%` field
 * codes and quoting. Rather than escape for each, such values are refused: no board needs them.
 */
const UNSAFE = /[\s\p{Cc}%$"'`\\;]/u;

/** A value written as one word, or an error naming it. */
export function unitWord(what: string, value: string): string {
  if (!value || UNSAFE.test(value))
    throw new Error(
      `${what} ${JSON.stringify(value)} contains whitespace, a control character, a quote, a backslash, ';', '%' or '$', which systemd and the desktop session would split or expand: use a plain value`,
    );
  return value;
}

/**
 * A path written into the unit, absolute and normalised. Paths inside the device file are not
 * resolved by the loader: the agent opens them from its working directory, which is / under
 * systemd, so a relative one would mean something else on the board than where it was written.
 */
export function unitPath(what: string, value: string): string {
  unitWord(what, value);
  if (!isAbsolute(value))
    throw new Error(`${what} ${JSON.stringify(value)} must be an absolute path (the service runs from /)`);
  return normalize(value).replace(/(.)\/$/, '$1');
}

/** Whether a path lies under a home folder, which ProtectHome= hides. */
export const underHome = (path: string) => /^\/(home|root)(\/|$)/.test(normalize(path));
