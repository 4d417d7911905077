import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { BaseFrameSource } from './frame-source.js';

export interface ImageReplayOptions {
  /** A folder of .jpg/.jpeg/.png files (played in name order), or an explicit list of files. */
  dir?: string;
  files?: string[];
  fps?: number;
  loop?: boolean;
  /**
   * true (default): one frame every 1/fps seconds with wall-clock timestamps, dropping frames if the
   * consumer lags, like a camera. false: as fast as the consumer pulls, no drops, with simulated
   * timestamps `startTs + i * 1000 / fps` (deterministic tests and offline evaluation).
   */
  realtime?: boolean;
  startTs?: number;
}

const IMAGE = new Set(['.jpg', '.jpeg', '.png']);

/** Replays still images as a camera. Files are read, never written. */
export class ImageReplaySource extends BaseFrameSource {
  readonly kind = 'image-replay';
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: ImageReplayOptions) {
    super();
  }

  protected start(): void {
    this.run().catch((err: unknown) => this.fail('read_failed', String(err)));
  }

  private async files(): Promise<string[]> {
    if (this.opts.files) return this.opts.files;
    if (!this.opts.dir) return [];
    const dir = this.opts.dir;
    return (await readdir(dir))
      .filter((f) => IMAGE.has(extname(f).toLowerCase()))
      .sort()
      .map((f) => join(dir, f));
  }

  private async run(): Promise<void> {
    const files = await this.files();
    if (files.length === 0) {
      this.fail('no_images', `no .jpg/.png images in ${this.opts.dir ?? 'the file list'}`);
      return;
    }
    const fps = this.opts.fps ?? 5;
    const realtime = this.opts.realtime ?? true;
    const t0 = this.opts.startTs ?? Date.now();
    let i = 0;
    do {
      for (const file of files) {
        if (this.stopped) return;
        const data = await readFile(file);
        if (realtime) {
          this.pushFrame(data);
          await new Promise<void>((resolve) => {
            this.timer = setTimeout(resolve, 1000 / fps);
          });
        } else {
          await this.pushFrameWait(data, Math.round(t0 + (i * 1000) / fps));
        }
        i++;
      }
    } while (this.opts.loop && !this.stopped);
    this.finish();
  }

  protected async teardown(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
  }
}
