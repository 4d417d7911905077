import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one system command (systemctl, useradd, udevadm, timedatectl…). Injected so that the
 * installer and the doctor are tested on a staging root without touching the machine.
 */
export type CommandRunner = (cmd: string, args: readonly string[]) => Promise<CommandResult>;

/** Never throws: a missing binary is exit code 127, as a shell would say. */
export const systemRunner: CommandRunner = (cmd, args) =>
  new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: unknown }) | null;
      const code = !e ? 0 : e.code === 'ENOENT' ? 127 : typeof e.code === 'number' ? e.code : 1;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (e?.message ?? '')) });
    });
  });

/** A command as a technician would type it, for `--dry-run` and the report. */
export function shellLine(cmd: string, args: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [cmd, ...args].map(quote).join(' ');
}
