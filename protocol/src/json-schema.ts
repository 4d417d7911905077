import { payloadJsonSchema } from './compiled.js';
import { CHANNELS, INGEST_STATE } from './topics.js';

/** One JSON Schema document for outside integrators: `$defs` keyed by channel name. */
export function buildJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const [channel, def] of Object.entries(CHANNELS)) {
    defs[channel] = {
      ...payloadJsonSchema(def.schema),
      'x-qos': def.qos,
      'x-retain': def.retain,
      'x-from': def.from,
    };
  }
  // Not a channel: a topic of its own, outside every device's prefix.
  defs['ingest-state'] = {
    ...payloadJsonSchema(INGEST_STATE.schema),
    'x-topic': INGEST_STATE.topic,
    'x-qos': INGEST_STATE.qos,
    'x-retain': INGEST_STATE.retain,
    'x-from': 'server',
  };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://onestop-counter.example/schema/onestop-v1.json',
    title: 'onestop-counter MQTT wire contract v1',
    description: 'Topic: onestop/v1/{unitId}/{counterId}/{deviceId}/{channel}. Payloads are UTF-8 JSON.',
    $defs: defs,
  };
}
