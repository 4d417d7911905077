import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { kioskOfficerControls } from '@onestop/firmware-config';
import type { AgentContext, Extension } from '../agent/context.js';
import type { CounterDriver } from '../agent/extensions/counter-driver.js';
import { createKioskApp } from './app.js';
import { CommentLinks } from './comment-link.js';
import { kioskHosts } from './guard.js';
import { buildView, type KioskView, kioskLink } from './view.js';

/** Serves the kiosk on the configured host/port; the agent's bus drives the live view. */
export class KioskExtension implements Extension {
  readonly name = 'kiosk';
  private server: ServerType | null = null;
  private boundPort: number | null = null;
  private readonly comments: CommentLinks | null;

  constructor(
    private readonly ctx: AgentContext,
    private readonly counter: CounterDriver,
  ) {
    this.comments = ctx.commentKey
      ? new CommentLinks(ctx.address, ctx.commentKey, () => ctx.clock.now())
      : null;
  }

  view(): KioskView {
    const { state, screen } = this.counter.current();
    return buildView(
      state,
      screen,
      this.ctx.settings.get(),
      kioskLink(this.ctx.link()),
      kioskOfficerControls(this.ctx.config),
      {
        comments: this.comments,
        counterId: this.ctx.address.counterId,
        camera: this.ctx.config.camera?.role === 'citizen',
        now: this.ctx.clock.now(),
      },
    );
  }

  get url(): string | null {
    return this.boundPort === null
      ? null
      : `http://${this.ctx.config.kiosk?.host ?? '127.0.0.1'}:${this.boundPort}/`;
  }

  async start(): Promise<void> {
    const k = this.ctx.config.kiosk;
    if (!k) return;
    const app = createKioskApp({
      hosts: kioskHosts(k.host),
      view: () => this.view(),
      officerTouch: kioskOfficerControls(this.ctx.config),
      input: (i) => this.counter.dispatch(i),
      subscribe: (fn) => {
        const offs = [
          this.ctx.bus.on('counter.state', () => fn(this.view())),
          this.ctx.bus.on('config.applied', () => fn(this.view())),
          this.ctx.bus.on('mqtt.link', () => fn(this.view())),
        ];
        return () => {
          for (const off of offs) off();
        };
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server = serve({ fetch: app.fetch, port: k.port, hostname: k.host }, (info: AddressInfo) => {
        this.boundPort = info.port;
        this.ctx.logger.info({ url: this.url }, 'kiosk listening');
        resolve();
      });
      this.server.once('error', reject);
    });
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      if ('closeAllConnections' in s) s.closeAllConnections();
      s.close(() => resolve());
    });
  }
}
