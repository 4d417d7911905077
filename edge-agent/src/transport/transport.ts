import type { LinkStatus } from '@onestop/protocol';

/** What the agent needs from a message transport; MQTT today, anything with these semantics later. */
export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

export interface TransportHandlers {
  onConnect(resumed: boolean): void;
  onDisconnect(reason: string): void;
  onMessage(topic: string, payload: Buffer): void;
  /** Every change of the link: connected, or why not (a refusal keeps its CONNACK code). */
  onLink(status: LinkStatus): void;
}

export interface Transport {
  readonly connected: boolean;
  /** Resolves when the broker has it (PUBACK for QoS 1); rejects if the connection drops first. */
  publish(topic: string, payload: Buffer, opts: PublishOptions): Promise<void>;
  subscribe(topics: readonly string[]): Promise<void>;
  /** Sends `last` (e.g. retained "stopped") if connected, then closes without triggering the will. */
  stop(last?: { topic: string; payload: Buffer; opts: PublishOptions }): Promise<void>;
}

/** A transport that is told when to start connecting (after every listener is in place). */
export interface ConnectingTransport extends Transport {
  connect(): void;
}
