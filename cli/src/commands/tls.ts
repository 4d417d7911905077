import type { Command } from 'commander';
import { parsePositiveInt } from '../errors.js';

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerTlsCommands(program: Command): void {
  const tls = program.command('tls').description("the centre's TLS certificates for MQTT over TLS");
  tls
    .command('init')
    .description(
      "make the centre's CA (kept when it exists) and a server certificate for its names; `serve --data DIR` then serves MQTT over TLS and pairing hands boards the CA",
    )
    .option('--data <dir>', 'data folder of `onestop serve` (files go to DIR/tls)', './data')
    .option('--host <name>', 'a DNS name counters reach the centre by (repeat)', collect, [])
    .option('--ip <address>', 'an IP address counters reach the centre by (repeat)', collect, [])
    .option(
      '--client <deviceId>',
      'also a client certificate for this device, issued to its MQTT username dev-<id>; served with --tls-client-ca DIR/tls/ca.pem (repeat)',
      collect,
      [],
    )
    .option(
      '--days <n>',
      'validity of the server and client certificates',
      parsePositiveInt('--days', 3650, 1),
      825,
    )
    .option('--new-ca', 'replace the CA too (every paired board must be paired again)')
    .action(
      async (o: {
        data: string;
        host: string[];
        ip: string[];
        client: string[];
        days: number;
        newCa?: boolean;
      }) => {
        const { tlsInit } = await import('../tls/certificates.js');
        const written = tlsInit({
          dataDir: o.data,
          hosts: o.host,
          ips: o.ip,
          clients: o.client,
          days: o.days,
          newCa: o.newCa === true,
        });
        for (const f of written) process.stdout.write(`wrote ${f}\n`);
        process.stdout.write(
          `restart 'onestop serve --data ${o.data}' to serve MQTT over TLS (port 8883 unless --tls-port)\n`,
        );
      },
    );
}
