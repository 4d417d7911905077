import { silentLogger } from '@onestop/service/testing';
import { type AllInOne, startAllInOne } from '../serve/all-in-one.js';

/** `onestop serve --data DIR` in this process, on free loopback ports, with no simulated counters. */
export function startTestCentre(dataDir: string): Promise<AllInOne> {
  return startAllInOne({
    dataDir,
    mqttPort: 0,
    httpPort: 0,
    host: '127.0.0.1',
    simulate: 0,
    simulationSpeed: 60,
    cameraReplayDir: null,
    logger: silentLogger,
  });
}
