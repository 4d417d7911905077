/**
 * A process whose only work is an MQTT link to a broker that is not there (argv[2] = URL): it must
 * stay alive, retrying, until it is killed. Run by link-alive.test.ts.
 */
import { keepReconnecting } from '@onestop/protocol';
import mqtt from 'mqtt';

const client = mqtt.connect(process.argv[2] ?? 'mqtt://127.0.0.1:1', {
  reconnectPeriod: 0,
  connectTimeout: 500,
});
client.on('error', () => {});
keepReconnecting(client, { onStatus: (s) => process.stdout.write(`${s.state}\n`) });
