import { VoxwireError } from '@voxwire/core';

/**
 * Codes of {@link FleetError}.
 *
 * - `NOT_FOUND`: the call is not live anywhere in the fleet (ended, or its instance is gone).
 * - `TIMEOUT`: the owning instance did not answer a control request within `requestTimeoutMs`.
 * - `UNAVAILABLE`: Redis is not reachable (or a registry command failed); nothing was sent.
 * - `ACTION_FAILED`: the owning instance ran the action and the call threw.
 * - `INVALID_ARGUMENT`, `LIMIT_EXCEEDED`: a bad or oversized request.
 * - `INVALID_STATE`: the instance is draining and accepts no new calls, or the call is already registered.
 * - `QUEUE_FULL`: too many control requests are waiting for answers.
 * - `UNAUTHORIZED`: a wrong or missing bearer token (HTTP API).
 * - `CLOSED`: the fleet was closed.
 */
export type FleetErrorCode =
  | 'NOT_FOUND'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'ACTION_FAILED'
  | 'INVALID_ARGUMENT'
  | 'LIMIT_EXCEEDED'
  | 'INVALID_STATE'
  | 'QUEUE_FULL'
  | 'UNAUTHORIZED'
  | 'CLOSED';

const CODES: ReadonlySet<string> = new Set<FleetErrorCode>([
  'NOT_FOUND',
  'TIMEOUT',
  'UNAVAILABLE',
  'ACTION_FAILED',
  'INVALID_ARGUMENT',
  'LIMIT_EXCEEDED',
  'INVALID_STATE',
  'QUEUE_FULL',
  'UNAUTHORIZED',
  'CLOSED',
]);

/** The one error class of `@voxwire/fleet`: branch on `code`. */
export class FleetError extends VoxwireError<FleetErrorCode> {}

/** Whether a code that came over the wire (from another instance) is one of ours. */
export function isFleetErrorCode(code: unknown): code is FleetErrorCode {
  return typeof code === 'string' && CODES.has(code);
}

/** Wraps a Redis client failure: the caller learns at once that the shared state is out of reach. */
export function unavailable(what: string, cause: unknown): FleetError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new FleetError('UNAVAILABLE', `${what}: Redis is unavailable (${detail})`, { cause });
}
