import type { DetectorName } from '@onestop/firmware-config';
import type { EngineOptions } from './engine.js';
import type { AnalyseOptions, FrameAnalysis } from './types.js';

/** Messages between PerceptionWorker and worker.ts. Frames travel as transferred ArrayBuffers. */
export interface WorkerInit {
  detector: DetectorName;
  modelDir?: string;
  intraOpNumThreads: number;
  engine: EngineOptions;
}

export type WorkerRequest =
  | { type: 'analyse'; id: number; data: ArrayBuffer; width: number; height: number; opts: AnalyseOptions }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; result: FrameAnalysis; peakRss: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'closed' };
