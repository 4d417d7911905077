import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Launcher, startLauncher } from './launcher.js';
import { currentVersion, type InstallLayout, installLayout, RELEASE_ENTRY, switchCurrent } from './layout.js';
import { type LauncherState, readLauncherState, writeLauncherState } from './state.js';

/**
 * The launcher against real files and real child processes (child_process, spawned by the
 * launcher itself): fake releases are a few lines of
 * JavaScript that say they ran (a file), then crash, hang, or mark themselves healthy.
 */
const BEHAVIOURS = {
  // Runs until stopped, never marking itself healthy: a release with no MQTT, say.
  hang: `setInterval(() => {}, 1000);`,
  crash: `process.exit(1);`,
  healthy: `
    const { writeFileSync, renameSync } = await import('node:fs');
    const mark = process.env.ONESTOP_INSTALL_ROOT + '/healthy.json';
    writeFileSync(mark + '.tmp', JSON.stringify({ version: process.env.ONESTOP_RELEASE, at: Date.now() }));
    renameSync(mark + '.tmp', mark);
    setInterval(() => {}, 1000);`,
  // Marks itself healthy, then dies a moment later: a crash loop if the mark were final.
  healthyThenCrash: `
    const { writeFileSync, renameSync } = await import('node:fs');
    const mark = process.env.ONESTOP_INSTALL_ROOT + '/healthy.json';
    writeFileSync(mark + '.tmp', JSON.stringify({ version: process.env.ONESTOP_RELEASE, at: Date.now() }));
    renameSync(mark + '.tmp', mark);
    setTimeout(() => process.exit(3), 300);`,
} as const;

let layout: InstallLayout;
const launchers: Launcher[] = [];
afterEach(async () => {
  for (const l of launchers.splice(0)) {
    l.stop('SIGKILL');
    await l.done;
  }
  rmSync(layout.root, { recursive: true, force: true });
});

function release(version: string, behaviour: keyof typeof BEHAVIOURS): void {
  const dir = layout.release(version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, RELEASE_ENTRY),
    `import { appendFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(join(layout.root, 'runs.log'))}, process.env.ONESTOP_RELEASE + ' ' + process.argv.slice(2).join(' ') + '\\n');
${BEHAVIOURS[behaviour]}
`,
  );
}

const runs = () => {
  try {
    return readFileSync(join(layout.root, 'runs.log'), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith('/etc/agent.yaml'));
  } catch {
    return [];
  }
};

/** A release on trial, as the agent leaves it just before it restarts into it. */
function onTrial(version: string, previous: string, deadlineInMs: number, attempts = 0): void {
  const state: LauncherState = {
    pending: { version, previous, rolloutId: null, deadline: Date.now() + deadlineInMs, attempts },
    last: null,
  };
  writeLauncherState(layout, state);
  switchCurrent(layout, version);
}

function launch(stableMs?: number): Launcher {
  const l = startLauncher({
    ...(stableMs === undefined ? {} : { stableMs }),
    layout,
    args: ['--config', '/etc/agent.yaml'],
    pollMs: 50,
    stopGraceMs: 500,
    log: () => {},
  });
  launchers.push(l);
  return l;
}

async function until(what: string, test: () => boolean, limitMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!test()) {
    if (Date.now() - start > limitMs) throw new Error(`never: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the launcher', () => {
  it('runs current with the agent arguments and where it is installed', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    switchCurrent(layout, '1.0.0');
    launch();
    await until('1.0.0 ran', () => runs().length > 0);
    expect(runs()).toEqual(['1.0.0 --config /etc/agent.yaml']);
  });

  it('brings the previous release back when the new one crashes on start', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'crash');
    onTrial('2.0.0', '1.0.0', 60_000);
    launch();
    await until('1.0.0 runs again', () => runs().includes('1.0.0 --config /etc/agent.yaml'));
    expect(runs()[0]).toMatch(/^2\.0\.0/);
    expect(currentVersion(layout)).toBe('1.0.0');
    expect(readLauncherState(layout)).toMatchObject({
      pending: null,
      last: { version: '2.0.0', state: 'rolled-back', reason: 'exited with code 1 before reporting healthy' },
    });
  });

  it('brings the previous release back when the new one is not healthy by its deadline', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'hang');
    onTrial('2.0.0', '1.0.0', 800);
    launch();
    await until('1.0.0 runs again', () => runs().includes('1.0.0 --config /etc/agent.yaml'));
    expect(currentVersion(layout)).toBe('1.0.0');
    expect(readLauncherState(layout).last).toMatchObject({
      version: '2.0.0',
      state: 'rolled-back',
      reason: expect.stringMatching(/did not report healthy within/),
    });
  });

  it('keeps a release that marks itself healthy, past its deadline', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'healthy');
    onTrial('2.0.0', '1.0.0', 800);
    launch();
    await until('2.0.0 committed', () => readLauncherState(layout).last?.state === 'healthy');
    const deadline = Date.now() + 800;
    // Past the deadline, and a few polls more: nothing moves.
    await until('past the deadline', () => Date.now() > deadline + 300);
    expect(currentVersion(layout)).toBe('2.0.0');
    expect(runs()).toEqual(['2.0.0 --config /etc/agent.yaml']);
    expect(readLauncherState(layout)).toMatchObject({
      pending: null,
      last: { version: '2.0.0', state: 'healthy' },
    });
  });

  it('after its own power cut: undoes a release started too often, or past its deadline', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'hang');
    onTrial('2.0.0', '1.0.0', 60_000, 3);
    launch();
    await until('1.0.0 runs', () => runs().length > 0);
    expect(runs()).toEqual(['1.0.0 --config /etc/agent.yaml']);
    expect(readLauncherState(layout).last?.reason).toBe('started 3 times without reporting healthy');

    const l = launchers.pop()!;
    l.stop('SIGKILL');
    await l.done;
    onTrial('2.0.0', '1.0.0', -1);
    launch();
    await until('1.0.0 runs again', () => runs().length > 1);
    expect(runs()[1]).toMatch(/^1\.0\.0/);
    expect(readLauncherState(layout).last?.reason).toMatch(/deadline/);
  });

  it('after a power cut between recording the update and switching to it: stays, and says so', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'hang');
    switchCurrent(layout, '1.0.0');
    writeLauncherState(layout, {
      pending: {
        version: '2.0.0',
        previous: '1.0.0',
        rolloutId: null,
        deadline: Date.now() + 60_000,
        attempts: 0,
      },
      last: null,
    });
    launch();
    await until('1.0.0 runs', () => runs().length > 0);
    expect(runs()).toEqual(['1.0.0 --config /etc/agent.yaml']);
    expect(readLauncherState(layout)).toMatchObject({
      pending: null,
      last: { version: '2.0.0', state: 'failed', reason: expect.stringContaining('still on 1.0.0') },
    });
  });

  it('holds a failed trial with no release to go back to, and never starts it again', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('2.0.0', 'crash');
    onTrial('2.0.0', '1.0.0', 60_000);
    expect(await launch().done).toBe(1);
    expect(runs()).toEqual(['2.0.0 --config /etc/agent.yaml']);
    expect(readLauncherState(layout)).toMatchObject({
      pending: { version: '2.0.0', previous: '1.0.0' },
      last: { version: '2.0.0', state: 'failed', reason: expect.stringMatching(/^no release to go back to/) },
    });
    // systemd starts the launcher again: still nothing run.
    expect(await launch().done).toBe(1);
    expect(runs()).toHaveLength(1);
  });

  it('rolls back a release that dies soon after marking itself healthy', async () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'healthyThenCrash');
    onTrial('2.0.0', '1.0.0', 60_000);
    launch(30_000);
    await until('1.0.0 runs again', () => runs().includes('1.0.0 --config /etc/agent.yaml'));
    expect(currentVersion(layout)).toBe('1.0.0');
    expect(readLauncherState(layout)).toMatchObject({
      pending: null,
      last: { version: '2.0.0', state: 'rolled-back', reason: expect.stringMatching(/stayed healthy/) },
    });
  });

  it('keeps every switch atomic: current is always a link to a whole release', () => {
    layout = installLayout(mkdtempSync(join(tmpdir(), 'launcher-')));
    release('1.0.0', 'hang');
    release('2.0.0', 'hang');
    for (let i = 0; i < 50; i++) {
      switchCurrent(layout, i % 2 ? '1.0.0' : '2.0.0');
      expect(existsSync(join(layout.current, RELEASE_ENTRY))).toBe(true);
    }
    expect(currentVersion(layout)).toBe('1.0.0');
  });
});
