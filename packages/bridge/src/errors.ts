import { VoxwireError } from '@voxwire/core';

/** Why the bridge refused a call or reported a failure (a {@link BridgeError}'s `code`). */
export type BridgeErrorCode =
  /** A bad option or argument (a recorder rate, audio that is not a mono frame). */
  | 'INVALID_ARGUMENT'
  /** Audio sent to a call that has ended ({@link CallEndedError}). */
  | 'CLOSED'
  /** One of the bridge's own event handlers failed: reported as an `error` instead of thrown into a socket. */
  | 'INTERNAL';

/** The error every part of `@voxwire/bridge` throws or emits (errors of the platforms and the model pass through). */
export class BridgeError extends VoxwireError<BridgeErrorCode> {}

/** Thrown when audio is sent to a call that has already ended (`code` `CLOSED`). */
export class CallEndedError extends BridgeError {
  constructor(
    readonly callId: string,
    readonly reason: string,
  ) {
    super('CLOSED', `call ${callId} has ended (${reason})`);
  }
}
