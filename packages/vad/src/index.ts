/**
 * @voxwire/vad — voice activity detection for real-time voice audio: an energy VAD with an adaptive noise
 * floor, Silero VAD v5 on onnxruntime-node (optional peer dependency, loaded only when used), a segmenter
 * that turns `AudioFrame`s (@voxwire/codecs) into sample-accurate speech start/end events, and signal quality metrics.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { EnergyVad, type EnergyVadOptions } from './energy-vad.js';
export { VadError, type VadErrorCode } from './errors.js';
export {
  loadOnnxRuntime,
  type ModuleImporter,
  ONNX_INSTALL_HINT,
  type OnnxRuntimeModule,
  type OnnxSession,
  type OnnxSessionOptions,
  type OnnxTensor,
} from './onnx-runtime.js';
export {
  type QualityAlert,
  type QualityAlertKind,
  QualityMonitor,
  type QualityMonitorEvents,
  type QualityMonitorOptions,
  type QualityReport,
  type QualitySummary,
} from './quality-monitor.js';
export {
  type ProbabilityEvent,
  type SpeechEndEvent,
  type SpeechStartEvent,
  VadSegmenter,
  type VadSegmenterEvents,
  type VadSegmenterOptions,
} from './segmenter.js';
export {
  analyzeSignal,
  DEFAULT_QUALITY_THRESHOLDS,
  type QualityThresholds,
  qualityScore,
  type SignalFormat,
  type SignalMetrics,
  type SnrMethod,
} from './signal-metrics.js';
export { resolveSileroModel, SILERO_MODEL_PACKAGES } from './silero-model.js';
export { SileroVad, type SileroVadOptions } from './silero-vad.js';
export type { Vad } from './vad.js';
