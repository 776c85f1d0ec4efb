// arnold-client: talks to an Arnold server from a terminal. The microphone (via @voxwire/wasapi) is streamed
// as PCM16 24 kHz; Arnold's voice is played; typed lines are sent as text (the fallback when there is no
// microphone, or when speech is not understood). A volume meter shows the microphone level.
import { createInterface, type Interface } from 'node:readline';
import { bytesToInt16 } from '@voxwire/codecs';
import { VoxwireError } from '@voxwire/core';
import { backoffDelay, DEFAULT_RECONNECT, type ReconnectOptions } from '@voxwire/realtime-client';
import { AudioCapture, AudioPlayback, type BackendName } from '@voxwire/wasapi';
import WebSocket from 'ws';
import { VolumeMeter } from './meter.js';

/** Options of {@link ArnoldCli}. */
export interface ArnoldCliOptions {
  /** Arnold's HTTP base URL. */
  url: string;
  /** Bearer token of a server started with ARNOLD_TOKEN. */
  token?: string;
  /** Use the microphone and speaker. Default true. */
  audio?: boolean;
  /** Audio backend (`pulse`, `null`, …); default @voxwire/wasapi's choice. */
  audioBackend?: BackendName;
  /** Capture device id (e.g. `null:tone-440`). */
  inputDevice?: string;
  /** Reconnection after a drop. Default {@link CLIENT_RECONNECT}. */
  reconnect?: ReconnectOptions;
  /** Draw the volume meter. Default: when stderr is a terminal. */
  meter?: boolean;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  /** Where the meter is drawn. Default stderr. */
  meterOutput?: NodeJS.WritableStream & { isTTY?: boolean };
}

type Msg = { type: string; [key: string]: unknown };

/**
 * Why {@link ArnoldCli} could not open a session: `SESSION_REFUSED` (`POST /realtime/session/start` answered
 * an HTTP error, e.g. 401 without the server's token) or `CLOSED` (the WebSocket closed before
 * `session.ready`).
 */
export type ArnoldCliErrorCode = 'SESSION_REFUSED' | 'CLOSED';

/** The terminal client could not open a session; the message says what the server answered. */
export class ArnoldCliError extends VoxwireError<ArnoldCliErrorCode> {
  /** The HTTP status of a `SESSION_REFUSED`. */
  readonly status?: number;
  /** The WebSocket close code of a `CLOSED`. */
  readonly closeCode?: number;

  /**
   * @param code - `SESSION_REFUSED` or `CLOSED`
   * @param message - shown to the user as is (`HTTP 401: …`, `closed (1011) before the session was ready`)
   * @param details - the HTTP status or the WebSocket close code
   */
  constructor(
    code: ArnoldCliErrorCode,
    message: string,
    details: { status?: number; closeCode?: number } = {},
  ) {
    super(code, message);
    if (details.status !== undefined) this.status = details.status;
    if (details.closeCode !== undefined) this.closeCode = details.closeCode;
  }
}

/** The client's reconnect policy: 1 s doubling (with jitter) up to 30 s, 10 attempts. */
export const CLIENT_RECONNECT: Readonly<Required<ReconnectOptions>> = {
  ...DEFAULT_RECONNECT,
  maxRetries: 10,
  maxDelayMs: 30000,
};

/** The terminal client. */
export class ArnoldCli {
  private ws: WebSocket | undefined;
  private mic: AudioCapture | undefined;
  private speaker: AudioPlayback | undefined;
  /** Arnold's audio not yet taken by the device ring (dropped on barge-in). */
  private queue: Buffer[] = [];
  private queueOffset = 0;
  private rl: Interface | undefined;
  private meterTimer: NodeJS.Timeout | undefined;
  private readonly meter = new VolumeMeter();
  private playedBytes = 0;
  /** Samples of Arnold's voice dropped from {@link queue} before reaching the device (barge-in). */
  private droppedSamples = 0;
  /** Samples received before the current connection: where its stream starts in our count. */
  private streamStart = 0;
  /** The last `played_ms` reported on the current connection. */
  private lastReport = -1;
  private reportTimer: NodeJS.Timeout | undefined;
  /** {@link playedBytes} when playback last caught up with everything received (nothing new to report). */
  private caughtUpAt = -1;
  private pendingTurns = 0;
  private idleWaiters: Array<() => void> = [];
  private stopping: Promise<void> | undefined;
  private readonly out: NodeJS.WritableStream;

  constructor(private readonly opts: ArnoldCliOptions) {
    this.out = opts.output ?? process.stdout;
  }

  private print(line: string): void {
    this.out.write(`${line}\n`);
  }

  /** Starts the session; resolves when connected. */
  async start(): Promise<void> {
    const rate = await this.connect();
    if (this.opts.audio !== false) this.openAudio(rate);
    this.rl = createInterface({ input: this.opts.input ?? process.stdin, terminal: false });
    this.rl.on('line', (line) => this.typed(line));
    this.print(
      this.mic
        ? 'Connected. Speak, or type a message and press Enter (Ctrl-C quits).'
        : 'Connected (text mode). Type a message and press Enter (Ctrl-C quits).',
    );
  }

  /** Opens a session (POST /realtime/session/start, then the WebSocket); resolves with its sample rate. */
  private async connect(): Promise<number> {
    const auth: Record<string, string> = this.opts.token
      ? { authorization: `Bearer ${this.opts.token}` }
      : {};
    const res = await fetch(`${this.opts.url}/realtime/session/start`, { method: 'POST', headers: auth });
    if (!res.ok)
      throw new ArnoldCliError(
        'SESSION_REFUSED',
        `HTTP ${res.status}: ${((await res.json()) as { error?: string }).error ?? ''}`,
        { status: res.status },
      );
    const session = (await res.json()) as { websocket_url: string; audio_format: { sample_rate: number } };
    const ws = new WebSocket(new URL(session.websocket_url, this.opts.url.replace(/^http/, 'ws')), {
      headers: auth,
    });
    this.ws = ws;
    // A new connection is a new stream: its audio starts after everything received so far.
    this.streamStart = this.playedBytes / 2;
    this.lastReport = -1;
    await new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', (code) =>
        reject(
          new ArnoldCliError('CLOSED', `closed (${code}) before the session was ready`, { closeCode: code }),
        ),
      );
      ws.on('message', (data, isBinary) => {
        if (isBinary) this.play(data as Buffer);
        else {
          const msg = JSON.parse(String(data)) as Msg;
          if (msg.type === 'session.ready') resolve();
          this.show(msg);
        }
      });
    });
    ws.removeAllListeners('error');
    ws.removeAllListeners('close');
    ws.on('error', () => {}); // followed by 'close'
    ws.on('close', () => {
      if (!this.stopping && this.ws === ws) void this.reconnect();
    });
    return session.audio_format.sample_rate;
  }

  /**
   * The connection dropped (server restart, network): reconnect with exponential backoff; give up (and
   * stop) after the policy's retries. Turns in flight are lost and said so.
   */
  private async reconnect(): Promise<void> {
    const policy = { ...CLIENT_RECONNECT, ...this.opts.reconnect };
    if (this.pendingTurns > 0) {
      this.print(`(${this.pendingTurns} unanswered message(s) lost with the connection; say them again)`);
      this.pendingTurns = 0;
      for (const w of this.idleWaiters.splice(0)) w();
    }
    for (let attempt = 1; attempt <= policy.maxRetries && !this.stopping; attempt++) {
      const delay = backoffDelay(policy, attempt);
      this.print(
        `(connection to Arnold lost; reconnecting in ${(delay / 1000).toFixed(1)} s, attempt ${attempt})`,
      );
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.stopping) return;
      try {
        await this.connect();
        this.print('(reconnected to Arnold)');
        return;
      } catch (err) {
        this.print(`(reconnect failed: ${(err as Error).message})`);
      }
    }
    if (!this.stopping) {
      this.print('connection closed; giving up');
      void this.stop();
    }
  }

  private openAudio(rate: number): void {
    const backend = this.opts.audioBackend;
    try {
      this.speaker = new AudioPlayback({ sampleRate: rate, channels: 1, format: 's16', backend });
      this.speaker.start();
      this.speaker.on('drain', () => this.pump());
      // Tell the server how far playback has got (and once more when it reaches the end), so a reply
      // interrupted by talking over Arnold is cut where the speaker stopped, not where the server stopped
      // sending.
      this.reportTimer = setInterval(() => this.reportPlayback(), 100);
      this.reportTimer.unref();
    } catch (err) {
      this.print(`no speaker (${(err as Error).message}); replies are shown as text only`);
      this.speaker = undefined;
    }
    try {
      const mic = new AudioCapture({
        sampleRate: rate,
        channels: 1,
        format: 's16',
        periodMs: 20,
        backend,
        deviceId: this.opts.inputDevice,
      });
      mic.on('audio', (frame) => {
        const pcm = frame.data;
        this.meter.push(pcm);
        if (this.ws?.readyState === WebSocket.OPEN)
          this.ws.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      });
      mic.on('error', (err) => this.print(`microphone error: ${err.message}; type instead`));
      mic.start();
      this.mic = mic;
    } catch (err) {
      this.print(`no microphone (${(err as Error).message}); type your messages instead`);
    }
    const meterOut = this.opts.meterOutput ?? process.stderr;
    if (this.mic && (this.opts.meter ?? meterOut.isTTY === true)) {
      this.meterTimer = setInterval(() => meterOut.write(`\r${this.meter.render()}`), 100);
    }
  }

  private play(data: Buffer): void {
    this.playedBytes += data.length;
    if (!this.speaker) return;
    this.queue.push(data);
    if (this.queue.length === 1) this.pump();
  }

  /** Moves queued audio into the device ring as far as it has room; the rest waits for `drain`. */
  private pump(): void {
    const speaker = this.speaker;
    if (!speaker || speaker.state === 'closed') return;
    while (this.queue.length > 0) {
      const head = this.queue[0];
      const pcm = bytesToInt16(head.subarray(this.queueOffset));
      const frames = speaker.write({ data: pcm, sampleRate: speaker.sampleRate, channels: 1, position: 0 });
      this.queueOffset += frames * 2;
      if (this.queueOffset < head.length) return;
      this.queue.shift();
      this.queueOffset = 0;
    }
  }

  /** Barge-in: the user started talking, so drop what Arnold has not said yet, in our queue and the device's. */
  private dropPlayback(): void {
    for (const b of this.queue) this.droppedSamples += b.length / 2;
    this.droppedSamples -= this.queueOffset / 2;
    this.queue = [];
    this.queueOffset = 0;
    if (this.speaker && this.speaker.state !== 'closed') this.speaker.clear();
  }

  /**
   * Samples of Arnold's voice (since the client started) the speaker has played or that were dropped
   * unplayed: the device's played frames (its position minus the silence it filled in, minus what is still
   * in the device's own buffer), the frames `clear()` dropped from its ring, and what was dropped from our
   * queue. Undefined without a speaker.
   */
  private consumedSamples(): number | undefined {
    if (!this.speaker || this.speaker.state === 'closed') return undefined;
    const st = this.speaker.stats();
    // The device plays a frame about deviceLatencyMs after taking it. While his voice is still queued in the
    // ring, the newest frames it took are voice the user has not heard yet: a barge-in must not count them.
    // Once the ring has run dry it takes silence, and what it took before is heard by then.
    const unheard = st.bufferedFrames > 0 ? Math.round((st.deviceLatencyMs * st.sampleRate) / 1000) : 0;
    const played = Math.max(0, st.position - st.silenceFrames - unheard);
    const consumed = played + st.clearedFrames + this.droppedSamples;
    return Math.min(consumed, this.playedBytes / 2);
  }

  /** Sends `{"type":"playback","played_ms"}` when the position on this connection has moved. */
  private reportPlayback(): void {
    if (this.caughtUpAt === this.playedBytes || this.ws?.readyState !== WebSocket.OPEN) return;
    const consumed = this.consumedSamples();
    const rate = this.speaker?.sampleRate;
    if (consumed === undefined || !rate) return;
    const played = Math.floor((Math.max(0, consumed - this.streamStart) * 1000) / rate);
    if (consumed >= this.playedBytes / 2) this.caughtUpAt = this.playedBytes;
    if (played === this.lastReport) return;
    this.lastReport = played;
    this.ws.send(JSON.stringify({ type: 'playback', played_ms: played }));
  }

  private typed(line: string): void {
    const text = line.trim();
    if (!text) return;
    if (text === '/quit' || text === '/exit') {
      void this.stop();
      return;
    }
    if (this.ws?.readyState !== WebSocket.OPEN) {
      this.print('(not connected to Arnold right now; say it again once reconnected)');
      return;
    }
    this.pendingTurns++;
    this.ws.send(JSON.stringify({ type: 'text_input', text }));
  }

  private show(msg: Msg): void {
    switch (msg.type) {
      case 'user_transcript':
        if (msg.final && String(msg.text).trim()) this.print(`you:    ${String(msg.text)}`);
        break;
      case 'response_text':
        this.print(`arnold: ${String(msg.text)}`);
        break;
      case 'tool_call':
        this.print(`  [${String(msg.name)} ${String(msg.arguments)}]`);
        break;
      case 'speech_started':
        // Barge-in: the user talks over Arnold; the server cancels the reply (and says `interrupted`).
        this.dropPlayback();
        break;
      case 'interrupted':
        this.dropPlayback();
        this.print(`(interrupted after ${(Number(msg.played_ms) / 1000).toFixed(1)} s)`);
        break;
      case 'response_done':
        break;
      case 'audio_done':
        break;
      case 'error':
        this.print(`error: ${String(msg.code)}: ${String(msg.message)}`);
        break;
      case 'backend_reconnecting':
        this.print(`(connection to the model lost; reconnecting, attempt ${String(msg.attempt)})`);
        break;
      case 'backend_reconnected':
        this.print('(reconnected)');
        break;
    }
    const answered = msg.type === 'turn_done' || (msg.type === 'error' && msg.source === 'client');
    if (answered && this.pendingTurns > 0) {
      this.pendingTurns--;
      if (this.pendingTurns === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Resolves when every typed message has been answered. */
  idle(): Promise<void> {
    if (this.pendingTurns === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Resolves when every received bit of Arnold's voice has been played (at once without a speaker). */
  async finishPlayback(): Promise<void> {
    const speaker = this.speaker;
    if (!speaker) return;
    while (this.queue.length > 0 && speaker.state !== 'closed')
      await new Promise<void>((resolve) => speaker.once('drain', () => resolve()));
    if (speaker.state !== 'closed') await speaker.drained();
  }

  /** Seconds of Arnold's voice the speaker has played (its frames minus the silence it filled in). */
  get speakerSeconds(): number {
    if (!this.speaker || this.speaker.state === 'closed') return this.playedOnClose;
    const st = this.speaker.stats();
    return (st.position - st.silenceFrames) / 24000;
  }

  private playedOnClose = 0;

  /** Seconds of Arnold's voice received for playback. */
  get playedSeconds(): number {
    return this.playedBytes / 2 / 24000;
  }

  /** Stops capture and playback and closes the connection (idempotent). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.meterTimer);
      clearInterval(this.reportTimer);
      if (this.meterTimer) (this.opts.meterOutput ?? process.stderr).write('\n');
      this.rl?.close();
      this.mic?.close();
      this.playedOnClose = this.speakerSeconds;
      this.speaker?.close();
      const ws = this.ws;
      if (ws && ws.readyState !== WebSocket.CLOSED) {
        await new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close(1000, 'client quit');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2000).unref();
        });
      }
      for (const w of this.idleWaiters.splice(0)) w();
      const played = this.speaker ? `, played ${this.playedOnClose.toFixed(1)} s` : '';
      this.print(`bye (received ${this.playedSeconds.toFixed(1)} s of Arnold's voice${played})`);
    })();
    return this.stopping;
  }
}
