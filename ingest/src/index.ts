export { type Decoded, decodeEvent } from './decode.js';
export type { IngestEndpoint, InProcessBroker } from './endpoint.js';
export { EVENT_FILTER, type IngestHandle, type IngestOptions, startIngest } from './start-ingest.js';
