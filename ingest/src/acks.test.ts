import { decodePayload, MAX_PAYLOAD_BYTES, newEventId } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { ACK_IDS_PER_MESSAGE, ackPayloads } from './acks.js';

describe('ackPayloads', () => {
  it('splits a whole batch of one device into valid acks the broker accepts', () => {
    const ids = Array.from({ length: 1_000 }, () => newEventId());
    const payloads = ackPayloads(ids, Date.now());
    expect(payloads.length).toBe(Math.ceil(1_000 / ACK_IDS_PER_MESSAGE));
    const seen: string[] = [];
    for (const p of payloads) {
      expect(p.byteLength).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      const r = decodePayload('ack', p);
      expect(r.ok).toBe(true);
      if (r.ok) seen.push(...r.value.eventIds);
    }
    expect(seen).toEqual(ids);
  });

  it('sends one message for a few IDs', () => {
    const ids = [newEventId(), newEventId()];
    expect(ackPayloads(ids, Date.now())).toHaveLength(1);
  });
});
