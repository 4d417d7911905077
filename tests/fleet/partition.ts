/**
 * The network partition of `bench:fleet` (issue 15): a group of counters cut off from the centre
 * and healed, with Linux network namespaces and veth pairs made here, on addresses that never
 * leave this machine.
 *
 * Layout, per run (`a` is a free /24 in 10.254.0.0/16, private and unlikely to be in use):
 * - the centre listens on 10.254.a.1, put on the host's loopback interface (label `lo:of<pid>`),
 *   so every fleet process, partitioned or not, reaches it, and nothing outside does;
 * - each partitioned fleet process runs (`ip netns exec`) in namespace `ofleet-<pid>-<k>`, linked
 *   to the host by a veth pair on 10.254.a.(4k+1)/30 (host) and .(4k+2)/30 (namespace), with a
 *   route to the centre's address only: the process can reach nothing else;
 * - a blackhole route for 10.254.a.0/24 keeps the centre's replies on this machine while a veth
 *   is down (the default route would otherwise send them out to the gateway).
 *
 * The partition sets the host side of the veth down: packets vanish both ways, with no reset and
 * no ICMP, as when a ward's uplink dies; only MQTT keepalive (30 s on the agent, 1.5 × that on the
 * broker) notices, so a shorter partition leaves the TCP connection open and retransmits after
 * the heal. The owner's pid is in every name so that a later run removes what a crashed one left
 * and never what a live one uses.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { drainedMs, type Produced } from './analyse.js';

const run = promisify(execFile);
const PREFIX = 'ofleet';
const ip = async (...args: string[]) => (await run('ip', args)).stdout;

export interface PartitionLab {
  /** Where the centre listens, on the host's loopback interface, reachable from every namespace. */
  readonly centreAddress: string;
  /** The command prefix that runs fleet process `index` in its namespace ([] when it has none). */
  wrap(index: number): string[];
  /** Cuts (down) or heals (up) the link of fleet process `index`. */
  link(index: number, up: boolean): Promise<void>;
  /** Removes namespaces, veths, the address and the route; safe to call twice. */
  close(): void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Namespaces, loopback addresses and routes left by runs whose process is gone. */
async function removeStale(): Promise<void> {
  for (const l of (await ip('netns', 'list')).split('\n')) {
    const m = new RegExp(`^(${PREFIX}-(\\d+)-\\S+)`).exec(l);
    // Deleting a namespace deletes its veth and so the host side of the pair too.
    if (m && !alive(Number(m[2]))) await ip('netns', 'del', m[1]!).catch(() => {});
  }
  // The kernel frees a deleted namespace, and so its veths, only later: the host sides now.
  for (const l of (await ip('-o', 'link', 'show', 'type', 'veth')).split('\n')) {
    const m = /^\d+: (of(\d+)h\d+)@/.exec(l);
    if (m && !alive(Number(m[2]))) await ip('link', 'del', m[1]!).catch(() => {});
  }
  for (const l of (await ip('-4', '-o', 'addr', 'show', 'dev', 'lo')).split('\n')) {
    const m = /inet (10\.254\.(\d+)\.1)\/32 .* lo:of(\d+)\b/.exec(l);
    if (!m || alive(Number(m[3]))) continue;
    await ip('addr', 'del', `${m[1]}/32`, 'dev', 'lo').catch(() => {});
    await ip('route', 'del', 'blackhole', `10.254.${m[2]}.0/24`).catch(() => {});
  }
}

/**
 * Why no partition can be made here (no `ip`, not allowed to make a namespace), or null when it
 * can: tried, not guessed from the uid, as CAP_NET_ADMIN is what counts.
 */
export async function partitionUnavailable(): Promise<string | null> {
  const name = `${PREFIX}-${process.pid}-probe`;
  try {
    await ip('netns', 'add', name);
    await ip('netns', 'del', name);
    return null;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') return '`ip` (iproute2) is not installed';
    return `cannot make a network namespace: ${(err.stderr || err.message).trim().split('\n')[0]}`;
  }
}

/** A /24 of 10.254.0.0/16 that no address or route of this machine touches. */
async function freeSubnet(): Promise<number> {
  const used = (await ip('-4', '-o', 'addr', 'show')) + (await ip('-4', 'route', 'show', 'table', 'all'));
  for (let i = 0; i < 256; i++) {
    const a = (process.pid + i) % 256;
    if (!used.includes(`10.254.${a}.`)) return a;
  }
  throw new Error('no free /24 in 10.254.0.0/16 for the partition');
}

/** Makes the namespaces of fleet processes `indices`; call `close` in a finally. */
export async function openPartitionLab(indices: readonly number[]): Promise<PartitionLab> {
  await removeStale();
  const a = await freeSubnet();
  const centre = `10.254.${a}.1`;
  const tag = `${PREFIX}-${process.pid}`;
  const made: string[] = [];
  const host = new Map<number, string>();
  let closed = false;
  const added = { route: false, address: false };
  // Synchronous: it also runs from `exit` and signal handlers, where nothing async completes.
  const close = () => {
    if (closed) return;
    closed = true;
    const quiet = (...args: string[]) => {
      try {
        execFileSync('ip', args, { stdio: 'ignore' });
      } catch {}
    };
    // The host side first: a deleted namespace takes its veths with it only once the kernel frees it.
    for (const h of host.values()) quiet('link', 'del', h);
    for (const ns of made) quiet('netns', 'del', ns);
    // Only what this run added: a run that lost the race for the subnet must not remove the
    // winner's address and route.
    if (added.address) quiet('addr', 'del', `${centre}/32`, 'dev', 'lo');
    if (added.route) quiet('route', 'del', 'blackhole', `10.254.${a}.0/24`);
    process.off('exit', close);
    for (const s of SIGNALS) process.off(s, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    close();
    process.kill(process.pid, signal);
  };
  process.on('exit', close);
  for (const s of SIGNALS) process.once(s, onSignal);
  try {
    await ip('route', 'add', 'blackhole', `10.254.${a}.0/24`);
    added.route = true;
    await ip('addr', 'add', `${centre}/32`, 'dev', 'lo', 'label', `lo:of${process.pid}`);
    added.address = true;
    for (const [k0, index] of indices.entries()) {
      const k = k0 + 1;
      if (k > 62) throw new Error('at most 62 partitioned fleet processes');
      const ns = `${tag}-${index}`;
      const [h, n] = [`of${process.pid}h${index}`, `of${process.pid}n${index}`];
      await ip('netns', 'add', ns);
      made.push(ns);
      await ip('link', 'add', h, 'type', 'veth', 'peer', 'name', n, 'netns', ns);
      await ip('addr', 'add', `10.254.${a}.${4 * k + 1}/30`, 'dev', h);
      await ip('link', 'set', h, 'up');
      await ip('-n', ns, 'addr', 'add', `10.254.${a}.${4 * k + 2}/30`, 'dev', n);
      await ip('-n', ns, 'link', 'set', n, 'up');
      // The kiosk screens of the process listen on its own loopback.
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      await ip('-n', ns, 'route', 'add', `${centre}/32`, 'via', `10.254.${a}.${4 * k + 1}`, 'dev', n);
      host.set(index, h);
    }
  } catch (e) {
    close();
    throw e;
  }
  return {
    centreAddress: centre,
    wrap: (index) => (host.has(index) ? ['ip', 'netns', 'exec', `${tag}-${index}`] : []),
    link: async (index, up) => {
      const h = host.get(index);
      if (!h) throw new Error(`fleet process ${index} has no namespace`);
      await ip('link', 'set', h, up ? 'up' : 'down');
    },
    close,
  };
}

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** What shows that a partition really cut its counters off. */
export interface PartitionRecord {
  /** Fleet processes partitioned, and their counters' device ids. */
  processes: number[];
  deviceIds: string[];
  /** Real ms the links were down. */
  downMs: number;
  /** The partitioned processes' outbox depth (sum) just before the cut and at most while cut. */
  depthBefore: number;
  depthMax: number;
  /** Fewest of their counters connected while cut (drops only once keepalive notices). */
  connectedMin: number;
  /** Their events recorded while cut, and how many of those were acknowledged before the heal (0). */
  recordedWhileCut: number;
  ackedWhileCut: number;
  /**
   * Real ms from the heal until every event the group recorded before it was acknowledged (null if
   * one never was): the fault's own drain, where the fault's `drainedMs` also waits for the rest of
   * the fleet, and so for any fault injected next.
   */
  groupDrainedMs: number | null;
}

/**
 * Cuts the links of fleet processes `indices` for `downMs`, watching their outboxes and
 * connections meanwhile, then heals them; `window` is when the links were down.
 */
export async function cutFor(
  lab: PartitionLab,
  indices: readonly number[],
  downMs: number,
  watch: () => { depth: number; connected: number },
): Promise<{
  window: { start: number; end: number };
  seen: Pick<PartitionRecord, 'depthBefore' | 'depthMax' | 'connectedMin'>;
}> {
  const before = watch();
  const seen = { depthBefore: before.depth, depthMax: before.depth, connectedMin: before.connected };
  for (const i of indices) await lab.link(i, false);
  const start = Date.now();
  while (Date.now() - start < downMs) {
    await new Promise((r) => setTimeout(r, Math.min(250, downMs - (Date.now() - start))));
    const now = watch();
    seen.depthMax = Math.max(seen.depthMax, now.depth);
    seen.connectedMin = Math.min(seen.connectedMin, now.connected);
  }
  // Before the heal: nothing recorded while cut can have been acknowledged by then.
  const end = Date.now();
  for (const i of indices) await lab.link(i, true);
  return { window: { start, end }, seen };
}

/**
 * The partitioned counters' events recorded while cut, those of them acknowledged before the heal,
 * and how long after the heal the group's outboxes had drained.
 */
export function cutOffEvidence(
  produced: Iterable<Produced>,
  rec: PartitionRecord,
  start: number,
  end: number,
): Pick<PartitionRecord, 'recordedWhileCut' | 'ackedWhileCut' | 'groupDrainedMs'> {
  const ids = new Set(rec.deviceIds);
  const group = [...produced].filter((e) => ids.has(e.deviceId));
  let recorded = 0;
  let acked = 0;
  for (const e of group) {
    if (e.recordedAt <= start || e.recordedAt >= end) continue;
    recorded++;
    if (e.ackedAt !== null && e.ackedAt < end) acked++;
  }
  return { recordedWhileCut: recorded, ackedWhileCut: acked, groupDrainedMs: drainedMs(group, end) };
}
