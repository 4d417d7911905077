import { type AckMessage, MAX_PAYLOAD_BYTES } from '@onestop/protocol';

/**
 * IDs per `ack` message. An event ID (a UUIDv7) takes 39 bytes in the JSON array, so the
 * protocol's 1,000 would make a 39 KB message, which the broker refuses (payload limit 16 KB):
 * a device replaying its outbox into one big batch would then never hear back and re-send for
 * ever. The rest of the message (`v`, `ts`, brackets) fits in the 64 bytes kept free.
 */
export const ACK_IDS_PER_MESSAGE = Math.min(1_000, Math.floor((MAX_PAYLOAD_BYTES - 64) / 39));

/**
 * One device's acks as ready payloads. Not re-validated through zod (encodePayload): every ID
 * passed the event schema, `ts` is now and there are 1 to ACK_IDS_PER_MESSAGE of them, which is
 * all the ack schema asks; acks.test.ts checks the result against the schema.
 */
export function ackPayloads(eventIds: readonly string[], ts: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < eventIds.length; i += ACK_IDS_PER_MESSAGE) {
    const ack: AckMessage = { v: 1, ts, eventIds: eventIds.slice(i, i + ACK_IDS_PER_MESSAGE) };
    out.push(Buffer.from(JSON.stringify(ack)));
  }
  return out;
}
