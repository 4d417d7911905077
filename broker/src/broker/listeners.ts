import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';

export interface TlsListenerOptions {
  port: number;
  host?: string;
  /** PEM contents (not paths: the caller reads files, so that tests can pass generated keys). */
  cert: string | Buffer;
  key: string | Buffer;
  /** Client CA, when devices authenticate with certificates as well as passwords. */
  ca?: string | Buffer;
}

export interface WsListenerOptions {
  port: number;
  host?: string;
  path?: string;
}

export interface Listener {
  port: number;
  close(): Promise<void>;
}

function listen(
  server: Server | ReturnType<typeof createHttpServer>,
  port: number,
  host: string,
): Promise<Listener> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((res) => {
            server.close(() => res());
            // Connections aedes has not closed yet (half-open sockets) must not hold shutdown.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
  });
}

export function listenTcp(aedes: Aedes, port: number, host: string): Promise<Listener> {
  return listen(
    createNetServer((socket) => aedes.handle(socket)),
    port,
    host,
  );
}

export function listenTls(aedes: Aedes, opts: TlsListenerOptions, host: string): Promise<Listener> {
  const server = createTlsServer(
    { cert: opts.cert, key: opts.key, ca: opts.ca, minVersion: 'TLSv1.2' },
    (socket) => aedes.handle(socket),
  );
  return listen(server as unknown as Server, opts.port, opts.host ?? host);
}

/** MQTT over WebSocket (subprotocol `mqtt`), for browsers and networks that only pass HTTP(S). */
export async function listenWs(aedes: Aedes, opts: WsListenerOptions, host: string): Promise<Listener> {
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  const wss = new WebSocketServer({ server: http, path: opts.path ?? '/mqtt' });
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    aedes.handle(stream, req);
  });
  const l = await listen(http, opts.port, opts.host ?? host);
  return {
    port: l.port,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((res) => wss.close(() => res()));
      await l.close();
    },
  };
}
