/**
 * Every Redis key and channel the fleet uses, in one place (the README lists them). `prefix` defaults to
 * `voxwire:fleet:` so several fleets can share one Redis with different prefixes.
 */
export interface FleetKeys {
  /** String key holding one call's JSON entry, with a TTL refreshed by its instance. */
  call(callId: string): string;
  /** SCAN pattern matching every call key. */
  readonly callPattern: string;
  /** Pub/sub channel on which an instance receives control requests. */
  control(instanceId: string): string;
  /** Pub/sub channel on which an instance receives answers to its own requests. */
  reply(instanceId: string): string;
}

export function fleetKeys(prefix: string): FleetKeys {
  return {
    call: (id) => `${prefix}call:${id}`,
    callPattern: `${prefix}call:*`,
    control: (instanceId) => `${prefix}control:${instanceId}`,
    reply: (instanceId) => `${prefix}reply:${instanceId}`,
  };
}
