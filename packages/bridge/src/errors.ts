/** Thrown when audio is sent to a call that has already ended. */
export class CallEndedError extends Error {
  override name = 'CallEndedError';
  constructor(
    readonly callId: string,
    readonly reason: string,
  ) {
    super(`call ${callId} has ended (${reason})`);
  }
}
