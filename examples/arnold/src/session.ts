// One client connection on /realtime/stream bridged to one realtime session (RealtimeClient) with Arnold's
// tools. Client → server: binary PCM16 24 kHz mono, JSON control (including playback reports, which place
// the cut of an interrupted reply where the client stopped playing). Server → client: binary PCM16 24 kHz
// mono (the agent's voice) and JSON events.
import { audioFrame, bytesToInt16, isEncodedFrame } from '@voxwire/codecs';
import { RealtimeClient, type RealtimeClientErrorCode, type RealtimeMetrics } from '@voxwire/realtime-client';
import type { WebSocket } from 'ws';
import type { RealtimeBackend } from './backend.js';
import { ClientInputError, type ControlMessage, checkPcmFrame, parseControl } from './client-input.js';
import { HEARTBEAT_MS, RECONNECT, sessionConfig, type VadSettings } from './config.js';
import type { MetricsRegistry } from './metrics.js';
import { ClientPlayback } from './playback.js';
import type { WorkoutStore } from './store.js';
import { runArnoldTool, TOOL_DEFINITIONS } from './tools.js';

/** JSON messages Arnold sends to its clients. */
export type ServerMessage =
  | {
      type: 'session.ready';
      backend: 'local' | 'openai';
      audio_format: { encoding: 'pcm16'; sample_rate: number; channels: 1 };
    }
  | { type: 'speech_started' }
  | { type: 'speech_stopped' }
  | { type: 'user_transcript'; item_id: string; text: string; final: boolean }
  | { type: 'agent_transcript'; item_id: string; delta: string; text: string; final: boolean }
  | { type: 'response_text'; response_id: string; text: string }
  | { type: 'audio_done'; item_id: string }
  | { type: 'interrupted'; item_id: string; played_ms: number }
  | { type: 'response_done'; response_id: string; status: string }
  /** The agent finished its turn (every tool call answered and the final response done). */
  | { type: 'turn_done' }
  | { type: 'tool_call'; call_id: string; name: string; arguments: string }
  | { type: 'tool_result'; call_id: string; name: string; output: unknown }
  | { type: 'backend_reconnecting'; attempt: number; delay_ms: number; reason: string }
  | { type: 'backend_reconnected'; attempt: number; restored_items: number; resumed_turn: boolean }
  | { type: 'pong' }
  /**
   * `code` is lowercase (`invalid_json`, `busy`, `backend_error`, …); a `backend_error` adds the realtime
   * client's code (`RealtimeClientErrorCode`, e.g. `SERVER`) as `detail_code`.
   */
  | {
      type: 'error';
      source: 'client' | 'backend';
      code: string;
      detail_code?: RealtimeClientErrorCode;
      message: string;
    };

/** Dependencies of a session. */
export interface SessionDeps {
  backend: RealtimeBackend;
  store: WorkoutStore;
  metrics: MetricsRegistry;
  voice?: string;
  /** Server VAD of the realtime session. Default: the design's (config.ts DEFAULT_VAD). */
  vad?: VadSettings;
  /** Client heartbeat interval in ms (default {@link HEARTBEAT_MS}). */
  heartbeatMs?: number;
  /** Realtime client overrides (tests: shorter reconnect delays). */
  reconnect?: typeof RECONNECT;
  /** Text turns allowed to wait behind a busy agent; one more gets a `busy` error. Default 8. */
  maxQueuedTexts?: number;
  log: (line: string) => void;
}

/** Messages allowed to wait while the backend session is being opened. */
const MAX_PENDING = 400;

/** Bridges one client WebSocket to a realtime session until either side ends. */
export class ArnoldSession {
  readonly realtime: RealtimeClient;
  /** What the client has played of the audio forwarded to it (from its `playback` reports). */
  readonly playback = new ClientPlayback();
  /** Resolves once the session has ended and everything is released. */
  readonly done: Promise<void>;
  private ready = false;
  private pending: Array<{ data: Buffer; binary: boolean }> = [];
  private turnEndedAt: number | null = null;
  /** A response (or a chain of tool-call responses) is in progress: new text turns wait for it. */
  private busy = false;
  private readonly queuedTexts: string[] = [];
  private readonly untrack: () => void;
  private heartbeat: NodeJS.Timeout | undefined;
  private alive = true;
  private finish!: () => void;
  private closed = false;
  private trackingPlayback = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly deps: SessionDeps,
  ) {
    this.done = new Promise((resolve) => {
      this.finish = resolve;
    });
    const { backend } = deps;
    this.realtime = new RealtimeClient({
      ...(backend.url ? { url: backend.url } : {}),
      ...(backend.apiKey ? { apiKey: backend.apiKey } : { apiKey: '' }),
      model: backend.model,
      session: sessionConfig(deps.voice, deps.vad),
      reconnect: deps.reconnect ?? RECONNECT,
      heartbeatIntervalMs: HEARTBEAT_MS,
    });
    const metricsOf = (): RealtimeMetrics => this.realtime.metrics();
    this.untrack = deps.metrics.track(metricsOf);
    for (const def of TOOL_DEFINITIONS)
      this.realtime.addTool(def, (args) => runArnoldTool(deps.store, def.name, args));
    this.wireRealtime();
    this.wireClient();
    this.realtime.connect().then(
      () => {
        if (this.closed) return;
        this.ready = true;
        this.send({
          type: 'session.ready',
          backend: backend.kind,
          audio_format: { encoding: 'pcm16', sample_rate: 24000, channels: 1 },
        });
        const queued = this.pending;
        this.pending = [];
        for (const m of queued) this.handle(m.data, m.binary);
      },
      (err: Error) => {
        this.deps.log(`realtime backend unavailable: ${err.message}`);
        this.send({
          type: 'error',
          source: 'backend',
          code: 'backend_unavailable',
          message: 'The realtime backend is unavailable.',
        });
        this.close(1011, 'realtime backend unavailable');
      },
    );
  }

  private send(msg: ServerMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private clientError(err: ClientInputError): void {
    this.deps.metrics.clientError();
    this.send({ type: 'error', source: 'client', code: err.wireCode, message: err.message });
  }

  private wireRealtime(): void {
    const rt = this.realtime;
    rt.on('audio', (frame, meta) => {
      // The session's output is PCM16 at 24 kHz (sessionConfig): frames are AudioFrames.
      if (isEncodedFrame(frame)) return;
      if (this.turnEndedAt !== null) {
        this.deps.metrics.latency(performance.now() - this.turnEndedAt);
        this.turnEndedAt = null;
      }
      const pcm = frame.data;
      if (this.ws.readyState !== this.ws.OPEN) return;
      this.ws.send(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      this.playback.sent(meta.itemId, pcm.length);
    });
    rt.on('audioDone', (e) => this.send({ type: 'audio_done', item_id: e.itemId }));
    rt.on('speechStarted', () => this.send({ type: 'speech_started' }));
    rt.on('speechStopped', () => {
      this.turnEndedAt = performance.now();
      this.send({ type: 'speech_stopped' });
    });
    rt.on('userTranscript', (e) =>
      this.send({ type: 'user_transcript', item_id: e.itemId, text: e.text, final: e.done }),
    );
    rt.on('transcript', (e) => {
      this.send({ type: 'agent_transcript', item_id: e.itemId, delta: e.delta, text: e.text, final: e.done });
      if (e.done) this.send({ type: 'response_text', response_id: e.responseId, text: e.text });
    });
    rt.on('response.created', () => {
      this.busy = true;
    });
    // The reply was interrupted (the client's `interrupt` message, or barge-in): the client drops what it
    // still has queued of the item.
    rt.on('interrupted', (e) => this.send({ type: 'interrupted', item_id: e.itemId, played_ms: e.playedMs }));
    rt.on('responseDone', (e) => {
      this.send({ type: 'response_done', response_id: e.responseId, status: e.status ?? 'completed' });
      // A response that called tools is followed by another once the outputs are sent.
      const calledTools = (e.response.output ?? []).some((item) => item.type === 'function_call');
      if (!calledTools || e.status !== 'completed') this.turnDone();
    });
    rt.on('toolCall', (e) => {
      this.deps.log(`tool call ${e.name} ${e.rawArguments}`);
      this.send({ type: 'tool_call', call_id: e.callId, name: e.name, arguments: e.rawArguments });
    });
    rt.on('toolResult', (e) => {
      let output: unknown = e.output;
      try {
        output = JSON.parse(e.output);
      } catch {
        // plain text output
      }
      this.send({ type: 'tool_result', call_id: e.callId, name: e.name, output });
    });
    // The wire code stays lowercase like every other one; the realtime client's own code (`SERVER`,
    // `CONNECTION`, `TOOL`, …) goes in detail_code.
    rt.on('error', (err) =>
      this.send({
        type: 'error',
        source: 'backend',
        code: 'backend_error',
        detail_code: err.code,
        message: err.message,
      }),
    );
    rt.on('reconnecting', (e) => {
      this.deps.log(
        `backend dropped (${e.reason}); reconnect attempt ${e.attempt} in ${Math.round(e.delayMs)} ms`,
      );
      this.send({
        type: 'backend_reconnecting',
        attempt: e.attempt,
        delay_ms: Math.round(e.delayMs),
        reason: e.reason,
      });
    });
    rt.on('reconnected', (e) => {
      // A response cut by the drop never completes; the restored conversation still ends with the user's
      // turn (or a tool's output), so ask again and the user gets an answer after all.
      if (this.busy) {
        this.deps.log('resuming the turn cut off by the drop');
        this.realtime.createResponse();
      }
      this.deps.log(`backend reconnected; ${e.restoredItems} conversation items restored`);
      this.send({
        type: 'backend_reconnected',
        attempt: e.attempt,
        restored_items: e.restoredItems,
        resumed_turn: this.busy,
      });
    });
    rt.on('close', (e) => {
      if (this.closed) return;
      this.send({
        type: 'error',
        source: 'backend',
        code: 'backend_closed',
        message: `The realtime backend closed (${e.code} ${e.reason}) and could not be reconnected.`,
      });
      this.close(1011, 'realtime backend closed');
    });
  }

  private wireClient(): void {
    this.ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      if (!this.ready) {
        if (this.pending.length >= MAX_PENDING) {
          this.clientError(
            new ClientInputError('INVALID_MESSAGE', 'Session not ready yet; message dropped.'),
          );
          return;
        }
        this.pending.push({ data: buf, binary: isBinary });
        return;
      }
      this.handle(buf, isBinary);
    });
    this.ws.on('pong', () => {
      this.alive = true;
    });
    this.heartbeat = setInterval(() => {
      if (!this.alive) {
        this.deps.log('client missed a heartbeat; closing');
        this.ws.terminate();
        return;
      }
      this.alive = false;
      this.ws.ping();
    }, this.deps.heartbeatMs ?? HEARTBEAT_MS);
    this.heartbeat.unref();
    this.ws.on('close', () => this.close());
    this.ws.on('error', (err) => this.deps.log(`client socket error: ${err.message}`));
  }

  private handle(data: Buffer, binary: boolean): void {
    // A message still arriving while the session closes (a late playback report, audio) has nowhere to go.
    if (this.closed) return;
    try {
      if (binary) {
        checkPcmFrame(data);
        this.realtime.appendAudio(audioFrame(bytesToInt16(data), 24000));
        return;
      }
      this.control(parseControl(data.toString('utf8')));
    } catch (err) {
      if (err instanceof ClientInputError) this.clientError(err);
      else {
        // The details stay in the server's log.
        this.deps.log(`internal error handling a client message: ${(err as Error).stack ?? err}`);
        this.send({ type: 'error', source: 'backend', code: 'internal', message: 'Internal error.' });
      }
    }
  }

  private control(msg: ControlMessage): void {
    switch (msg.type) {
      case 'text_input':
        if (!this.busy) this.sendText(msg.text);
        else if (this.queuedTexts.length < (this.deps.maxQueuedTexts ?? 8)) this.queuedTexts.push(msg.text);
        else
          throw new ClientInputError(
            'BUSY',
            `${this.queuedTexts.length} text turns are already waiting for the agent; this one was dropped.`,
          );
        break;
      case 'commit':
        this.turnEndedAt = performance.now();
        this.realtime.commit();
        this.realtime.createResponse();
        break;
      case 'playback':
        this.reportPlayback(msg.played_ms);
        break;
      case 'interrupt':
        // The realtime client truncates at what the tracker says was played: the client's latest report, or
        // (from a client that never reports) the audio sent to it, which bounds what was heard.
        if (msg.played_ms !== undefined) this.reportPlayback(msg.played_ms);
        this.realtime.interrupt();
        break;
      case 'ping':
        this.send({ type: 'pong' });
        break;
    }
  }

  /**
   * The client's playback position. The first report attaches the tracker to the realtime client, which
   * from then on truncates interrupted replies (`interrupt`, and barge-in on server VAD) at what was played;
   * a client that never reports keeps the cut at the audio sent.
   */
  private reportPlayback(playedMs: number): void {
    this.playback.report(playedMs);
    if (!this.trackingPlayback) {
      this.trackingPlayback = true;
      this.realtime.setPlayback(this.playback);
    }
  }

  private sendText(text: string): void {
    this.busy = true;
    this.turnEndedAt = performance.now();
    this.realtime.sendText(text);
  }

  private turnDone(): void {
    this.busy = false;
    this.send({ type: 'turn_done' });
    const next = this.queuedTexts.shift();
    if (next !== undefined) this.sendText(next);
  }

  /** Ends the session: closes the realtime client and the client socket. */
  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    this.closed = true;
    this.playback.end();
    clearInterval(this.heartbeat);
    this.untrack();
    this.realtime.close();
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING)
      this.ws.close(code, reason);
    this.finish();
  }
}
