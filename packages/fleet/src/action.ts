import type { FleetAction, FleetActionResult, FleetCall } from './call.js';
import { FleetError } from './errors.js';

/** The longest text a `say` or `inject` request may carry, by default (characters). */
export const DEFAULT_MAX_TEXT_LENGTH = 4096;

/**
 * Checks an action that came from a user or from the wire (so it is `unknown`); returns it typed, or a
 * `FleetError` (`INVALID_ARGUMENT`, `LIMIT_EXCEEDED`). Never throws.
 */
export function parseAction(value: unknown, maxTextLength: number): FleetAction | FleetError {
  if (typeof value !== 'object' || value === null)
    return new FleetError('INVALID_ARGUMENT', 'an action must be an object');
  const o = value as Record<string, unknown>;
  switch (o.type) {
    case 'mute':
    case 'unmute':
    case 'metrics':
      return { type: o.type };
    case 'hangup': {
      if (o.reason === undefined) return { type: 'hangup' };
      if (typeof o.reason !== 'string' || o.reason.length === 0 || o.reason.length > 64)
        return new FleetError('INVALID_ARGUMENT', 'reason must be a string of 1..64 characters');
      return { type: 'hangup', reason: o.reason };
    }
    case 'say':
    case 'inject': {
      if (typeof o.text !== 'string' || o.text.trim().length === 0)
        return new FleetError('INVALID_ARGUMENT', `${o.type} needs a non-empty text`);
      if (o.text.length > maxTextLength)
        return new FleetError('LIMIT_EXCEEDED', `text is longer than ${maxTextLength} characters`);
      return { type: o.type, text: o.text };
    }
    default:
      return new FleetError('INVALID_ARGUMENT', `unknown action type ${JSON.stringify(o.type)}`);
  }
}

/**
 * Runs an action on a local call. What the call throws becomes `ACTION_FAILED` (with the call's error as
 * `cause`), so a request always settles with a FleetError, whichever instance ran it.
 */
export async function runAction(call: FleetCall, action: FleetAction): Promise<FleetActionResult> {
  try {
    switch (action.type) {
      case 'hangup':
        await call.hangup(action.reason ?? 'hangup');
        return undefined;
      case 'say':
        await call.say(action.text);
        return undefined;
      case 'inject':
        await call.injectText(action.text);
        return undefined;
      case 'mute':
      case 'unmute':
        call.setMuted(action.type === 'mute');
        return undefined;
      case 'metrics':
        return sanitizeMetrics(call.metrics());
    }
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new FleetError('ACTION_FAILED', `${action.type} failed on call ${call.id}: ${detail}`, {
      cause: err,
    });
  }
}

/** Keeps the finite numbers of a metrics object (what JSON and Prometheus can carry). */
export function sanitizeMetrics(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (typeof value !== 'object' || value === null) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}
