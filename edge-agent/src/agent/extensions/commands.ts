import {
  type Channel,
  COMMAND_NAMES,
  type CommandName,
  decodePayload,
  type PayloadOf,
  Uuid,
} from '@onestop/protocol';
import type { AgentContext, Extension } from '../context.js';

type Result = PayloadOf<'cmd/restart/res'>['result'];
type Outcome = { ok: boolean; result: Result; error: string | null; after?: () => void };

/** Best effort to answer even a malformed command: its cmdId, if one can be read. */
function salvageCmdId(raw: Buffer): string | null {
  try {
    const id = (JSON.parse(raw.toString('utf8')) as { cmdId?: unknown }).cmdId;
    return Uuid.safeParse(id).success ? (id as string) : null;
  } catch {
    return null;
  }
}

/** Answers `cmd/{restart,reload-config,self-test,retry-dead-letters}` on `cmd/{name}/res`. */
export class Commands implements Extension {
  readonly name = 'commands';
  private off: (() => void) | null = null;

  constructor(private readonly ctx: AgentContext) {}

  start(): void {
    this.off = this.ctx.bus.on('mqtt.message', (m) => {
      const name = COMMAND_NAMES.find((n) => m.channel === `cmd/${n}`);
      if (name) void this.handle(name, m.payload);
    });
  }

  stop(): void {
    this.off?.();
  }

  private async handle(name: CommandName, raw: Buffer): Promise<void> {
    const { ctx } = this;
    const r = decodePayload(`cmd/${name}`, raw);
    let outcome: Outcome;
    let cmdId: string | null;
    if (!r.ok) {
      cmdId = salvageCmdId(raw);
      ctx.bus.emit('rejected', { source: `mqtt cmd/${name}`, reason: r.reason });
      outcome = { ok: false, result: null, error: `rejected: ${r.reason}`.slice(0, 500) };
    } else {
      cmdId = r.value.cmdId;
      outcome = await this.run(name, r.value.args);
    }
    ctx.logger.info({ cmd: name, ok: outcome.ok, error: outcome.error }, 'command');
    ctx.bus.emit('command.answered', { name, ok: outcome.ok, error: outcome.error });
    if (cmdId !== null) {
      const channel = `cmd/${name}/res` as const satisfies Channel;
      await ctx
        .publish(channel, {
          v: 1,
          cmdId,
          ts: ctx.clock.now(),
          ok: outcome.ok,
          result: outcome.result,
          error: outcome.error,
        })
        .catch((e: Error) => ctx.logger.warn({ err: e.message }, 'cannot answer command'));
    }
    outcome.after?.();
  }

  private async run(name: CommandName, args: Record<string, string | number | boolean>): Promise<Outcome> {
    const { ctx } = this;
    switch (name) {
      case 'restart':
        return {
          ok: true,
          result: { restarting: true },
          error: null,
          after: () => ctx.requestRestart('command'),
        };
      case 'reload-config': {
        if (!ctx.reloadConfigFile)
          return { ok: true, result: { version: ctx.settings.version() ?? 0, file: false }, error: null };
        try {
          ctx.reloadConfigFile();
        } catch (e) {
          return { ok: false, result: null, error: (e as Error).message.slice(0, 500) };
        }
        return {
          ok: true,
          result: { version: ctx.settings.version() ?? 0, file: true },
          error: null,
          after: () => ctx.requestRestart('reload-config'),
        };
      }
      case 'self-test':
        return this.selfTest(args);
      case 'retry-dead-letters': {
        let requeued: number;
        try {
          requeued = ctx.outbox.requeueDeadLetters();
        } catch (e) {
          return { ok: false, result: null, error: `nothing moved: ${(e as Error).message}`.slice(0, 500) };
        }
        ctx.logger.info({ requeued }, 'dead-lettered events put back in the outbox');
        if (requeued > 0) ctx.bus.emit('outbox.requeued', { count: requeued });
        return { ok: true, result: { requeued }, error: null };
      }
    }
  }

  private selfTest(args: Record<string, string | number | boolean>): Outcome {
    const { ctx } = this;
    const result: Record<string, boolean | string> = {};
    const problems: string[] = [];
    try {
      ctx.outbox.getMeta('bootId');
      result.outbox = true;
    } catch (e) {
      result.outbox = false;
      problems.push(`outbox: ${(e as Error).message}`);
    }
    result.mqtt = ctx.transport.connected;
    for (const h of ctx.inputs.status()) {
      const ok = h.state === 'connected' || h.state === 'virtual';
      result[h.role] = ok;
      if (!ok) problems.push(`${h.role}: ${h.state}`);
    }
    if (ctx.config.camera) {
      const cam = ctx.camera();
      result.camera = cam.state === 'running';
      if (cam.state !== 'running') problems.push(`camera: ${cam.error ?? cam.state}`);
    }
    if (args.flashKeypad === true)
      result.flashKeypad = 'unsupported: keyboard-emulating keypads have no LEDs to drive';
    return {
      ok: problems.length === 0,
      result,
      error: problems.length > 0 ? problems.join('; ').slice(0, 500) : null,
    };
  }
}
