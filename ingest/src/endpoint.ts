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
      /**
       * mqtt://, mqtts:// or ws(s):// URL of any MQTT 3.1.1 broker (aedes, Mosquitto, EMQX), or
       * the nodes of one cluster: each (re)connection tries the next, so the ingest leaves a dead
       * node at its first retry instead of waiting for it to come back.
       */
      mqttUrl: string | readonly string[];
      inProcess?: undefined;
    }
  | { inProcess: InProcessBroker; mqttUrl?: undefined };

const DEFAULT_PORTS: Readonly<Record<string, number>> = { mqtt: 1883, mqtts: 8883, ws: 80, wss: 443 };

/** The broker URLs of an endpoint given as one URL or several (a list, or a comma-separated string). */
export function brokerUrls(mqttUrl: string | readonly string[]): string[] {
  const urls = (typeof mqttUrl === 'string' ? mqttUrl.split(',') : [...mqttUrl])
    .map((u) => u.trim())
    .filter((u) => u !== '');
  if (urls.length === 0) throw new Error('no broker URL given');
  return urls;
}

export function connectTo(endpoint: IngestEndpoint, options: IClientOptions): MqttClient {
  if (!endpoint.inProcess) {
    const urls = brokerUrls(endpoint.mqttUrl);
    if (urls.length === 1) return mqtt.connect(urls[0]!, options);
    // mqtt.js moves through `servers` one per connection attempt, wrapping around. The first URL
    // gives what the list does not carry (a WebSocket path, credentials in the URL).
    const servers = urls.map((url) => {
      const u = new URL(url);
      const protocol = u.protocol.replace(/:$/, '') as 'mqtt' | 'mqtts' | 'ws' | 'wss';
      const port = u.port ? Number(u.port) : DEFAULT_PORTS[protocol];
      if (port === undefined) throw new Error(`${url}: not an mqtt://, mqtts://, ws:// or wss:// URL`);
      // An IPv6 literal comes bracketed from URL; the socket wants the bare address.
      return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port, protocol };
    });
    const client = mqtt.connect(urls[0]!, { ...options, servers });
    // mqtt.js keeps one options object for every attempt and its TLS builder names the server
    // (SNI, the certificate's check) after the host only while no name is set: without this,
    // every node would be checked against the first node's name.
    if (options.servername === undefined)
      client.on('reconnect', () => {
        delete client.options.servername;
      });
    return client;
  }
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
