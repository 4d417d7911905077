import { type ChildProcess, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { CONFIG_SCHEMA_VERSION, loadAgentConfig } from '@onestop/firmware-config';
import { topicFor } from '@onestop/protocol';
import { createBundle } from '@onestop/release';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  runCli,
  type ServeProcess,
  sessionCookie,
  startServe,
  waitFor,
} from '../support/cli.js';

const MODELS = fileURLToPath(new URL('../../models/onnx', import.meta.url));
const UNIT = 'trung-van';

interface Progress {
  rollout: { id: string; version: string; state: string; haltReason: string | null };
  stages: Record<string, Record<string, number>>;
  devices: Array<{ deviceId: string; outcome: string; running: string | null; reason: string | null }>;
}

/**
 * Issue 14's "done means", with the real parts on both sides: `onestop serve` (the centre:
 * broker, download route, rollouts), the release key and bundles made with the CLI, a board
 * paired with `agent pair` and installed with `agent install` into a staging root, its launcher
 * started as the systemd unit would, and the agent releases it runs. A technician ships a models
 * release to a canary counter, then to the ward, withdraws it, and ships an agent release that
 * crashes on start: the board undoes it by itself and the centre halts the rollout.
 */
describe('fleet updates from the centre to a board and back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-fleet-'));
  const data = join(dir, 'data');
  const keys = join(dir, 'keys');
  /** The board's filesystem, as `agent install --root` lays it out. */
  const board = join(dir, 'board');
  const configOnBoard = '/etc/onestop/agent.yaml';
  const configPath = join(board, configOnBoard);
  const installRoot = join(board, 'var/lib/onestop-agent');
  let serve: ServeProcess;
  let canary: string;
  let bystander: { deviceId: string; config: ReturnType<typeof loadAgentConfig> };
  let launcher: ChildProcess | null = null;
  const launcherLines: string[] = [];
  let bystanderClient: mqtt.MqttClient | null = null;
  /** What the broker sent the device that no rollout targets, on its own `update` topic. */
  const bystanderOffers: string[] = [];

  const admin = async (...args: string[]) => {
    const r = await runCli([...args, '--data', data]);
    expect(r.code, `onestop ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const cli = async (...args: string[]) => {
    const r = await runCli(args);
    expect(r.code, `onestop ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const json = async <T>(...args: string[]) => JSON.parse(await admin(...args)) as T;
  const status = (id: string) => json<Progress>('rollout', 'status', id);
  const addPaired = (counter: string) =>
    json<{ code: string; deviceId: string }>('device', 'add', '--pair', '--unit', UNIT, '--counter', counter);
  const pair = async (code: string, config: string, dataDir: string) => {
    const r = await runCli([
      'agent',
      'pair',
      code,
      '--centre',
      serve.dashboardUrl,
      '--config',
      config,
      '--data-dir',
      dataDir,
    ]);
    expect(r.code, r.stderr).toBe(0);
  };
  const current = () => basename(realpathSync(join(installRoot, 'current')));
  const boardLog = () => launcherLines.slice(-40).join('\n');

  beforeAll(async () => {
    mkdirSync(join(board, 'etc/onestop'), { recursive: true });
    // The release key first, so that boards paired from now on are given it.
    expect((await runCli(['release', 'keygen', '--out', keys])).code).toBe(0);
    serve = await startServe(['--data', data]);
    await admin('release', 'trust', join(keys, 'release-key.pub.pem'), '--name', 'ci');

    const first = await addPaired('q01');
    canary = first.deviceId;
    await pair(first.code, configPath, join(board, 'var/lib/onestop/data'));
    const second = await addPaired('q02');
    const secondConfig = join(dir, 'q02.yaml');
    await pair(second.code, secondConfig, join(dir, 'q02-data'));
    bystander = { deviceId: second.deviceId, config: loadAgentConfig(secondConfig) };
  }, 180_000);

  afterAll(async () => {
    bystanderClient?.end(true);
    if (launcher?.pid) {
      const gone = new Promise((r) => launcher!.once('exit', r));
      launcher.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
      try {
        process.kill(-launcher.pid, 'SIGKILL');
      } catch {}
    }
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ships a release to a canary, then the ward; a broken one undoes itself and halts the rollout', async () => {
    // Pairing gave the board the trusted key and the centre's URL.
    const config = loadAgentConfig(configPath);
    const deviceFile = readFileSync(configPath, 'utf8');
    expect(config.updates).toMatchObject({
      centreUrl: serve.dashboardUrl,
      releaseKeys: [readFileSync(join(keys, 'release-key.pub.pem'), 'utf8')],
    });

    // `agent install` on a staging root: the unit runs the launcher, the installed agent is the
    // first release. `ln -s` and systemctl are not run there: the test does what they would.
    const install = await runCli(['agent', 'install', '--config', configOnBoard, '--root', board]);
    expect(install.code, install.stderr).toBe(0);
    const unit = readFileSync(join(board, 'etc/systemd/system/onestop-agent.service'), 'utf8');
    const execStart = /^ExecStart=(\S+) (\S+) --root (\S+) -- --config (\S+)$/m.exec(unit);
    expect(execStart?.slice(3)).toEqual(['/var/lib/onestop-agent', configOnBoard]);
    const [, node, launcherScript] = execStart!;
    const [firstRelease] = readdirSync(join(installRoot, 'releases'));
    symlinkSync(join('releases', firstRelease!), join(installRoot, 'current'));
    launcher = spawn(
      node!,
      [launcherScript!, '--root', installRoot, '--poll-ms', '200', '--', '--config', configPath],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } },
    );
    createInterface({ input: launcher.stdout! }).on('line', (l) => launcherLines.push(l));
    createInterface({ input: launcher.stderr! }).on('line', (l) => launcherLines.push(l));

    type Listed = { deviceId: string; status: string; agentVersion: string | null };
    const device = async (id: string) =>
      (await admin('device', 'list'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Listed)
        .find((d) => d.deviceId === id);
    await waitFor(
      `the canary online on release ${firstRelease}`,
      async () => {
        const d = await device(canary);
        return d?.status === 'online' && d.agentVersion === firstRelease;
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${boardLog()}`);
    });

    // The device no rollout targets listens on its own `update` topic, as its board would.
    bystanderClient = await mqtt.connectAsync(serve.mqttUrl, {
      clientId: bystander.deviceId,
      username: bystander.config.mqtt.username,
      password: bystander.config.mqtt.password,
      reconnectPeriod: 0,
    });
    bystanderClient.on('message', (_t, payload) => bystanderOffers.push(payload.toString('utf8')));
    await bystanderClient.subscribeAsync(
      topicFor({ unitId: UNIT, counterId: 'q02', deviceId: bystander.deviceId }, 'update'),
      {
        qos: 1,
      },
    );

    // Two bundles: the models, made by the CLI; an agent release that exits at start, made with
    // the same library (a real agent bundle is 40 MB, too slow to build here for a test).
    const good = join(dir, 'onestop-2.1.0.tar.gz');
    await cli(
      'release',
      'create',
      '--version',
      '2.1.0',
      '--key',
      join(keys, 'release-key.pem'),
      '--out',
      good,
      '--models',
      MODELS,
    );
    expect(await cli('release', 'verify', good, '--pubkey', join(keys, 'release-key.pub.pem'))).toMatch(
      /^ok: release 2\.1\.0 \(models\)/,
    );
    const crashEntry = join(dir, 'crash.mjs');
    writeFileSync(crashEntry, "process.stderr.write('release 3.0.0: cannot start\\n');\nprocess.exit(1);\n");
    const broken = join(dir, 'onestop-3.0.0.tar.gz');
    await createBundle(
      {
        version: '3.0.0',
        components: ['agent'],
        platform: { os: 'linux', arch: process.arch as 'x64', nodeAbi: process.versions.modules },
        minConfigSchema: CONFIG_SCHEMA_VERSION,
        models: [],
      },
      [{ path: 'agent.mjs', from: crashEntry }],
      readFileSync(join(keys, 'release-key.pem'), 'utf8'),
      broken,
    );
    await admin('release', 'publish', good);
    await admin('release', 'publish', broken);

    // The board had fetched half of it once before its link dropped: it resumes from there.
    const bytes = readFileSync(good);
    mkdirSync(join(installRoot, 'downloads'), { recursive: true });
    writeFileSync(join(installRoot, 'downloads/2.1.0.tar.gz.part'), bytes.subarray(0, bytes.length >> 1));

    // 1. The canary counter gets the models release; it downloads it from the centre with its
    // own credentials, restarts into it and reports healthy.
    const r1 = await json<{ id: string }>(
      'rollout',
      'start',
      '2.1.0',
      '--unit',
      UNIT,
      '--canary',
      canary,
      '--health-deadline',
      '120',
    );
    const healthy = await waitFor(
      'the canary healthy on 2.1.0',
      async () => {
        const s = await status(r1.id);
        return s.devices.find((d) => d.deviceId === canary)?.outcome === 'healthy' && s;
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${boardLog()}`);
    });
    expect(healthy.devices).toEqual([
      expect.objectContaining({ deviceId: canary, running: '2.1.0', reason: null }),
    ]);
    expect(healthy.stages.canary).toMatchObject({ healthy: 1, failed: 0, 'rolled-back': 0 });
    expect(current()).toBe('2.1.0');
    expect(existsSync(join(installRoot, 'releases/2.1.0/models/face_expression.onnx'))).toBe(true);
    await waitFor(
      'the centre shows the canary on 2.1.0',
      async () => (await device(canary))?.agentVersion === '2.1.0',
    );
    const metrics = await (await fetch(`${serve.dashboardUrl}/metrics`)).text();
    const downloads = (result: string) =>
      metricValue(metrics, 'onestop_release_downloads_total', `result="${result}"`);
    // The rest of the file (Range, If-Range on its SHA-256), with the board's own credentials.
    expect(downloads('partial')).toBe(1);
    expect(downloads('full')).toBe(0);
    for (const refused of ['no_credentials', 'auth_failed', 'not_offered'])
      expect(downloads(refused)).toBe(0);
    const cookie = await sessionCookie(serve.signInLink!);
    const page1 = await (
      await fetch(`${serve.dashboardUrl}/devices/rollouts/${r1.id}`, { headers: { cookie } })
    ).text();
    // The rollout page, as a technician reads it: the canary healthy, on 2.1.0.
    expect(page1).toMatch(
      new RegExp(
        `${canary}</a>\\s*</td>\\s*<td>${UNIT} / q01</td>\\s*<td>[^<]+</td>\\s*<td>Hoạt động tốt</td>\\s*<td>2\\.1\\.0</td>`,
      ),
    );
    // The device outside the canary was offered nothing.
    expect(bystanderOffers).toEqual([]);

    // 2. The whole ward: now the other device is offered it (the same channel, so the check
    // above could have failed), then the rollout is withdrawn and its offers cleared.
    await admin('rollout', 'widen', r1.id, '--all');
    await waitFor('the ward device offered 2.1.0', async () =>
      bystanderOffers.some((p) => p.includes('"2.1.0"')),
    );
    await admin('rollout', 'withdraw', r1.id);
    await waitFor('the offer cleared', async () => bystanderOffers.at(-1) === '');
    bystanderOffers.length = 0;

    // 3. A broken agent release at the canary: it installs, crashes at start, and the board goes
    // back to 2.1.0 by itself and says why; the centre halts the rollout.
    const r2 = await json<{ id: string }>('rollout', 'start', '3.0.0', '--unit', UNIT, '--canary', canary);
    const undone = await waitFor(
      'the canary rolled back from 3.0.0',
      async () => {
        const s = await status(r2.id);
        return s.devices.find((d) => d.deviceId === canary)?.outcome === 'rolled-back' && s;
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${boardLog()}`);
    });
    expect(undone.devices).toEqual([
      expect.objectContaining({
        deviceId: canary,
        running: '2.1.0',
        reason: 'exited with code 1 before reporting healthy',
      }),
    ]);
    expect(undone.rollout.state).toBe('paused');
    expect(undone.rollout.haltReason).toContain('exited with code 1 before reporting healthy');
    expect(current()).toBe('2.1.0');
    expect(launcherLines.join('\n')).toContain('rolled back 3.0.0 → 2.1.0');
    // The rollback's report is stored at once; the status the agent sends on coming back is
    // batched (written within a second): wait for it rather than race it.
    await waitFor(
      'the canary online again on 2.1.0',
      async () => (await device(canary))?.status === 'online',
      15_000,
    );
    const page2 = await (
      await fetch(`${serve.dashboardUrl}/devices/rollouts/${r2.id}`, { headers: { cookie } })
    ).text();
    expect(page2).toContain('data-testid="rollout-halt"');
    expect(page2).toContain('data-testid="rollout-state">Tạm dừng<');
    expect(page2).toMatch(
      /<td class="bad">Đã quay về bản cũ<\/td>\s*<td>2\.1\.0<\/td>\s*<td>exited with code 1 before reporting healthy<\/td>/,
    );
    expect(bystanderOffers.filter((p) => p !== '')).toEqual([]);
    const after = await (await fetch(`${serve.dashboardUrl}/metrics`)).text();
    expect(metricValue(after, 'onestop_release_downloads_total', 'result="full"')).toBe(1);
    // The device file lives outside the install root: an update and a rollback leave it as it was.
    expect(readFileSync(configPath, 'utf8')).toBe(deviceFile);
  }, 240_000);
});
