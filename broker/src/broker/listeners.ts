import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { POST_AUTH_MAX_PACKET } from './packet-guard.js';

/**
 * Takes one accepted connection (with its peer address, and the HTTP upgrade request for
 * WebSocket) to admission and on to aedes.
 */
export type Serve = (conn: Duplex, address: string, req?: IncomingMessage, peer?: PeerCertificate) => void;

/**
 * The client certificate a TLS peer presented, as the listener judged it: whether it chains to
 * the client CA (and is in date), and the common name it was issued to. Absent: none presented.
 */
export interface PeerCertificate {
  trusted: boolean;
  /** null when the subject has no single common name. */
  commonName: string | null;
  /** Why it is not trusted (OpenSSL's code), for the refusal's log line. */
  error: string | null;
}

export interface TlsListenerOptions {
  port: number;
  host?: string;
  /** PEM contents (not paths: the caller reads files, so that tests can pass generated keys). */
  cert: string | Buffer;
  key: string | Buffer;
  /** CA certificates sent along with `cert` (its chain), as `--tls-ca` reads them. */
  ca?: string | Buffer;
  /**
   * Ask clients for a certificate signed by this CA (the centre's, `onestop tls init`). Off by
   * default. A client presenting none still logs in by password; one presenting a certificate
   * must have it from this CA and issued to its own MQTT username (the gate checks).
   */
  clientCa?: string | Buffer;
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

export function listenTcp(serve: Serve, port: number, host: string): Promise<Listener> {
  return listen(
    createNetServer((socket) => serve(socket, socket.remoteAddress ?? 'unknown')),
    port,
    host,
  );
}

export function listenTls(serve: Serve, opts: TlsListenerOptions, host: string): Promise<Listener> {
  const askClients = opts.clientCa !== undefined;
  const server = createTlsServer(
    {
      // Node verifies client certificates against `ca`, so then it holds the client CA alone: a
      // public chain CA there would trust every certificate that CA ever signed. The server's
      // chain (`--tls-ca`) is still sent: it goes after the certificate, where Node sends it from
      // without trusting it, or clients that know only the root could no longer verify us.
      cert: askClients && opts.ca ? chainOf(opts.cert, opts.ca) : opts.cert,
      key: opts.key,
      ca: askClients ? opts.clientCa : opts.ca,
      minVersion: 'TLSv1.2',
      // Requested, never required: boards paired before certificates keep logging in by password.
      // An untrusted certificate is judged by the gate (counted, logged), not dropped unseen here.
      requestCert: askClients,
      rejectUnauthorized: false,
    },
    (socket) =>
      serve(socket, socket.remoteAddress ?? 'unknown', undefined, askClients ? peerOf(socket) : undefined),
  );
  return listen(server as unknown as Server, opts.port, opts.host ?? host);
}

/** The server certificate followed by its chain, as one PEM bundle. */
function chainOf(cert: string | Buffer, chain: string | Buffer): string {
  const leaf = cert.toString().trimEnd();
  return `${leaf}\n${chain.toString().trim()}\n`;
}

function peerOf(socket: TLSSocket): PeerCertificate | undefined {
  const cert = socket.getPeerCertificate();
  if (!cert || Object.keys(cert).length === 0) return undefined;
  const cn = cert.subject?.CN as unknown;
  return {
    trusted: socket.authorized,
    commonName: typeof cn === 'string' ? cn : null,
    error: socket.authorizationError ? String(socket.authorizationError) : null,
  };
}

/** MQTT over WebSocket (subprotocol `mqtt`), for browsers and networks that only pass HTTP(S). */
export async function listenWs(serve: Serve, opts: WsListenerOptions, host: string): Promise<Listener> {
  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket only\n');
  });
  const wss = new WebSocketServer({
    server: http,
    path: opts.path ?? '/mqtt',
    // ws buffers a whole message before the packet guard sees it (its default allows 100 MiB):
    // one message carries one MQTT packet, or a few small ones.
    maxPayload: 2 * POST_AUTH_MAX_PACKET,
  });
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket);
    stream.on('error', () => socket.terminate());
    serve(stream, req.socket.remoteAddress ?? 'unknown', req);
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
