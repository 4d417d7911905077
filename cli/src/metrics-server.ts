import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { explainListenError } from './errors.js';

/** A readiness answer with details for the operator (e.g. the ingest's link and lag). */
export interface HealthReport {
  ok: boolean;
  /** Why not ok, in words. */
  reason?: string;
  [detail: string]: unknown;
}

/** `/metrics` and `/healthz` for the processes that have no dashboard (broker, ingest). */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  /**
   * Readiness beyond "the process answers": throws (e.g. the database takes no query) or says
   * not ok for 503; its details go into the JSON body either way.
   */
  check: () => Promise<HealthReport> = async () => ({ ok: true }),
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === '/healthz') {
      const json = { 'content-type': 'application/json' };
      check().then(
        (report) => {
          const { ok, ...details } = report;
          res
            .writeHead(ok ? 200 : 503, json)
            .end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', ...details }));
        },
        (err: unknown) =>
          res.writeHead(503, json).end(JSON.stringify({ status: 'unavailable', reason: String(err) })),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(explainListenError(err, port, '--metrics-port')));
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
