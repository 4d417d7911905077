import { parentPort, workerData } from 'node:worker_threads';
import { createDetector } from './detectors.js';
import { PerceptionEngine } from './engine.js';
import type { AnalyseOptions } from './types.js';
import type { WorkerInit, WorkerReply, WorkerRequest } from './worker-protocol.js';

/**
 * Perception worker thread: owns the ORT sessions and does all CPU-heavy work (resize, inference,
 * decode) so the agent's event loop (MQTT, keypad, outbox) never waits on a frame. Frames arrive as
 * transferred ArrayBuffers and are dropped as soon as the analysis is posted back.
 */
const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('perception worker must run in a worker thread');

let peakRss = process.memoryUsage().rss;
const enginePromise = createDetector(init.detector, {
  ...(init.modelDir ? { modelDir: init.modelDir } : {}),
  intraOpNumThreads: init.intraOpNumThreads,
  fixedInputSize: init.engine.inputSize ?? 416,
}).then((backend) => new PerceptionEngine(backend, init.engine));

enginePromise.then(
  () => port.postMessage({ type: 'ready' } satisfies WorkerReply),
  (err: unknown) => port.postMessage({ type: 'fatal', message: String(err) } satisfies WorkerReply),
);

port.on('message', async (msg: WorkerRequest) => {
  if (msg.type === 'close') {
    const engine = await enginePromise.catch(() => null);
    await engine?.backend.close();
    port.postMessage({ type: 'closed' } satisfies WorkerReply);
    return;
  }
  try {
    const engine = await enginePromise;
    const image = { data: new Uint8Array(msg.data), width: msg.width, height: msg.height };
    const opts: AnalyseOptions = msg.opts;
    const result = await engine.analyse(image, opts);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    port.postMessage({ type: 'result', id: msg.id, result, peakRss } satisfies WorkerReply);
  } catch (err) {
    port.postMessage({ type: 'error', id: msg.id, message: String(err) } satisfies WorkerReply);
  }
});
