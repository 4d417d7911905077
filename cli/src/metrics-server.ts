import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { explainListenError } from './errors.js';

/** `/metrics` and `/healthz` for the processes that have no dashboard (broker, ingest). */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host: string,
): Promise<{ close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
    } else if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
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
