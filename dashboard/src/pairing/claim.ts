import {
  PairingClaimRequest,
  type PairingClaimResponse,
  type PairingRefusal,
  settingsOnWire,
} from '@onestop/protocol';
import { claimPairingCode, type Database, trustedReleasePems } from '@onestop/store';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { z } from 'zod';
import { clientAddress } from '../auth/client-address.js';
import { AttemptWindow } from '../auth/throttle.js';

/** What the centre tells a board beyond its credentials: where the broker is, and whom to trust. */
export interface PairingEndpoint {
  /**
   * The broker URLs a paired board is to use, given the host name by which it reached this
   * server (what `--centre` named): a board on the ward's network reaches the broker by the same
   * name. Deployments behind NAT or a proxy give fixed URLs instead.
   */
  brokerUrls(host: string): string[];
  /** PEM of the CA that signed the broker's TLS certificate, when the broker serves TLS. */
  caCertificate: string | null;
}

export interface PairingClaimOptions {
  db: Database;
  endpoint: PairingEndpoint | undefined;
  logger: Logger;
  registry: Registry;
  /** Refused claims allowed from one address per `windowMs`. */
  maxFailures?: number;
  windowMs?: number;
}

/** HTTP status and the words of each refusal: the agent prints `message` as it is. */
const REFUSALS: Record<PairingRefusal, { status: 400 | 403 | 404 | 409 | 410; message: string }> = {
  malformed: { status: 400, message: 'that is not a pairing code: 8 letters and digits, like ABCD-EFGH' },
  unknown: { status: 404, message: 'no such pairing code: check it, or issue a new one ("Add device")' },
  claimed: {
    status: 409,
    message: 'this pairing code has been used already: issue a new one for another board',
  },
  expired: { status: 410, message: 'this pairing code has expired: issue a new one ("Add device")' },
  revoked: { status: 403, message: 'the device of this pairing code has been revoked' },
};

type Result = PairingRefusal | 'paired' | 'throttled' | 'not_configured' | 'invalid_request';

/**
 * `POST /api/pair {code}`: a board claims its pairing code and receives its credentials. Public
 * (the board has no account), so strictly shaped, small, throttled per address like the sign-in,
 * and every answer counted (`onestop_pairing_claims_total{result}`).
 */
export function pairingClaimRoutes(o: PairingClaimOptions) {
  const app = new Hono();
  const failures = new AttemptWindow(o.maxFailures ?? 10, o.windowMs ?? 15 * 60_000);
  const counted = claimCounter(o.registry);
  const count = (result: Result) => counted.inc({ result });

  app.post(
    '/',
    bodyLimit({ maxSize: 1024, onError: (c) => c.json({ error: 'request too large' }, 413) }),
    async (c) => {
      c.header('cache-control', 'no-store');
      const address = clientAddress(c);
      const wait = failures.retryAfter(address);
      if (wait > 0) {
        count('throttled');
        c.header('retry-after', String(Math.ceil(wait / 1000)));
        return c.json(
          {
            error: 'too many attempts',
            message: 'too many wrong pairing codes from this address: wait and try again',
          },
          429,
        );
      }
      if (!o.endpoint) {
        count('not_configured');
        return c.json(
          {
            error: 'pairing not set up',
            message: 'this server does not know its broker URL: set ONESTOP_MQTT_URL',
          },
          503,
        );
      }
      const parsed = c.req.header('content-type')?.startsWith('application/json')
        ? PairingClaimRequest.safeParse(await c.req.json().catch(() => null))
        : null;
      // Counted before the lookup, as a sign-in is: parallel guesses cannot slip past the limit.
      failures.record(address);
      if (!parsed?.success) {
        count('invalid_request');
        return c.json({ error: 'invalid request', message: 'send {"code": "ABCD-EFGH"} as JSON' }, 400);
      }
      const claim = await claimPairingCode(o.db, { code: parsed.data.code, address });
      if (!claim.ok) {
        count(claim.reason);
        o.logger.warn({ address, reason: claim.reason }, 'pairing claim refused');
        const refusal = REFUSALS[claim.reason];
        return c.json(
          { error: 'pairing refused', reason: claim.reason, message: refusal.message },
          refusal.status,
        );
      }
      failures.undo(address);
      count('paired');
      const { device } = claim;
      o.logger.info({ address, deviceId: device.deviceId }, 'device paired');
      const host = new URL(c.req.url).hostname;
      // Typed by the contract the board checks it against (before its defaults are filled in).
      const answer: z.input<typeof PairingClaimResponse> = {
        deviceId: device.deviceId,
        unitId: device.unitId,
        counterId: device.counterId,
        mqtt: { urls: o.endpoint.brokerUrls(host), username: device.username, password: device.password },
        caCertificate: o.endpoint.caCertificate,
        // Only what differs from the defaults, as on `config`: a board whose agent predates a
        // setting refuses the whole answer if it carries even that setting's default, and by
        // then its code is spent. The board fills in the defaults itself.
        settings: device.settings ? settingsOnWire(device.settings) : null,
        // The centre's trusted release keys (at most 4, as the contract allows): the board
        // installs only releases one of them signed.
        releaseKeys: await trustedReleasePems(o.db),
      };
      return c.json(answer);
    },
  );
  return app;
}

function claimCounter(registry: Registry): Counter<'result'> {
  const name = 'onestop_pairing_claims_total';
  return (
    (registry.getSingleMetric(name) as Counter<'result'> | undefined) ??
    new Counter({
      name,
      help: 'Pairing code claims by result: paired, or why refused (malformed, unknown, claimed, expired, revoked, throttled, invalid_request, not_configured)',
      labelNames: ['result'],
      registers: [registry],
    })
  );
}
