/**
 * On-device perception: camera frames -> faces -> expression and presence numbers.
 * Frames and crops live in memory only; everything exported as data is plain numbers/strings.
 */
export {
  CONFIDENCE_HALF_FRAMES,
  EXIT_WEIGHT,
  type ExpressionBody,
  satisfactionOf,
  VisitExpressionAggregator,
} from './aggregator.js';
export {
  type DetectorBackend,
  defaultModelDir,
  type ModelName,
  modelPath,
  OrtBackend,
  type OrtBackendOptions,
  type Tensor,
} from './backend.js';
export { ANCHORS, decodeGrid, nonMaxSuppression } from './decode.js';
export { createDetector, DETECTORS, type DetectorOptions } from './detectors.js';
export { type EngineOptions, PerceptionEngine } from './engine.js';
export {
  BaseFrameSource,
  type Frame,
  type FrameSource,
  type SourceError,
  type SourceErrorReason,
} from './frame-source.js';
export { type DecodeOptions, decodeImage } from './image.js';
export { MjpegSplitter } from './mjpeg.js';
export { modelInfo } from './model-info.js';
export { type PerceivedImage, type PerceiveOptions, perceiveImages } from './perceive.js';
export {
  type CameraStats,
  CounterPerception,
  type CounterPerceptionEvents,
  type CounterPerceptionOptions,
  type FrameAnalyser,
} from './pipeline.js';
export { OfficerPresenceMonitor, type PresenceChange, type PresenceOptions } from './presence.js';
export {
  type CameraOptions,
  ProcessFrameSource,
  type ProcessSourceOptions,
  rpicamSource,
  v4l2Source,
  videoFileSource,
} from './process-source.js';
export { type ImageReplayOptions, ImageReplaySource } from './replay-source.js';
export { boxIou, IouTracker, type Track, type TrackUpdate } from './tracker.js';
export {
  type AnalyseOptions,
  EXPRESSION_LABELS,
  type Expr7,
  type ExpressionLabel,
  type FaceResult,
  type FrameAnalysis,
  type NormBox,
  type PixelBox,
  type RgbImage,
  topExpression,
} from './types.js';
export { PerceptionWorker, type PerceptionWorkerOptions } from './worker-client.js';
