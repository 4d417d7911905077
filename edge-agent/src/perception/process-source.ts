import { type ChildProcess, spawn } from 'node:child_process';
import { BaseFrameSource } from './frame-source.js';
import { MjpegSplitter } from './mjpeg.js';

export interface ProcessSourceOptions {
  kind: string;
  command: string;
  args: string[];
  /** Fail with `stalled` when no frame arrives for this long (default 5 s). */
  stallMs?: number;
  /** Grace period for the first frame: cameras and ffmpeg take a while to open (default 15 s). */
  startupMs?: number;
}

/**
 * Runs a capture process that writes concatenated JPEGs to stdout and yields them as frames.
 * Frames stay in memory; the process is killed on stop(). Spawn errors and early exits become
 * SourceErrors with the tail of stderr as the message (e.g. "Device or resource busy").
 */
export class ProcessFrameSource extends BaseFrameSource {
  readonly kind: string;
  private child: ChildProcess | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stderr = '';
  private frames = 0;

  constructor(private readonly opts: ProcessSourceOptions) {
    super();
    this.kind = opts.kind;
  }

  protected start(): void {
    const splitter = new MjpegSplitter();
    let child: ChildProcess;
    try {
      child = spawn(this.opts.command, this.opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      this.fail('binary_missing', `${this.opts.command}: ${String(err)}`);
      return;
    }
    this.child = child;
    child.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'ENOENT' ? 'binary_missing' : 'device_unavailable';
      this.fail(
        reason,
        `${this.opts.command}: ${err.code === 'ENOENT' ? 'not installed or not on PATH' : err.message}`,
      );
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const jpeg of splitter.push(chunk)) {
        this.frames++;
        this.arm(this.opts.stallMs ?? 5000);
        this.pushFrame(jpeg);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000);
    });
    // 'close' (not 'exit') so stdout/stderr are fully read before we judge the exit.
    child.on('close', (code, signal) => {
      this.child = null;
      if (this.stopped) return;
      const tail = this.stderr.trim().split('\n').slice(-2).join(' ').trim();
      if (this.frames === 0) {
        this.fail(
          'device_unavailable',
          `${this.opts.command} exited (${code ?? signal}) before any frame: ${tail}`,
        );
      } else if (code === 0) {
        this.clearTimer();
        this.finish();
      } else {
        this.fail('exited', `${this.opts.command} exited (${code ?? signal}): ${tail}`);
      }
    });
    this.arm(this.opts.startupMs ?? 15000);
  }

  private arm(ms: number): void {
    this.clearTimer();
    this.timer = setTimeout(
      () => this.fail('stalled', `no frame from ${this.opts.command} for ${ms} ms`),
      ms,
    );
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  protected async teardown(): Promise<void> {
    this.clearTimer();
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

export interface CameraOptions {
  width?: number;
  height?: number;
  fps?: number;
}

/** USB/V4L2 camera through ffmpeg, asking the camera for MJPEG so the Pi does not encode. */
export function v4l2Source(
  opts: CameraOptions & { device?: string; ffmpeg?: string } = {},
): ProcessFrameSource {
  const { width = 640, height = 480, fps = 10, device = '/dev/video0', ffmpeg = 'ffmpeg' } = opts;
  return new ProcessFrameSource({
    kind: 'v4l2',
    command: ffmpeg,
    args: [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'v4l2', '-input_format', 'mjpeg'],
      ...['-video_size', `${width}x${height}`, '-framerate', String(fps), '-i', device],
      ...['-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '4', '-'],
    ],
  });
}

/** Raspberry Pi camera module through rpicam-vid (libcamera-vid on older images). */
export function rpicamSource(
  opts: CameraOptions & { camera?: number; binary?: string } = {},
): ProcessFrameSource {
  const { width = 640, height = 480, fps = 10, camera = 0, binary = 'rpicam-vid' } = opts;
  return new ProcessFrameSource({
    kind: 'rpicam',
    command: binary,
    args: [
      ...['-t', '0', '-n', '--codec', 'mjpeg', '--camera', String(camera)],
      ...['--width', String(width), '--height', String(height), '--framerate', String(fps), '-o', '-'],
    ],
  });
}

/** A video file replayed through ffmpeg at `fps` (at its real pace unless realtime is false). */
export function videoFileSource(opts: { path: string; fps?: number; realtime?: boolean; ffmpeg?: string }) {
  const { path, fps = 10, realtime = true, ffmpeg = 'ffmpeg' } = opts;
  return new ProcessFrameSource({
    kind: 'video-file',
    command: ffmpeg,
    args: [
      ...['-hide_banner', '-loglevel', 'error', ...(realtime ? ['-re'] : []), '-i', path],
      ...['-vf', `fps=${fps}`, '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '4', '-'],
    ],
  });
}
