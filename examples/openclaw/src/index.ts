// OpenClaw's root entry: what a program embedding it (or the workspace benchmarks) may use.
export {
  AUDIO_PRESETS,
  ConfigError,
  type ConfigErrorCode,
  configFromEnv,
  loadEnv,
  type OpenClawConfig,
} from './config.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export {
  joinNodePeer,
  type NodeParticipant,
  NodePeerError,
  type NodePeerErrorCode,
} from './node-participant.js';
export { type OpenClaw, type OpenClawMetrics, type OpenClawOptions, startOpenClaw } from './openclaw.js';
