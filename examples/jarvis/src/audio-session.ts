import { randomUUID } from 'node:crypto';
import {
  type AudioFrame,
  audioFrame,
  base64ToBytes,
  bytesToInt16,
  int16ToBytes,
  resampleFrame,
} from '@voxwire/codecs';
import { NO_TRANSCRIBER_TEXT } from '@voxwire/speech';
import { EnergyVad, VadSegmenter } from '@voxwire/vad';
import WebSocket from 'ws';
import { type AudioConfig, mergeAudioConfig } from './config.js';
import type { CoreClient } from './core-client.js';
import type { SpeechEngines } from './engines/engines.js';
import { asJarvisError, JarvisError, synthesisFailure } from './errors.js';
import { LatencyStat, type SessionMetrics } from './metrics.js';
import { HighPassFilter } from './noise-filter.js';

/** Utterances waiting for STT/TTS per session before new ones are refused with a `busy` error. */
const MAX_PENDING = 4;
/** Longest utterance kept when the VAD is off (the client commits), in ms. */
const MAX_MANUAL_MS = 30000;

/** Everything a session needs from its service. */
export interface AudioSessionDeps {
  engines: SpeechEngines;
  core: CoreClient;
  now?: () => number;
}

interface Pipeline {
  filter: HighPassFilter | undefined;
  segmenter: VadSegmenter | undefined;
  /** Manual mode (VAD off): chunks kept until `commit`. */
  manual: Int16Array[];
  manualSamples: number;
  grammar: Promise<string | undefined>;
  /** Set when the pipeline is torn down: its segmenter's late events are ignored. */
  dead: boolean;
}

/**
 * One user's audio session: the WebSocket (at most one at a time), the configuration, and the pipeline
 * chunks → noise filter → VAD segmenter → STT → core service → TTS → audio chunks back. Utterances of a
 * session are handled one after another, in order; sessions share nothing but the engines.
 */
export class AudioSession {
  readonly id = `sess_${randomUUID()}`;
  readonly createdAt = new Date();
  config: AudioConfig;
  lastActivity: number;
  private ws: WebSocket | undefined;
  private token = '';
  private pipeline: Pipeline | undefined;
  private abort = new AbortController();
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private utteranceCount = 0;
  private audioInSamples = 0;
  private audioOutMs = 0;
  private chunksIn = 0;
  private errors = 0;
  private readonly stt = new LatencyStat();
  private readonly tts = new LatencyStat();
  private readonly vad = new LatencyStat();
  private readonly coreRtt = new LatencyStat();
  private readonly now: () => number;

  constructor(
    readonly userId: string,
    config: AudioConfig,
    private readonly deps: AudioSessionDeps,
  ) {
    this.config = config;
    this.now = deps.now ?? (() => performance.now());
    this.lastActivity = Date.now();
  }

  /** Whether a WebSocket is attached. */
  get connected(): boolean {
    return this.ws !== undefined;
  }

  /** Whether utterances are waiting or being processed (a busy session does not time out). */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Whether audio is being accepted (after `start_streaming`). */
  get streaming(): boolean {
    return this.pipeline !== undefined;
  }

  /** Attaches a socket (authenticated for this user); a previous socket of the user is closed. */
  attach(ws: WebSocket, token: string): void {
    if (this.ws) this.ws.close(4001, 'replaced by a newer connection');
    this.detach();
    this.ws = ws;
    this.token = token;
    this.lastActivity = Date.now();
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return;
      this.lastActivity = Date.now();
      try {
        if (isBinary) this.onAudio(data);
        else this.onText(data.toString('utf8'));
      } catch (err) {
        this.reportError(err);
      }
    });
    ws.on('close', () => {
      if (this.ws === ws) this.detach();
    });
    ws.on('error', () => {});
    this.send('status', { state: 'connected', session_id: this.id, config: this.config });
  }

  /** Closes the socket (if any) and stops all work of this session. */
  close(code = 1000, reason = 'session closed'): void {
    const ws = this.ws;
    this.detach();
    ws?.close(code, reason);
  }

  /** Metrics of this session. */
  metrics(): SessionMetrics {
    return {
      session_id: this.id,
      user_id: this.userId,
      created_at: this.createdAt.toISOString(),
      connected: this.connected,
      streaming: this.streaming,
      sample_rate: this.config.sample_rate,
      audio_in_ms: Math.round((this.audioInSamples * 1000) / this.config.sample_rate),
      chunks_in: this.chunksIn,
      utterances: this.utteranceCount,
      audio_out_ms: Math.round(this.audioOutMs),
      errors: this.errors,
      stt: this.stt.toJSON(),
      tts: this.tts.toJSON(),
      vad: this.vad.toJSON(),
      core: this.coreRtt.toJSON(),
    };
  }

  /** Drops the socket and the pipeline; in-flight STT/TTS/core calls are aborted. */
  private detach(): void {
    this.ws = undefined;
    this.stopPipeline();
    this.abort.abort();
    this.abort = new AbortController();
    this.queue = Promise.resolve();
    this.pending = 0;
  }

  private stopPipeline(): void {
    if (this.pipeline) {
      this.pipeline.dead = true;
      this.pipeline.segmenter?.reset();
    }
    this.pipeline = undefined;
  }

  private onText(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new JarvisError('INVALID_MESSAGE', 'message is not valid JSON');
    }
    if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string') {
      throw new JarvisError('INVALID_MESSAGE', 'message must be an object with a string type');
    }
    const m = msg as { type: string; config?: unknown; data?: unknown; text?: unknown };
    switch (m.type) {
      case 'start_streaming':
        this.startStreaming(m.config);
        return;
      case 'stop_streaming':
        this.stopStreaming();
        return;
      case 'audio':
        if (typeof m.data !== 'string')
          throw new JarvisError('INVALID_AUDIO', 'audio.data must be base64 PCM16');
        this.onAudio(decodeBase64Audio(m.data));
        return;
      case 'commit':
        this.commitManual();
        return;
      case 'text':
        if (typeof m.text !== 'string' || !m.text.trim() || m.text.length > 2000) {
          throw new JarvisError(
            'INVALID_MESSAGE',
            'text must be a non-empty string of at most 2000 characters',
          );
        }
        this.enqueue((id) => this.respond(id, m.text as string));
        return;
      case 'ping':
        this.send('pong', {});
        return;
      default:
        throw new JarvisError('INVALID_MESSAGE', `unknown message type ${JSON.stringify(m.type)}`);
    }
  }

  private startStreaming(input: unknown): void {
    const config = mergeAudioConfig(this.config, input); // throws before anything changes
    this.stopPipeline();
    this.config = config;
    const pipeline: Pipeline = {
      filter: config.enable_noise_reduction ? new HighPassFilter(config.sample_rate) : undefined,
      segmenter: undefined,
      manual: [],
      manualSamples: 0,
      grammar: this.loadGrammar(config),
      dead: false,
    };
    if (config.enable_vad) {
      const segmenter = new VadSegmenter({
        vad: new EnergyVad({ sampleRate: 16000 }),
        sampleRate: config.sample_rate,
        minSpeechMs: config.min_speech_ms,
        minSilenceMs: config.max_silence_ms,
        prefixPaddingMs: 300,
        maxSpeechMs: 30000,
      });
      segmenter.on(
        'speechStart',
        (e) =>
          !pipeline.dead &&
          this.send('vad', { event: 'speech_start', ms: e.ms, audio_start_ms: e.audioStartMs }),
      );
      segmenter.on('speechEnd', (e) => {
        if (pipeline.dead) return;
        this.send('vad', { event: 'speech_end', ms: e.ms, reason: e.reason });
        const startMs = Math.round((e.audioStartSample * 1000) / config.sample_rate);
        const audio = e.audio.data;
        if (audio) this.enqueue((id) => this.transcribe(id, audio, startMs, e.ms, pipeline.grammar));
      });
      pipeline.segmenter = segmenter;
    }
    this.pipeline = pipeline;
    this.send('streaming_started', { session_id: this.id, config });
  }

  private stopStreaming(): void {
    const p = this.pipeline;
    if (!p) throw new JarvisError('NOT_STREAMING', 'not streaming');
    if (p.segmenter) void p.segmenter.flush().catch((err: unknown) => this.reportError(err));
    else this.commitManual();
    this.pipeline = undefined;
    this.send('streaming_stopped', { session_id: this.id });
  }

  private onAudio(bytes: Uint8Array): void {
    const p = this.pipeline;
    if (!p) throw new JarvisError('NOT_STREAMING', 'send start_streaming before audio');
    if (bytes.length % 2 !== 0)
      throw new JarvisError(
        'INVALID_AUDIO',
        `audio has an odd byte count (${bytes.length}); expected PCM16LE`,
      );
    const pcm = bytesToInt16(bytes);
    this.chunksIn++;
    this.audioInSamples += pcm.length;
    p.filter?.process(pcm);
    if (p.segmenter) {
      const t0 = this.now();
      const frame = {
        data: pcm,
        sampleRate: this.config.sample_rate,
        channels: 1,
        position: this.audioInSamples - pcm.length,
      };
      const scored = p.segmenter.push(frame);
      // The energy VAD scores synchronously inside push; the promise settles when this chunk is done.
      void scored.then(
        () => this.vad.add(this.now() - t0),
        (err: unknown) => this.reportError(err),
      );
    } else {
      const max = (MAX_MANUAL_MS * this.config.sample_rate) / 1000;
      if (p.manualSamples + pcm.length > max) {
        this.commitManual();
        this.send('status', { state: 'committed', reason: `utterance reached ${MAX_MANUAL_MS} ms` });
      }
      p.manual.push(pcm.slice());
      p.manualSamples += pcm.length;
    }
  }

  private commitManual(): void {
    const p = this.pipeline;
    if (!p || p.segmenter)
      throw new JarvisError('INVALID_MESSAGE', 'commit is for sessions streaming with enable_vad false');
    if (p.manualSamples === 0) return;
    const audio = new Int16Array(p.manualSamples);
    let o = 0;
    for (const c of p.manual) {
      audio.set(c, o);
      o += c.length;
    }
    p.manual = [];
    p.manualSamples = 0;
    const endMs = Math.round((this.audioInSamples * 1000) / this.config.sample_rate);
    const startMs = endMs - Math.round((audio.length * 1000) / this.config.sample_rate);
    const grammar = p.grammar;
    this.enqueue((id) => this.transcribe(id, audio, startMs, endMs, grammar));
  }

  private async loadGrammar(config: AudioConfig): Promise<string | undefined> {
    if (this.deps.engines.kind !== 'offline' || config.stt_model === 'dictation') return undefined;
    try {
      return await this.deps.core.grammar(this.token, this.abort.signal);
    } catch {
      // Without the core's grammar, fall back to open dictation.
      return undefined;
    }
  }

  /** Runs utterance jobs one at a time, in order. */
  private enqueue(job: (utteranceId: string) => Promise<void>): void {
    if (this.pending >= MAX_PENDING) {
      this.reportError(
        new JarvisError('BUSY', `${MAX_PENDING} utterances are waiting; this one was dropped`),
      );
      return;
    }
    const id = `utt_${++this.utteranceCount}`;
    const signal = this.abort.signal;
    this.pending++;
    this.queue = this.queue
      .then(() => (signal.aborted ? undefined : job(id)))
      .catch((err: unknown) => {
        if (!signal.aborted) this.reportError(err);
      })
      .finally(() => {
        if (!signal.aborted) this.pending--;
      });
  }

  private async transcribe(
    id: string,
    pcm: Int16Array,
    startMs: number,
    endMs: number,
    grammarText: Promise<string | undefined>,
  ): Promise<void> {
    const signal = this.abort.signal;
    const config = this.config;
    const grammar = await grammarText;
    const transcriber = this.deps.engines.transcriber(config.stt_model, grammar);
    const t0 = this.now();
    let text: string;
    try {
      text = (
        await transcriber.transcribe(audioFrame(pcm, config.sample_rate), {
          language: config.language,
          signal,
        })
      ).trim();
    } catch (err) {
      if (signal.aborted) return;
      throw new JarvisError('STT_FAILED', `speech recognition failed: ${(err as Error).message}`);
    }
    const latency = this.now() - t0;
    this.stt.add(latency);
    if (signal.aborted) return;
    // The NullTranscriber's placeholder is not something the user said: report it instead of answering it.
    if (text === NO_TRANSCRIBER_TEXT) throw new JarvisError('STT_FAILED', text);
    this.send('stt_result', {
      utterance_id: id,
      text,
      start_ms: startMs,
      end_ms: endMs,
      audio_ms: Math.round((pcm.length * 1000) / config.sample_rate),
      latency_ms: Math.round(latency),
      engine: transcriber.name,
      final: true,
    });
    if (!text) {
      this.send('status', { state: 'no_speech_recognized', utterance_id: id });
      return;
    }
    await this.respond(id, text);
  }

  private async respond(id: string, text: string): Promise<void> {
    const signal = this.abort.signal;
    const t0 = this.now();
    const reply = await this.deps.core.chat(this.token, text, signal);
    this.coreRtt.add(this.now() - t0);
    if (signal.aborted) return;
    this.send('response', {
      utterance_id: id,
      text: reply.response,
      plugin: reply.plugin,
      command: reply.command,
    });
    await this.speak(id, reply.response);
  }

  private async speak(id: string, text: string): Promise<void> {
    const signal = this.abort.signal;
    const config = this.config;
    const { synthesizer } = this.deps.engines;
    const voice = this.deps.engines.voice(config.tts_voice);
    const t0 = this.now();
    let audio: AudioFrame;
    try {
      audio = await synthesizer.synthesize(text, { voice, speed: 1, signal });
    } catch (err) {
      if (signal.aborted) return;
      throw synthesisFailure(err);
    }
    const latency = this.now() - t0;
    this.tts.add(latency);
    if (signal.aborted || !this.ws) return;
    const pcm = resampleTo(audio.data, audio.sampleRate, config.sample_rate);
    const durationMs = (pcm.length * 1000) / config.sample_rate;
    const chunk = Math.max(1, Math.round((config.sample_rate * config.streaming_chunk_ms) / 1000));
    const chunks = Math.ceil(pcm.length / chunk);
    this.send('tts_result', {
      utterance_id: id,
      text,
      voice,
      engine: synthesizer.name,
      format: 'pcm16le',
      sample_rate: config.sample_rate,
      duration_ms: Math.round(durationMs),
      chunks,
      latency_ms: Math.round(latency),
    });
    for (let o = 0; o < pcm.length; o += chunk) {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.send(int16ToBytes(pcm.subarray(o, o + chunk)));
    }
    this.audioOutMs += durationMs;
    this.send('tts_end', { utterance_id: id, chunks });
  }

  private reportError(err: unknown): void {
    this.errors++;
    const e = asJarvisError(err);
    this.send('error', { code: e.wireCode, message: e.message });
  }

  private send(type: string, data: object): void {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) {
      this.lastActivity = Date.now();
      ws.send(JSON.stringify({ type, data, timestamp: new Date().toISOString() }));
    }
  }
}

/** Base64 audio from the wire; not base64 → `invalid_audio`. */
function decodeBase64Audio(data: string): Uint8Array {
  try {
    return base64ToBytes(data);
  } catch {
    throw new JarvisError('INVALID_AUDIO', 'audio.data is not valid base64');
  }
}

/** Resamples a whole utterance (fresh output); returns the input when the rates match. */
export function resampleTo(pcm: Int16Array, from: number, to: number): Int16Array {
  return resampleFrame(audioFrame(pcm, from), to).data;
}
