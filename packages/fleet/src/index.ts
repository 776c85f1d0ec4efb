/**
 * @voxwire/fleet — run voxwire call servers as a fleet: a Redis call registry with heartbeat TTLs,
 * cross-instance call control over Redis pub/sub, graceful drain, Prometheus metrics and an HTTP API.
 * Without Redis it runs the same API on one process.
 * @packageDocumentation
 */

export { VoxwireError } from '@voxwire/core';
export { DEFAULT_MAX_TEXT_LENGTH, parseAction } from './action.js';
export type { FleetAction, FleetActionResult, FleetCall, FleetCallInfo } from './call.js';
export { FleetControl, type FleetControlEvents, type FleetControlOptions } from './control.js';
export { FleetError, type FleetErrorCode } from './errors.js';
export {
  createFleet,
  type DrainOnSignalsOptions,
  type DrainOptions,
  type DrainResult,
  Fleet,
  type FleetEvents,
  type FleetOptions,
  type FleetStatus,
} from './fleet.js';
export {
  createFleetServer,
  type FleetHandlerOptions,
  type FleetServer,
  type FleetServerOptions,
  fleetRequestHandler,
} from './http-api.js';
export { type FleetKeys, fleetKeys } from './keys.js';
export { FleetMetrics, type FleetMetricsOptions } from './metrics.js';
export {
  CallRegistry,
  type CallRegistryEvents,
  type CallRegistryOptions,
  type CallRegistryStatus,
} from './registry.js';
