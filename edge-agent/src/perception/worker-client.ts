import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DetectorName } from '@onestop/firmware-config';
import type { EngineOptions } from './engine.js';
import type { AnalyseOptions, FrameAnalysis, RgbImage } from './types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface PerceptionWorkerOptions {
  /** The backend (config `camera.detector`); default `onnx-cpu`. */
  detector?: DetectorName;
  modelDir?: string;
  /** ORT intra-op threads inside the worker; use 1 on a Raspberry Pi. */
  intraOpNumThreads?: number;
  engine?: EngineOptions;
}

/**
 * Creates the worker. Built code runs dist/perception/worker.js directly. When running from the
 * TypeScript sources (tests under vitest) there is no .js file, so a tiny bootstrap registers the
 * tsx loader (a dev dependency of the toolchain) inside the worker and imports worker.ts.
 * Production never takes the second branch.
 */
function spawnWorker(init: WorkerInit): Worker {
  const js = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return new Worker(js, { workerData: init });
  const require = createRequire(import.meta.url);
  // The ESM entry of tsx/esm/api (require.resolve would pick its CommonJS build).
  const tsxApi = pathToFileURL(
    join(dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs'),
  ).href;
  const entry = new URL('./worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * Client for the perception worker thread. `analyse` copies the frame into a buffer that is
 * transferred (not cloned) to the worker; the caller's image stays usable.
 */
export class PerceptionWorker {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (r: FrameAnalysis) => void; reject: (e: Error) => void }
  >();
  private closed = false;
  /** Peak resident set size seen by the worker (process-wide, bytes). */
  peakRss = 0;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: WorkerReply) => this.onMessage(msg));
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => {
      // A dead worker must fail fast instead of leaving later analyse() calls pending forever.
      this.closed = true;
      this.failAll(new Error(`perception worker exited with code ${code}`));
    });
  }

  static async start(opts: PerceptionWorkerOptions = {}): Promise<PerceptionWorker> {
    const init: WorkerInit = {
      detector: opts.detector ?? 'onnx-cpu',
      ...(opts.modelDir ? { modelDir: opts.modelDir } : {}),
      intraOpNumThreads: opts.intraOpNumThreads ?? 0,
      engine: opts.engine ?? {},
    };
    const worker = spawnWorker(init);
    await new Promise<void>((resolve, reject) => {
      const onMsg = (msg: WorkerReply) => {
        if (msg.type === 'ready') resolve();
        else if (msg.type === 'fatal') reject(new Error(msg.message));
        else return;
        worker.off('message', onMsg);
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new PerceptionWorker(worker);
  }

  /** Number of frames submitted and not answered yet. */
  get inFlight(): number {
    return this.pending.size;
  }

  analyse(img: RgbImage, opts: AnalyseOptions): Promise<FrameAnalysis> {
    if (this.closed) return Promise.reject(new Error('perception worker is closed'));
    const id = this.nextId++;
    const copy = new Uint8Array(img.data.byteLength);
    copy.set(img.data);
    const req: WorkerRequest = {
      type: 'analyse',
      id,
      data: copy.buffer,
      width: img.width,
      height: img.height,
      opts,
    };
    return new Promise<FrameAnalysis>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(req, [copy.buffer]);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.worker.on('message', (m: WorkerReply) => {
        if (m.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    });
    await this.worker.terminate();
  }

  private onMessage(msg: WorkerReply): void {
    if (msg.type !== 'result' && msg.type !== 'error') return;
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (msg.type === 'result') {
      this.peakRss = Math.max(this.peakRss, msg.peakRss);
      p.resolve(msg.result);
    } else p.reject(new Error(msg.message));
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
