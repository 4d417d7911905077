import type { Duplex } from 'node:stream';
import mqtt, { type IClientOptions, MqttClient } from 'mqtt';
import { duplexPair } from './duplex-pair.js';

/** A broker in this process that serves a connection over a stream (`BrokerHandle.handle`). */
export interface InProcessBroker {
  handle(stream: Duplex): void;
}

/**
 * Where the broker is: a URL (any broker), or, when both run in one process (`onestop serve`),
 * the broker itself, reached over an in-memory stream instead of a TCP connection to ourselves.
 * Either way the ingest is an ordinary MQTT client: CONNECT, auth, ACL, persistent QoS 1 session.
 */
export type IngestEndpoint =
  | {
      /** mqtt://, mqtts:// or ws(s):// URL of any MQTT 3.1.1 broker (aedes, Mosquitto, EMQX). */
      mqttUrl: string;
      inProcess?: undefined;
    }
  | { inProcess: InProcessBroker; mqttUrl?: undefined };

export function connectTo(endpoint: IngestEndpoint, options: IClientOptions): MqttClient {
  if (!endpoint.inProcess) return mqtt.connect(endpoint.mqttUrl, options);
  const broker = endpoint.inProcess;
  // A fresh in-memory connection at every connect and `reconnect()`, as a socket would be.
  return new MqttClient(() => {
    const [ours, theirs] = duplexPair();
    try {
      broker.handle(theirs);
    } catch (err) {
      // A broker that cannot take the connection is a connection that failed, retried like any
      // other; destroyed on the next tick, once mqtt.js listens to the stream.
      process.nextTick(() => ours.destroy(err instanceof Error ? err : new Error(String(err))));
    }
    return ours;
  }, options);
}
