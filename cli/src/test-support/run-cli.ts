import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `onestop ARGS` from its sources in a child process (as the built bin would, without
 * needing a build). `nodeArgs` go before the script (an import hook, say).
 */
export async function runCliFromSource(
  args: string[],
  o: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): Promise<CliRun> {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', ...(o.nodeArgs ?? []), MAIN, ...args],
    { env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'warn', ...o.env } },
  );
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const [stdout, stderr, code] = await Promise.all([text(child.stdout), text(child.stderr), exited]);
  return { code, stdout, stderr };
}
