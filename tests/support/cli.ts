import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ONESTOP_BIN = fileURLToPath(new URL('../../cli/bin/onestop.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to completion, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ONESTOP_BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`onestop ${args.join(' ')} timed out; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface ServeProcess {
  child: ChildProcessWithoutNullStreams;
  dashboardUrl: string;
  mqttUrl: string;
  /** The one-time sign-in link `serve` printed (a city account). */
  signInLink: string | null;
  output(): string;
  /** SIGINT and wait: resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Boots `onestop serve` on free ports and waits for its ready line. */
export function startServe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  // Start-up opens PGlite, migrates and loads the camera models: on a loaded 2-core CI machine
  // that took over a minute once; a start that never comes still fails, later.
  timeoutMs = 120_000,
): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [ONESTOP_BIN, 'serve', '--mqtt-port', '0', '--http-port', '0', '--host', '127.0.0.1', ...args],
    {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not become ready; stderr: ${err.slice(-3000)}`));
    }, timeoutMs);
    const check = () => {
      const m = /dashboard (http:\/\/\S+) · mqtt (mqtt:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        child,
        dashboardUrl: m[1]!,
        mqttUrl: m[2]!,
        signInLink: /sign in \(one-time link, 15 min\): (\S+)/.exec(out)?.[1] ?? null,
        output: () => out + err,
        stop: (signal = 'SIGINT') => {
          child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready: ${err.slice(-3000)}`));
    });
  });
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function metricValue(metrics: string, name: string, labels = ''): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Follows a one-time sign-in link and returns the session cookie (`name=value`) it sets. */
export async function sessionCookie(signInLink: string): Promise<string> {
  const url = new URL(signInLink);
  const res = await fetch(`${url.origin}/login/link`, {
    method: 'POST',
    redirect: 'manual',
    headers: { origin: url.origin },
    body: new URLSearchParams({ token: url.searchParams.get('token') ?? '' }),
  });
  const cookie = res.headers.get('set-cookie')?.split(';')[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in link refused: HTTP ${res.status}`);
  return cookie;
}
