import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { explainListenError } from './errors.js';

/** `/metrics` and `/healthz` for the processes that have no dashboard (broker, ingest). */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
  /** Readiness beyond "the process answers": e.g. the database takes a query. */
  check: () => Promise<void> = async () => {},
): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === '/healthz') {
      const json = { 'content-type': 'application/json' };
      check().then(
        () => res.writeHead(200, json).end('{"status":"ok"}'),
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
  return { close: () => new Promise((resolve) => server.close(() => resolve())) };
}
