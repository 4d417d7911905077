import { silentLogger } from '@onestop/service/testing';
import { Registry } from 'prom-client';
import { type BrokerHandle, type BrokerOptions, startBroker } from '../broker/start-broker.js';

/**
 * A real broker for a test: a free port on loopback, its own registry, a silent logger, no
 * service accounts; `over` sets what the test is about (limits, credentials, a shared registry).
 */
export function startTestBroker(
  store: BrokerOptions['store'],
  over: Partial<Omit<BrokerOptions, 'store'>> = {},
): Promise<BrokerHandle> {
  return startBroker({
    store,
    mqttPort: 0,
    host: '127.0.0.1',
    registry: new Registry(),
    logger: silentLogger,
    serviceCredentials: [],
    ...over,
  });
}
