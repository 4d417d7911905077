import { describe, expect, it } from 'vitest';
import { brokerUrls, connectTo } from './endpoint.js';

describe('a list of broker URLs', () => {
  it('reads one URL or several, ignoring blanks, and refuses none', () => {
    expect(brokerUrls('mqtt://a:1883,')).toEqual(['mqtt://a:1883']);
    expect(brokerUrls(' mqtt://a:1883 , mqtts://b ')).toEqual(['mqtt://a:1883', 'mqtts://b']);
    expect(brokerUrls(['mqtt://a', ''])).toEqual(['mqtt://a']);
    expect(() => brokerUrls(' , ')).toThrow(/no broker URL/);
  });

  it('tries each node in turn, checking TLS against that node’s own name, IPv6 as an address', async () => {
    const tried: Array<[string, string | undefined]> = [];
    const client = connectTo(
      { mqttUrl: 'mqtts://node-a.example:8883,mqtts://node-b.example:8884,mqtt://[::1]:1' },
      {
        reconnectPeriod: 0,
        // Where the socket would resolve the host: nothing leaves the machine.
        // (The first attempt starts inside connectTo: `client` is read a tick later.)
        lookup: (host: string, _o: unknown, cb: (err: Error) => void) =>
          setImmediate(() => {
            tried.push([host, client.options.servername]);
            cb(Object.assign(new Error('not resolved in this test'), { code: 'ENOTFOUND' }));
          }),
      } as never,
    );
    const errors: unknown[] = [];
    client.on('error', (e: Error & { code?: unknown }) => errors.push(e.code));
    const closed = () => new Promise<void>((r) => client.once('close', () => r()));
    await closed();
    client.reconnect();
    await closed();
    client.reconnect();
    await closed();
    client.end(true);
    expect(tried).toEqual([
      ['node-a.example', 'node-a.example'],
      ['node-b.example', 'node-b.example'],
    ]);
    // The IPv6 node was dialled as an address (refused on port 1), not looked up as a name.
    expect(errors.at(-1)).toBe('ECONNREFUSED');
  });
});
