import { runningRelease } from '../../update/layout.js';
import type { AgentContext, Extension } from '../context.js';
import { AGENT_VERSION } from '../context.js';

/** Retained `status: online` and `birth` on every (re)connect: the broker forgets nothing else about us. */
export class StatusAnnouncer implements Extension {
  readonly name = 'status';
  private offs: Array<() => void> = [];

  constructor(private readonly ctx: AgentContext) {}

  start(): void {
    this.offs = [this.ctx.bus.on('mqtt.connected', () => void this.announce())];
  }

  stop(): void {
    for (const off of this.offs) off();
  }

  async announce(): Promise<void> {
    const { ctx } = this;
    const base = {
      v: 1 as const,
      deviceId: ctx.address.deviceId,
      bootId: ctx.outbox.bootId,
      ts: ctx.clock.now(),
    };
    try {
      await ctx.publish('status', { ...base, state: 'online' });
      await this.birth();
      ctx.bus.emit('birth.sent', { bootId: ctx.outbox.bootId });
    } catch (e) {
      ctx.logger.debug({ err: (e as Error).message }, 'announce failed; will retry on reconnect');
    }
  }

  birth(): Promise<void> {
    const { ctx } = this;
    return ctx.publish('birth', {
      v: 1,
      deviceId: ctx.address.deviceId,
      bootId: ctx.outbox.bootId,
      ts: ctx.clock.now(),
      agentVersion: runningRelease() ?? AGENT_VERSION,
      platform: { arch: process.arch, nodeAbi: process.versions.modules },
      models: ctx.models,
      capabilities: ctx.capabilities,
      ...(ctx.keypadScale ? { keypadScale: ctx.keypadScale } : {}),
      ...(ctx.commentKey ? { commentKey: ctx.commentKey.publicKey } : {}),
      configVersion: ctx.settings.version(),
      // Read last, just before it leaves: the centre anchors this boot by `receivedAt − mono`.
      mono: ctx.clock.mono(),
    });
  }
}
