import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  type AnyFrame,
  alaw,
  audioFrame,
  base64ToBytes,
  type EncodedFrame,
  floatToInt16,
  isEncodedFrame,
  mulaw,
  resampleFrame,
  wav,
} from '@voxwire/codecs';
import WebSocket from 'ws';
import { SimulatorConnectError, TwilioStreamError } from './errors.js';
import { pcmuFrame } from './inbound.js';
import { BYTES_PER_MS, FRAME_BYTES, FRAME_MS, TWILIO_SAMPLE_RATE } from './protocol.js';
import { computeTwilioSignature } from './signature.js';

/** Options of {@link TwilioSimulator}. */
export interface TwilioSimulatorOptions {
  /** The media-stream WebSocket URL to connect to, e.g. `ws://127.0.0.1:8080/media`. */
  url: string;
  /** Sign the upgrade with this auth token, like Twilio does. */
  authToken?: string;
  /** The URL to sign (what your TwiML says, e.g. `wss://example.com/media`; default `url`). */
  signatureUrl?: string;
  /** Send this `X-Twilio-Signature` value as is (to test forged signatures); overrides `authToken`. */
  signature?: string;
  /** More headers for the upgrade request (e.g. `X-Twilio-Webhooks-Signature-Settings`). */
  headers?: Record<string, string>;
  /** Ids announced in `start` (random Twilio-shaped ids by default). */
  accountSid?: string;
  callSid?: string;
  streamSid?: string;
  /** `<Parameter>` values announced in `start.customParameters`. */
  customParameters?: Record<string, string>;
  /**
   * Clock speed: 1 (default) = real time; 10 = ten times faster; `Infinity` = one 20 ms frame per event-loop
   * turn, as fast as the machine goes. The playback clock is the same in every mode: 160 bytes per frame.
   */
  speed?: number;
  /** Send `connected` and `start` as soon as the socket opens (default true). */
  autoStart?: boolean;
  /** While no source audio is queued, send mu-law silence frames like a live phone line (default true). */
  idleSilence?: boolean;
}

/** A mark the simulator echoed. */
export interface SimulatorMarkRecord {
  name: string;
  /** Simulator clock when echoed, in ms. */
  atMs: number;
  /** Simulator playback position when echoed, in ms of audio heard. */
  playedMs: number;
  /** True when echoed because of `clear`, not because playback reached it. */
  flushed: boolean;
}

/** A `clear` the simulator honoured. */
export interface SimulatorClearRecord {
  /** Simulator clock when the clear arrived, in ms. */
  atMs: number;
  /** Playback position when playback stopped, in ms of audio heard. */
  playedMs: number;
  /** Buffered audio dropped, in ms. */
  droppedMs: number;
}

/** What the simulator heard and when. */
export interface SimulatorReport {
  /** Simulator clock, in ms since the stream started. */
  clockMs: number;
  /** Inbound (caller) audio sent, in ms, including idle silence. */
  sentMs: number;
  /** Outbound audio heard (played), in ms. */
  playedMs: number;
  /** Outbound audio received and not yet played, in ms. */
  bufferedMs: number;
  /** `media` messages received. */
  receivedFrames: number;
  /** Received payloads that were not a whole number of 160-byte frames (choppy audio on a real phone). */
  partialFrames: number;
  /** Frames in which playback ran dry part-way (audio, then silence, in the same 20 ms). */
  partialTicks: number;
  /** Continuous runs of playback: when each started (clock) and where (heard position), and how long. */
  segments: { atMs: number; offsetMs: number; durationMs: number }[];
  marks: SimulatorMarkRecord[];
  clears: SimulatorClearRecord[];
  /** Problems with what the server sent (bad JSON, unknown events, wrong streamSid, bad base64). */
  errors: string[];
}

/** Events of a {@link TwilioSimulator}. */
export interface TwilioSimulatorEvents {
  /** A mark was echoed. */
  mark: [record: SimulatorMarkRecord];
  /** A clear was honoured. */
  clear: [record: SimulatorClearRecord];
  /**
   * A `media` message arrived: its bytes as received (`pcmu`, 8 kHz; yours to keep), `position` where it
   * lands in the heard stream, `info.atMs` on the simulator clock.
   */
  media: [frame: EncodedFrame, info: { atMs: number }];
  /** One 20 ms frame of the clock passed. */
  tick: [clockMs: number];
  /** The socket closed. */
  close: [code: number];
}

type QueueItem = { audio: Uint8Array; offset: number } | { mark: string };

function sid(prefix: string): string {
  return prefix + randomBytes(16).toString('hex');
}

/**
 * Stands in for Twilio in tests and load runs: connects to a media-stream server the way Twilio does
 * (signed upgrade, `connected`, `start`), streams caller audio as 20 ms mu-law frames on its own clock,
 * plays what it receives at the real-time rate (160 bytes per 20 ms of its clock) into a buffer you can
 * inspect, echoes marks when playback reaches them, honours `clear`, sends DTMF and `stop`.
 *
 * Everything it reports is measured on its own sample clock, so tests can compare positions without
 * wall-clock timing, and `speed: Infinity` runs a 30 s call in a fraction of that.
 *
 * @example
 * ```ts
 * const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${port}/media`, authToken, signatureUrl: publicUrl, speed: Infinity });
 * await sim.connect();
 * await sim.streamAudio(audioFrame(speech16k, 16000)); // caller speaks
 * await sim.until(() => sim.marks.length > 0); // bot answered and it played
 * const heard = sim.heardPcm();                // what the caller heard, 8 kHz
 * await sim.stop();                          // Twilio's `stop`: the caller hung up
 * ```
 *
 * `stop()` is the wire verb (it sends Twilio's `stop` message, then closes); `close()` releases the
 * simulator whatever its state (sending `stop` first when the stream is still open) and is idempotent.
 */
export class TwilioSimulator extends EventEmitter<TwilioSimulatorEvents> implements AsyncDisposable {
  readonly accountSid: string;
  readonly callSid: string;
  readonly streamSid: string;
  /** Clock speed (see options). */
  readonly speed: number;

  private readonly opts: TwilioSimulatorOptions;
  private ws: WebSocket | null = null;
  private seq = 0;
  private chunk = 0;
  private ticks = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | null = null;
  private t0 = 0;
  private running = false;
  private started = false;
  private closing: Promise<void> | undefined;

  // Caller side: mu-law waiting to be sent, in order.
  private source: { bytes: Uint8Array; offset: number; done: () => void }[] = [];
  private loseFrames = 0;
  private readonly frame = Buffer.alloc(FRAME_BYTES);
  private sent: Uint8Array = new Uint8Array(FRAME_BYTES * 500);
  private sentLen = 0;

  // Phone side: what the server sent, played on the clock.
  private queue: QueueItem[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private dueMarks: string[] = [];
  private heard: Uint8Array = new Uint8Array(FRAME_BYTES * 500);
  private heardLen = 0;
  private frameStart = 0;
  private frameLen = 0;
  private frameWallStart = 0;
  private playingSegment: { atMs: number; offsetMs: number; durationMs: number } | null = null;

  /** Marks echoed, in order. */
  readonly marks: SimulatorMarkRecord[] = [];
  /** Clears honoured, in order. */
  readonly clears: SimulatorClearRecord[] = [];
  /** Problems with what the server sent. */
  readonly errors: string[] = [];
  private receivedFrames = 0;
  private partialFrames = 0;
  private partialTicks = 0;
  private readonly segments: { atMs: number; offsetMs: number; durationMs: number }[] = [];
  private waiters: {
    test: () => boolean;
    resolve: () => void;
    reject: (e: Error) => void;
    maxClockMs: number;
  }[] = [];

  constructor(options: TwilioSimulatorOptions) {
    super();
    this.opts = options;
    this.accountSid = options.accountSid ?? sid('AC');
    this.callSid = options.callSid ?? sid('CA');
    this.streamSid = options.streamSid ?? sid('MZ');
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0))
      throw new TwilioStreamError('INVALID_CONFIG', `speed must be > 0, got ${this.speed}`);
  }

  /** Simulator clock: ms since the stream started (20 ms per frame). */
  get clockMs(): number {
    return this.ticks * FRAME_MS;
  }

  /**
   * Opens the WebSocket (signed when `authToken` or `signature` is given), then sends `connected` and
   * `start` (unless `autoStart: false`) and starts the clock.
   * @throws SimulatorConnectError `REFUSED` when the server refuses the upgrade (e.g. 403 for a bad
   *   signature), `CONNECT_FAILED` when it cannot be reached
   */
  connect(): Promise<void> {
    const headers: Record<string, string> = { ...this.opts.headers };
    const signature =
      this.opts.signature ??
      (this.opts.authToken
        ? computeTwilioSignature(this.opts.authToken, this.opts.signatureUrl ?? this.opts.url)
        : undefined);
    if (signature !== undefined) headers['x-twilio-signature'] = signature;
    const ws = new WebSocket(this.opts.url, { headers, perMessageDeflate: false });
    this.ws = ws;
    return new Promise<void>((resolve, reject) => {
      ws.once('unexpected-response', (req, res) => {
        res.resume();
        req.destroy();
        reject(
          new SimulatorConnectError(
            'REFUSED',
            `server refused the stream: HTTP ${res.statusCode}`,
            res.statusCode ?? 0,
          ),
        );
      });
      ws.once('error', (err) =>
        reject(
          new SimulatorConnectError('CONNECT_FAILED', `connection failed: ${err.message}`, 0, { cause: err }),
        ),
      );
      ws.once('open', () => {
        ws.on('error', (err) => this.errors.push(`socket error: ${err.message}`));
        ws.on('message', (data, isBinary) => this.onMessage(data.toString(), isBinary));
        ws.on('close', (code) => {
          this.halt();
          this.emit('close', code);
          for (const w of this.waiters.splice(0))
            w.reject(new TwilioStreamError('CLOSED', 'simulator socket closed'));
        });
        if (this.opts.autoStart ?? true) this.start();
        resolve();
      });
    });
  }

  /** Sends `connected` and `start` and starts the clock (done by `connect()` unless `autoStart: false`). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.sendJson({ event: 'connected', protocol: 'Call', version: '1.0.0' });
    this.sendJson({
      event: 'start',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      start: {
        streamSid: this.streamSid,
        accountSid: this.accountSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        customParameters: this.opts.customParameters ?? {},
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: TWILIO_SAMPLE_RATE, channels: 1 },
      },
    });
    this.startClock();
  }

  /**
   * Queues caller audio; resolves when the last of it was sent. An 8 kHz mono `pcmu` frame is sent byte for
   * byte, a `pcma` frame is transcoded, an {@link AudioFrame} at any rate is mixed to mono, resampled to 8
   * kHz and mu-law encoded. The frame's `position` is not used: audio goes out in the order it is queued.
   * @throws TwilioStreamError `INVALID_ARGUMENT` for Opus or G.711 at a rate other than 8 kHz
   */
  streamAudio(frame: AnyFrame): Promise<void> {
    if (!isEncodedFrame(frame)) {
      return this.queueMulaw(mulaw.encode(to8k(downmix(frame.data, frame.channels), frame.sampleRate)));
    }
    if (frame.codec === 'opus' || frame.sampleRate !== TWILIO_SAMPLE_RATE) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `streamAudio: a phone line carries 8 kHz G.711, got ${frame.codec} at ${frame.sampleRate} Hz`,
      );
    }
    if (frame.codec === 'pcmu' && frame.channels === 1) return this.queueMulaw(frame.data);
    const pcm = frame.codec === 'pcmu' ? mulaw.decode(frame.data) : alaw.decode(frame.data);
    return this.queueMulaw(mulaw.encode(downmix(pcm, frame.channels)));
  }

  /** @deprecated Use {@link streamAudio} with an `encodedFrame('pcmu', codes)`. */
  streamMulaw(codes: Uint8Array): Promise<void> {
    return this.queueMulaw(codes);
  }

  /** @deprecated Use {@link streamAudio} with an `audioFrame(pcm, sampleRate)`. */
  streamPcm(pcm: Int16Array, sampleRate: number): Promise<void> {
    return this.queueMulaw(mulaw.encode(to8k(pcm, sampleRate)));
  }

  private queueMulaw(codes: Uint8Array): Promise<void> {
    if (codes.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.source.push({ bytes: codes, offset: 0, done: resolve }));
  }

  /**
   * Queues a WAV file as caller audio: PCM16, float32, mu-law or A-law at any rate; several channels are
   * averaged to mono. 8 kHz mono mu-law is sent byte for byte.
   * @throws AudioFormatError (from @voxwire/codecs) for a file that is not a readable WAV
   */
  streamWav(file: Uint8Array): Promise<void> {
    const audio = wav.read(file);
    if (audio.encoding === 'mulaw' && audio.sampleRate === TWILIO_SAMPLE_RATE && audio.channels === 1) {
      return this.queueMulaw(audio.data);
    }
    const interleaved =
      audio.encoding === 'pcm16'
        ? audio.data
        : audio.encoding === 'float32'
          ? floatToInt16(audio.data)
          : audio.encoding === 'mulaw'
            ? mulaw.decode(audio.data)
            : alaw.decode(audio.data);
    return this.queueMulaw(mulaw.encode(to8k(downmix(interleaved, audio.channels), audio.sampleRate)));
  }

  /**
   * Drops the next `frames` caller frames on the way (their clock, sequence numbers and timestamps still
   * advance), to exercise gap handling.
   */
  loseNextFrames(frames: number): void {
    this.loseFrames += frames;
  }

  /** Sends a DTMF key press. */
  sendDtmf(digit: string): void {
    this.sendJson({
      event: 'dtmf',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      dtmf: { track: 'inbound_track', digit },
    });
  }

  /** Sends a raw text frame as is (to test how a server copes with bad input). */
  sendRaw(text: string): void {
    this.ws?.send(text);
  }

  /** Sends a JSON message as is. */
  sendJson(message: unknown): void {
    this.ws?.send(JSON.stringify(message));
  }

  /**
   * Releases the simulator: sends `stop` when the stream is still open (see {@link stop}), stops the clock
   * and waits for the socket to close. Idempotent.
   */
  async close(): Promise<void> {
    this.closing ??= this.stop();
    return this.closing;
  }

  /** `await using sim = new TwilioSimulator(…)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Sends Twilio's `stop` (the caller hung up), stops the clock and closes the socket. */
  async stop(): Promise<void> {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) {
      this.halt();
      return;
    }
    this.sendJson({
      event: 'stop',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      stop: { accountSid: this.accountSid, callSid: this.callSid },
    });
    this.halt();
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'stop');
    });
  }

  /**
   * Resolves once `test()` is true; checked after every frame of the clock and every message.
   * @param maxClockMs - reject when the simulator clock passes this (default: 10 minutes of call time)
   */
  until(test: () => boolean, maxClockMs = 600_000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ test, resolve, reject, maxClockMs }));
  }

  /** Advances until the simulator clock has run `ms` more (rounded up to whole frames). */
  wait(ms: number): Promise<void> {
    const target = this.clockMs + ms;
    return this.until(() => this.clockMs >= target, target + FRAME_MS);
  }

  /** Outbound audio heard so far, in ms. */
  playedMs(): number {
    return this.heardLen / BYTES_PER_MS;
  }

  /** Outbound mu-law heard so far (a copy). */
  heardMulaw(): Uint8Array {
    return this.heard.slice(0, this.heardLen);
  }

  /** Outbound audio heard so far, decoded to 8 kHz PCM. */
  heardPcm(): Int16Array {
    return mulaw.decode(this.heard.subarray(0, this.heardLen));
  }

  /** Caller audio sent so far, mu-law, including idle silence (a copy). */
  sentMulaw(): Uint8Array {
    return this.sent.slice(0, this.sentLen);
  }

  /** A snapshot of what the simulator heard and when. */
  report(): SimulatorReport {
    return {
      clockMs: this.clockMs,
      sentMs: this.sentLen / BYTES_PER_MS,
      playedMs: this.playedMs(),
      bufferedMs: this.queuedBytes / BYTES_PER_MS,
      receivedFrames: this.receivedFrames,
      partialFrames: this.partialFrames,
      partialTicks: this.partialTicks,
      segments: this.segments.map((s) => ({ ...s })),
      marks: [...this.marks],
      clears: [...this.clears],
      errors: [...this.errors],
    };
  }

  // --- clock ---

  private startClock(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = performance.now();
    this.schedule();
  }

  private halt(): void {
    this.running = false;
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
  }

  private schedule(): void {
    if (!this.running) return;
    if (this.speed === Number.POSITIVE_INFINITY) {
      this.timer = setImmediate(() => {
        this.tick();
        this.schedule();
      });
      return;
    }
    const due = this.t0 + (this.ticks * FRAME_MS) / this.speed;
    this.timer = setTimeout(
      () => {
        // Catch up whole frames after a late wake-up so the clock keeps the real-time rate on average.
        while (this.running && performance.now() >= this.t0 + (this.ticks * FRAME_MS) / this.speed)
          this.tick();
        this.schedule();
      },
      Math.max(0, due - performance.now()),
    );
  }

  /** One 20 ms frame: marks whose audio finished are echoed, one caller frame goes out, one frame plays. */
  private tick(): void {
    const atMs = this.clockMs;
    this.frameWallStart = performance.now();
    for (const name of this.dueMarks.splice(0)) this.echo(name, false);
    this.echoHeadMarks();
    this.sendCallerFrame(atMs);
    this.playFrame(atMs);
    this.ticks++;
    this.emit('tick', this.clockMs);
    this.checkWaiters();
  }

  private sendCallerFrame(atMs: number): void {
    let n = 0;
    while (n < FRAME_BYTES && this.source.length > 0) {
      const s = this.source[0];
      const take = Math.min(FRAME_BYTES - n, s.bytes.length - s.offset);
      this.frame.set(s.bytes.subarray(s.offset, s.offset + take), n);
      n += take;
      s.offset += take;
      if (s.offset === s.bytes.length) {
        this.source.shift();
        s.done();
      }
    }
    if (n === 0 && !(this.opts.idleSilence ?? true)) return;
    // The end of the source is padded with true mu-law silence, never 0x80.
    if (n < FRAME_BYTES) this.frame.fill(mulaw.silence, n);
    this.record(this.frame);
    const seq = ++this.seq;
    const chunk = ++this.chunk;
    if (this.loseFrames > 0) {
      this.loseFrames--;
      return;
    }
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(
      `{"event":"media","sequenceNumber":"${seq}","streamSid":"${this.streamSid}","media":{"track":"inbound","chunk":"${chunk}","timestamp":"${atMs}","payload":"${this.frame.toString('base64')}"}}`,
    );
  }

  private playFrame(atMs: number): void {
    this.frameStart = this.heardLen;
    let need = FRAME_BYTES;
    while (need > 0 && this.queueHead < this.queue.length) {
      const item = this.queue[this.queueHead];
      if ('mark' in item) {
        // Audio before it is playing in this frame: it is reached when this frame ends.
        this.dueMarks.push(item.mark);
        this.queueHead++;
        continue;
      }
      const take = Math.min(need, item.audio.length - item.offset);
      this.appendHeard(item.audio.subarray(item.offset, item.offset + take));
      item.offset += take;
      need -= take;
      this.queuedBytes -= take;
      if (item.offset === item.audio.length) this.queueHead++;
    }
    this.compactQueue();
    this.frameLen = FRAME_BYTES - need;
    if (this.frameLen > 0 && need > 0) this.partialTicks++;
    if (this.frameLen > 0) {
      if (!this.playingSegment) {
        this.playingSegment = { atMs, offsetMs: this.frameStart / BYTES_PER_MS, durationMs: 0 };
        this.segments.push(this.playingSegment);
      }
      this.playingSegment.durationMs += this.frameLen / BYTES_PER_MS;
    } else {
      this.playingSegment = null;
    }
  }

  private echoHeadMarks(): void {
    while (this.queueHead < this.queue.length) {
      const item = this.queue[this.queueHead];
      if (!('mark' in item)) break;
      this.queueHead++;
      this.echo(item.mark, false);
    }
    this.compactQueue();
  }

  private echo(name: string, flushed: boolean): void {
    const record = { name, atMs: this.clockMs, playedMs: this.playedMs(), flushed };
    this.marks.push(record);
    this.sendJson({
      event: 'mark',
      sequenceNumber: String(++this.seq),
      streamSid: this.streamSid,
      mark: { name },
    });
    this.emit('mark', record);
  }

  private compactQueue(): void {
    if (this.queueHead === this.queue.length) {
      this.queue = [];
      this.queueHead = 0;
    } else if (this.queueHead > 1024) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private record(frame: Uint8Array): void {
    if (this.sentLen + frame.length > this.sent.length)
      this.sent = grow(this.sent, this.sentLen + frame.length);
    this.sent.set(frame, this.sentLen);
    this.sentLen += frame.length;
  }

  private appendHeard(bytes: Uint8Array): void {
    if (this.heardLen + bytes.length > this.heard.length)
      this.heard = grow(this.heard, this.heardLen + bytes.length);
    this.heard.set(bytes, this.heardLen);
    this.heardLen += bytes.length;
  }

  private checkWaiters(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((w) => {
      if (w.test()) {
        w.resolve();
        return false;
      }
      if (this.clockMs > w.maxClockMs) {
        w.reject(
          new TwilioStreamError(
            'TIMEOUT',
            `simulator clock passed ${w.maxClockMs} ms before the condition held`,
          ),
        );
        return false;
      }
      return true;
    });
  }

  // --- what the server sends ---

  private onMessage(text: string, isBinary: boolean): void {
    if (isBinary) {
      this.errors.push('binary frame from server');
      return;
    }
    let msg: {
      event?: unknown;
      streamSid?: unknown;
      media?: { payload?: unknown };
      mark?: { name?: unknown };
    };
    try {
      msg = JSON.parse(text);
    } catch {
      this.errors.push(`malformed JSON from server: ${text.slice(0, 60)}`);
      return;
    }
    if (msg.streamSid !== this.streamSid) {
      this.errors.push(`message for stream ${String(msg.streamSid)}, expected ${this.streamSid}`);
      return;
    }
    switch (msg.event) {
      case 'media':
        this.onMedia(msg.media?.payload);
        break;
      case 'mark':
        if (typeof msg.mark?.name !== 'string') this.errors.push('mark without a name');
        else this.queue.push({ mark: msg.mark.name });
        break;
      case 'clear':
        this.onClear();
        break;
      default:
        this.errors.push(`unknown event from server: ${String(msg.event)}`);
    }
    this.checkWaiters();
  }

  private onMedia(payload: unknown): void {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(payload as string);
    } catch (err) {
      this.errors.push(`bad media payload: ${(err as Error).message}`);
      return;
    }
    this.receivedFrames++;
    if (bytes.length % FRAME_BYTES !== 0) this.partialFrames++;
    if (bytes.length === 0) return;
    this.queue.push({ audio: bytes, offset: 0 });
    this.queuedBytes += bytes.length;
    if (this.listenerCount('media') > 0) {
      const position = this.heardLen + this.queuedBytes - bytes.length;
      this.emit('media', pcmuFrame(bytes, position), { atMs: this.clockMs });
    }
  }

  private onClear(): void {
    // The frame that started playing at the last tick is cut where the clear arrives: in real time, by the
    // wall time elapsed since that tick; at `speed: Infinity`, at its start.
    const elapsed =
      this.speed === Number.POSITIVE_INFINITY ? 0 : (performance.now() - this.frameWallStart) * this.speed;
    const keep = Math.min(this.frameLen, Math.max(0, Math.floor(elapsed * BYTES_PER_MS)));
    let dropped = this.queuedBytes + (this.frameLen - keep);
    this.heardLen = this.frameStart + keep;
    if (this.playingSegment) this.playingSegment.durationMs -= (this.frameLen - keep) / BYTES_PER_MS;
    this.frameLen = keep;
    // Marks inside the cut frame or still queued are echoed at once, as flushed.
    for (const name of this.dueMarks.splice(0)) this.echo(name, true);
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const item = this.queue[i];
      if ('mark' in item) this.echo(item.mark, true);
    }
    this.queue = [];
    this.queueHead = 0;
    this.queuedBytes = 0;
    if (dropped < 0) dropped = 0;
    const record = { atMs: this.clockMs, playedMs: this.playedMs(), droppedMs: dropped / BYTES_PER_MS };
    this.clears.push(record);
    this.emit('clear', record);
  }
}

/** Resamples PCM to 8 kHz in one go (the simulator's sources are whole clips). */
function to8k(pcm: Int16Array, sampleRate: number): Int16Array {
  return resampleFrame(audioFrame(pcm, sampleRate), TWILIO_SAMPLE_RATE).data;
}

function downmix(pcm: Int16Array, channels: number): Int16Array {
  if (channels === 1) return pcm;
  const out = new Int16Array(Math.floor(pcm.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += pcm[i * channels + c];
    out[i] = Math.round(sum / channels);
  }
  return out;
}

function grow(buf: Uint8Array, need: number): Uint8Array {
  const next = new Uint8Array(Math.max(need, buf.length * 2));
  next.set(buf);
  return next;
}
