/**
 * The seam between a call server (the bridge, an OpusAgent) and the fleet: what the fleet needs to know
 * about a live call and what it may ask of it. The call server implements it; the fleet never touches audio.
 */
export interface FleetCall {
  /** Unique across the fleet (a Twilio call SID, an AudioCodes conversation id). */
  readonly id: string;
  /** Where the call came from. */
  readonly platform: 'twilio' | 'audiocodes' | (string & {});
  /** The caller's number or identity, when known. */
  readonly caller?: string;
  /** The agent (bot, prompt, model) serving the call, when known. */
  readonly agent?: string;
  /** Epoch ms when the call started. */
  readonly startedAt: number;
  /** A short state name (`ringing`, `active`, `ending`…), free-form; read at each heartbeat. */
  readonly state: string;
  /** Epoch ms of the last audio or event; read at each heartbeat. */
  readonly lastActivityAt: number;
  /** Ends the call: the caller hears a goodbye where the call server has one, the model session closes. */
  hangup(reason: string): Promise<void>;
  /** Makes the agent say `text` now. */
  say(text: string): Promise<void>;
  /** Injects `text` as a user turn (as if the caller had said it). */
  injectText(text: string): Promise<void>;
  /** Mutes (true) or unmutes the caller's audio toward the model. */
  setMuted(muted: boolean): void;
  /** Live per-call metrics: milliseconds with an `Ms` suffix, counts as plain numbers. */
  metrics(): Record<string, number>;
}

/** One registry entry: what any instance can learn about a call held by any instance. */
export interface FleetCallInfo {
  /** The instance holding the call. */
  instanceId: string;
  id: string;
  platform: string;
  state: string;
  startedAt: number;
  caller?: string;
  agent?: string;
  lastActivityAt: number;
}

/** A control request for a call, run by the instance that holds it. */
export type FleetAction =
  | { type: 'hangup'; reason?: string }
  | { type: 'say'; text: string }
  | { type: 'inject'; text: string }
  | { type: 'mute' }
  | { type: 'unmute' }
  | { type: 'metrics' };

/** What a control request resolves with: the call's metrics for `metrics`, nothing otherwise. */
export type FleetActionResult<A extends FleetAction = FleetAction> = A extends { type: 'metrics' }
  ? Record<string, number>
  : undefined;

/** The registry entry of a local call, read now. */
export function callInfo(instanceId: string, call: FleetCall): FleetCallInfo {
  const info: FleetCallInfo = {
    instanceId,
    id: call.id,
    platform: call.platform,
    state: call.state,
    startedAt: call.startedAt,
    lastActivityAt: call.lastActivityAt,
  };
  if (call.caller !== undefined) info.caller = call.caller;
  if (call.agent !== undefined) info.agent = call.agent;
  return info;
}

/** Parses a registry entry read from Redis; `undefined` for anything malformed (never throws). */
export function parseCallInfo(text: string | null): FleetCallInfo | undefined {
  if (text === null) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
  if (!str('instanceId') || !str('id') || !str('platform') || !str('state')) return undefined;
  if (!num('startedAt') || !num('lastActivityAt')) return undefined;
  const info: FleetCallInfo = {
    instanceId: o.instanceId as string,
    id: o.id as string,
    platform: o.platform as string,
    state: o.state as string,
    startedAt: o.startedAt as number,
    lastActivityAt: o.lastActivityAt as number,
  };
  if (str('caller')) info.caller = o.caller as string;
  if (str('agent')) info.agent = o.agent as string;
  return info;
}
