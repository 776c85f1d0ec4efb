// Arnold's root entry: what a program embedding it (or the workspace benchmarks) may use.

export { DEFAULT_VAD, sessionConfig, type VadSettings } from './config.js';
export { type Arnold, type ArnoldOptions, startArnold } from './server.js';
export { type Progress, type Workout, WorkoutStore, type WorkoutStoreOptions } from './store.js';
export { runArnoldTool, TOOL_DEFINITIONS } from './tools.js';
