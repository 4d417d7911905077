import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '@onestop/firmware-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, ONESTOP_BIN, runCli, type ServeProcess, startServe, waitFor } from '../support/cli.js';

const mode = (path: string) => statSync(path).mode & 0o777;

/**
 * A technician's whole path, with real processes: `tls init`, `serve` picking the certificates
 * up, `device add --pair`, `agent pair` on the "board", and the real agent connecting over MQTTS
 * with what pairing wrote, then applying the centre's settings.
 */
describe('pairing a board with a centre that serves MQTT over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-pairing-'));
  const data = join(dir, 'data');
  const board = join(dir, 'board');
  let serve: ServeProcess;
  const cli = (...args: string[]) => runCli(args);
  const admin = (...args: string[]) => runCli([...args, '--data', data]);
  const pair = (code: string, config = join(board, 'agent.yaml')) =>
    cli(
      'agent',
      'pair',
      code,
      '--centre',
      serve.dashboardUrl,
      '--config',
      config,
      '--data-dir',
      join(board, 'outbox'),
    );
  const addPaired = async (counter: string) => {
    const r = await admin('device', 'add', '--pair', '--unit', 'trung-van', '--counter', counter);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { code: string; deviceId: string; expiresAt: string; command: string };
  };

  beforeAll(async () => {
    const init = await cli(
      'tls',
      'init',
      '--data',
      data,
      '--ip',
      '127.0.0.1',
      '--host',
      'localhost',
      '--client',
      'q09-board',
    );
    expect(init.code, init.stderr).toBe(0);
    serve = await startServe(['--data', data, '--tls-port', '0']);
  }, 180_000);
  afterAll(async () => {
    await serve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tls init makes a CA, a server and a client certificate that openssl verifies, keys private', () => {
    const tls = join(data, 'tls');
    expect(mode(tls)).toBe(0o700);
    for (const key of ['ca.key', 'server.key', 'clients/q09-board.key'])
      expect(mode(join(tls, key)), key).toBe(0o600);
    for (const cert of ['ca.pem', 'server.pem', 'clients/q09-board.pem'])
      expect(mode(join(tls, cert)), cert).toBe(0o644);
    const verify = spawnSync(
      'openssl',
      ['verify', '-CAfile', join(tls, 'ca.pem'), join(tls, 'server.pem'), join(tls, 'clients/q09-board.pem')],
      { encoding: 'utf8' },
    );
    expect(verify.stdout).toBe(`${join(tls, 'server.pem')}: OK\n${join(tls, 'clients/q09-board.pem')}: OK\n`);
    const san = spawnSync(
      'openssl',
      ['x509', '-in', join(tls, 'server.pem'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    );
    expect(san.stdout).toContain('DNS:localhost, IP Address:127.0.0.1');
    expect(serve.output()).toMatch(/mqtts mqtts:\/\/127\.0\.0\.1:\d+/);
  });

  it('pairs a board without a file edited: 0600 file, CA beside it, the agent connects over TLS and applies settings', async () => {
    const { code, deviceId, command } = await addPaired('q01');
    expect(code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(command).toContain(`agent pair ${code}`);
    // Settings stored before the board exists reach it in its file and on `config`.
    const settings = join(dir, 'settings.yaml');
    writeFileSync(settings, 'scale: keypad4\nratingTimeoutMs: 15000\n');
    expect((await admin('device', 'config', 'set', deviceId, '--file', settings)).code).toBe(0);

    const paired = await pair(code.toLowerCase());
    expect(paired.code, paired.stderr).toBe(0);
    const file = join(board, 'agent.yaml');
    expect(paired.stdout).toContain(`paired: device ${deviceId}`);
    expect(mode(file)).toBe(0o600);
    const config = loadAgentConfig(file);
    expect(config.device).toEqual({ unitId: 'trung-van', counterId: 'q01', deviceId });
    expect(config.mqtt.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    expect(config.mqtt.username).toBe(`dev-${deviceId}`);
    expect(config.mqtt.tlsCaFile).toBe(join(board, 'ca.pem'));
    expect(readFileSync(join(board, 'ca.pem'), 'utf8')).toBe(
      readFileSync(join(data, 'tls', 'ca.pem'), 'utf8'),
    );
    expect(config.settings.ratingTimeoutMs).toBe(15_000);
    // The password is nowhere on the centre's side in clear.
    expect(serve.output()).not.toContain(config.mqtt.password);

    const agent = spawn(process.execPath, [ONESTOP_BIN, 'agent', '--config', file, '--virtual-devices'], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let agentErr = '';
    agent.stderr.on('data', (d) => {
      agentErr += d;
    });
    try {
      type Listed = { deviceId: string; status: string; appliedConfigVersion: number | null };
      const device = async () =>
        (await admin('device', 'list')).stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Listed)
          .find((d) => d.deviceId === deviceId);
      await waitFor(
        `the paired agent online over TLS with config 1 (${agentErr.slice(-500)})`,
        async () => {
          const d = await device();
          return d?.status === 'online' && d.appliedConfigVersion === 1;
        },
        90_000,
      );
      // A change on the centre is applied live by the paired board.
      writeFileSync(settings, 'scale: keypad4\nratingTimeoutMs: 25000\n');
      expect((await admin('device', 'config', 'set', deviceId, '--file', settings)).code).toBe(0);
      await waitFor(
        'settings version 2 applied',
        async () => (await device())?.appliedConfigVersion === 2,
        60_000,
      );
    } finally {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
  }, 180_000);

  it("refuses a second claim, a wrong, a malformed and a revoked device's code, each said and counted", async () => {
    const { code } = await addPaired('q02');
    expect((await pair(code, join(board, 'q02.yaml'))).code).toBe(0);
    const twice = await pair(code, join(board, 'q02-again.yaml'));
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('pairing refused (HTTP 409): this pairing code has been used already');

    const wrong = await pair('ZZZZ-ZZZZ', join(board, 'wrong.yaml'));
    expect(wrong.stderr).toContain('no such pairing code');
    const malformed = await pair('1234', join(board, 'malformed.yaml'));
    expect(malformed.stderr).toContain("'1234' is not a pairing code");

    const revoked = await addPaired('q03');
    expect((await admin('device', 'revoke', revoked.deviceId)).code).toBe(0);
    const refused = await pair(revoked.code, join(board, 'revoked.yaml'));
    expect(refused.stderr).toContain('the device of this pairing code has been revoked');
    // Nothing written for any refusal.
    for (const f of ['q02-again.yaml', 'wrong.yaml', 'malformed.yaml', 'revoked.yaml'])
      expect(() => statSync(join(board, f))).toThrow();
    // An existing file is kept unless --force, before the code is spent.
    const kept = await pair((await addPaired('q04')).code);
    expect(kept.stderr).toContain('exists: pass --force');

    // A board set up again: a new code for the same device, and the file replaced with --force.
    const q02 = JSON.parse(
      (await admin('device', 'list')).stdout
        .trim()
        .split('\n')
        .find((l) => l.includes('"q02"'))!,
    ) as {
      deviceId: string;
    };
    const again = await admin('device', 'pair', q02.deviceId);
    expect(again.code, again.stderr).toBe(0);
    const reissued = JSON.parse(again.stdout) as { code: string; deviceId: string };
    expect(reissued.deviceId).toBe(q02.deviceId);
    const repaired = await cli(
      'agent',
      'pair',
      reissued.code,
      '--centre',
      serve.dashboardUrl,
      '--config',
      join(board, 'q02.yaml'),
      '--data-dir',
      join(board, 'outbox-q02'),
      '--force',
    );
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(loadAgentConfig(join(board, 'q02.yaml')).device.deviceId).toBe(q02.deviceId);

    const metrics = await (await fetch(`${serve.dashboardUrl}/metrics`)).text();
    const claims = (result: string) =>
      metricValue(metrics, 'onestop_pairing_claims_total', `result="${result}"`);
    expect(claims('paired')).toBe(3);
    expect(claims('claimed')).toBe(1);
    expect(claims('unknown')).toBe(1);
    expect(claims('revoked')).toBe(1);
    // The malformed code was refused on the board, before any request.
    expect(claims('malformed')).toBe(0);
  }, 120_000);

  it('pairs on the first-boot screen: the code typed on the kiosk, a wrong one refused in words', async () => {
    const { code, deviceId } = await addPaired('q05');
    const file = join(board, 'screen.yaml');
    const child = spawn(
      process.execPath,
      [
        ONESTOP_BIN,
        'agent',
        'pair',
        '--screen',
        '--kiosk-port',
        '0',
        '--centre',
        serve.dashboardUrl,
        '--config',
        file,
        '--data-dir',
        join(board, 'outbox-screen'),
        '--no-detect',
      ],
      { env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    try {
      const url = await waitFor(
        'the pairing screen',
        async () => /pairing screen \(MÀN HÌNH GHÉP NỐI\): (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout)?.[1],
      );
      const page = await fetch(url);
      expect(await page.text()).toContain('Mã ghép nối');
      expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; form-action 'self'/);
      const post = (fields: Record<string, string>, origin = url.replace(/\/$/, '')) =>
        fetch(url, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
        });
      // Another site cannot make this board claim a code.
      expect((await post({ code }, 'https://evil.example')).status).toBe(403);
      const wrong = await post({ code: 'ZZZZ-ZZZZ' });
      expect(wrong.status).toBe(400);
      expect(await wrong.text()).toContain('Không có mã ghép nối này');
      const done = await post({ code });
      expect(done.status).toBe(200);
      const text = await done.text();
      expect(text).toContain('Đã ghép nối thiết bị');
      expect(text).toContain(deviceId);
      expect(await exited).toBe(0);
      expect(stdout).toContain(`paired: device ${deviceId}`);
      expect(mode(file)).toBe(0o600);
      expect(loadAgentConfig(file).kiosk?.port).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
