import { type CommandName, encodePayload, topicFor } from '@onestop/protocol';
import { claimCommand, type Database, pendingCommands } from '@onestop/store';
import type { Aedes } from 'aedes';
import type { Logger } from 'pino';

/**
 * Sends queued commands (from the dashboard or `onestop device command`, any process) to the
 * devices connected to this broker node, when signalled (`command_queued`), when a device comes
 * (back) ready for commands, and on every resync of the signals. Claiming a command first makes each one go out at most
 * once, even with several broker nodes; a device that is away gets it when it is back, unless it
 * has expired by then.
 */
export class CommandSender {
  constructor(
    private readonly aedes: Aedes,
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly connected: () => string[],
  ) {}

  /** Sends what waits for the connected devices (those of `among` only, when given). */
  async sendPending(among?: readonly string[]): Promise<number> {
    let targets = this.connected();
    if (among) {
      const wanted = new Set(among);
      targets = targets.filter((id) => wanted.has(id));
    }
    let sent = 0;
    for (const c of await pendingCommands(this.db, targets)) {
      if (!(await claimCommand(this.db, c.cmdId))) continue;
      const channel = `cmd/${c.name as CommandName}` as const;
      const payload = encodePayload(channel, { v: 1, cmdId: c.cmdId, ts: Date.now(), args: c.args });
      await new Promise<void>((resolve, reject) =>
        this.aedes.publish(
          { cmd: 'publish', topic: topicFor(c, channel), payload, qos: 1, retain: false, dup: false },
          (err) => (err ? reject(err) : resolve()),
        ),
      );
      this.logger.info({ deviceId: c.deviceId, cmd: c.name, cmdId: c.cmdId }, 'command sent');
      sent++;
    }
    return sent;
  }
}
