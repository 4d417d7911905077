import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * The ports below the kernel's ephemeral range (Linux: 32768–60999 by default). The kernel hands
 * out ephemeral ports to every `listen(0)` and every outgoing connection of every test running in
 * parallel; a port picked from there and closed again is soon handed to someone else. Below it,
 * only an explicit bind can take a port, i.e. another `freePort` caller that drew the same number.
 */
function pickRange(): [number, number] {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const top = Number(low) - 1;
    if (top > 11_000) return [10_000, top];
  } catch {
    // not Linux: any range above the well-known ports
  }
  return [20_000, 29_999];
}

const canBind = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/**
 * A port free right now, for a child that cannot report the port it bound (and must keep it across
 * restarts). Drawn at random outside the ephemeral range so that it stays free until the child
 * binds it; a caller that then waits for the child over HTTP still checks who answers
 * (`listensOn`), since free-until-bound is likely, not certain.
 */
export async function freePort(): Promise<number> {
  const [low, high] = pickRange();
  for (let i = 0; i < 200; i++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port found in ${low}–${high} after 200 draws`);
}

/** The inodes of the TCP sockets listening on `port` in this network namespace (Linux). */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      if (f[1]!.endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * Whether process `pid` itself holds a socket listening on `port`: the check that a health answer
 * on a port picked by `freePort` comes from the child started for it, not from another test's
 * server that took the port first (the child then fails to bind and exits).
 */
export function listensOn(pid: number, port: number): boolean {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return false;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false; // gone, or not ours to read
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && inodes.has(m[1]!)) return true;
    } catch {
      // closed between the listing and the read
    }
  }
  return false;
}
