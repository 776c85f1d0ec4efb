import { type AnyFrame, type EncodedFrame, encodedFrame, isEncodedFrame } from '@voxwire/codecs';
import { BridgeError } from './errors.js';

/**
 * Caller G.711 gathered per model append when neither the call nor the bridge options say otherwise, ms:
 * the batch the client uses for PCM (its `batchMs` default).
 */
export const INPUT_BATCH_MS = 100;

/**
 * Gathers a call's G.711 frames (20 ms each on Twilio) into batches of `batchMs` (default
 * {@link INPUT_BATCH_MS}) before they go to the model. The client sends an encoded frame that matches the
 * session's input codec as one append, as it is; frame by frame that is five WebSocket messages (and five
 * JSON encodings) per 100 ms where PCM input costs one. A batch waits for its last frame, so its length is
 * latency added to every turn: Twilio calls use 40 ms (two frames, like the OpusAgent design). A batch costs one byte copy per frame and keeps the bytes unchanged: no decode, no re-encode.
 * PCM and Opus frames pass straight through (after the pending batch, to keep the order).
 */
export class InputBatcher {
  private batch: Uint8Array | null = null;
  private length = 0;
  private head: EncodedFrame | null = null;

  /** @throws BridgeError `INVALID_ARGUMENT` for a batch that is not 1..1000 ms */
  constructor(
    private readonly send: (frame: AnyFrame) => void,
    readonly batchMs = INPUT_BATCH_MS,
  ) {
    if (!(batchMs >= 1 && batchMs <= 1000)) {
      throw new BridgeError('INVALID_ARGUMENT', `input batch must be 1..1000 ms, got ${batchMs}`);
    }
  }

  push(frame: AnyFrame): void {
    if (!isEncodedFrame(frame) || frame.codec === 'opus') {
      this.flush();
      this.send(frame);
      return;
    }
    const head = this.head;
    if (
      head &&
      (head.codec !== frame.codec || head.sampleRate !== frame.sampleRate || head.channels !== frame.channels)
    )
      this.flush();
    let at = 0;
    while (at < frame.data.length) {
      if (!this.batch) {
        const size = Math.max(1, Math.round((frame.sampleRate * this.batchMs) / 1000)) * frame.channels;
        // A fresh batch each time: the client owns the frame it is given.
        this.batch = new Uint8Array(size);
        this.length = 0;
        this.head = { ...frame, position: frame.position + at / frame.channels };
      }
      const n = Math.min(frame.data.length - at, this.batch.length - this.length);
      this.batch.set(frame.data.subarray(at, at + n), this.length);
      this.length += n;
      at += n;
      if (this.length === this.batch.length) this.flush();
    }
  }

  /** Sends the partial batch now. */
  flush(): void {
    const head = this.head;
    if (!this.batch || !head || this.length === 0) {
      this.batch = null;
      this.head = null;
      return;
    }
    const frame = encodedFrame(head.codec, this.batch.subarray(0, this.length), {
      sampleRate: head.sampleRate,
      channels: head.channels,
      position: head.position,
    });
    this.batch = null;
    this.head = null;
    this.length = 0;
    this.send(frame);
  }
}
