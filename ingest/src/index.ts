export { type Decoded, decodeEvent } from './decode.js';
export { duplexPair } from './duplex-pair.js';
export type { IngestEndpoint, InProcessBroker } from './endpoint.js';
export { DEFAULT_MAX_LAG_MS, type IngestHealth, type IngestVerdict, judgeIngest } from './health.js';
export { EVENT_FILTER, type IngestHandle, type IngestOptions, startIngest } from './start-ingest.js';
