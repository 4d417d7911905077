import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Runs a TypeScript file in a child Node process (tsx loader, workspace `source` condition) so
 * that tests can SIGKILL a real process. Lines on stdout are handed to `onLine`.
 */
export function spawnTs(file: string, args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM' && err)
      process.stderr.write(`[child ${file}] ${err}\n`);
  });
  return child;
}

export function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}
