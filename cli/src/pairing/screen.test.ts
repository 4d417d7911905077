import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PairingScreen, startPairingScreen } from './screen.js';

/** A GET with a Host of our choosing, as a DNS-rebound name would arrive. */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the first-boot pairing screen', () => {
  let screen: PairingScreen;
  beforeAll(async () => {
    screen = await startPairingScreen({ port: 0, onClaimed: () => {} });
  });
  afterAll(() => screen?.close());

  it('is served without any script, asking for the centre when none was given', async () => {
    const res = await fetch(screen.url);
    const text = await res.text();
    expect(text).not.toMatch(/<script/i);
    expect(text).toContain('name="centre"');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers only to its own address, not to a name pointed at it', async () => {
    expect(await getWithHost(screen.url, 'evil.example')).toBe(421);
  });

  it('asks for the centre, and refuses what is not a code, in Vietnamese, keeping the input', async () => {
    const post = (fields: Record<string, string>) =>
      fetch(screen.url, {
        method: 'POST',
        headers: {
          origin: screen.url.replace(/\/$/, ''),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams(fields),
      });
    const noCentre = await post({ code: 'ABCD-EFGH' });
    expect(noCentre.status).toBe(400);
    expect(await noCentre.text()).toContain('Nhập địa chỉ trung tâm');
    const bad = await post({ code: 'nope"><b>', centre: 'http://10.0.0.2:8080' });
    const text = await bad.text();
    expect(text).toContain('Đây không phải mã ghép nối');
    expect(text).toContain('value="nope&quot;&gt;&lt;b&gt;"');
  });
});
