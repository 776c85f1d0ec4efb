// The older one-shot HTTP endpoints, kept for compatibility (higher latency than the WebSocket): each runs a
// short realtime session on the same backend (local or OpenAI), so they need no separate STT/TTS service.
//   POST /audio/transcribe              body: WAV            → { text }
//   POST /audio/tts                     body: {text, voice?} → { text, sample_rate, audio_base64 (WAV) }
//   POST /audio/process-voice-command   body: WAV            → { transcript, response_text, tool_calls, audio_base64 }
import { audioFrame, floatToInt16, isEncodedFrame, wav } from '@voxwire/codecs';
import { VoxwireError } from '@voxwire/core';
import { RealtimeClient, type SessionUpdate } from '@voxwire/realtime-client';
import type { RealtimeBackend } from './backend.js';
import { sessionConfig } from './config.js';
import { type ArnoldLimits, DEFAULT_LIMITS } from './limits.js';
import { READ_ALOUD_INSTRUCTIONS } from './responder.js';
import type { WorkoutStore } from './store.js';
import { runArnoldTool, TOOL_DEFINITIONS } from './tools.js';

/** Why an `/audio/*` request failed; each code answers with one HTTP status ({@link AudioEndpointError.status}). */
export type AudioEndpointErrorCode =
  /** 400: a malformed or out-of-range request (not a WAV, bad JSON, a clip too short, a bad voice name). */
  | 'INVALID_ARGUMENT'
  /** 404: no such endpoint. */
  | 'NOT_FOUND'
  /** 413: a body, clip or text over its limit. */
  | 'LIMIT_EXCEEDED'
  /** 415: a WAV encoding other than PCM16 or float. */
  | 'UNSUPPORTED_ENCODING'
  /** 499: the HTTP client went away before the answer. */
  | 'CLIENT_GONE'
  /** 502: the realtime backend refused the request, failed or closed. */
  | 'BACKEND_FAILED'
  /** 504: the realtime backend did not answer within `audioJobTimeoutMs`. */
  | 'TIMEOUT';

/** HTTP status answered for each code. */
const STATUS: Record<AudioEndpointErrorCode, number> = {
  INVALID_ARGUMENT: 400,
  NOT_FOUND: 404,
  LIMIT_EXCEEDED: 413,
  UNSUPPORTED_ENCODING: 415,
  CLIENT_GONE: 499,
  BACKEND_FAILED: 502,
  TIMEOUT: 504,
};

/**
 * A refused or failed `/audio/*` request. The client gets {@link status} and `{ error: message }`; the code
 * is not sent.
 */
export class AudioEndpointError extends VoxwireError<AudioEndpointErrorCode> {
  /** The HTTP status answered (400, 404, 413, 415, 499, 502 or 504: one per code). */
  readonly status: number;

  /**
   * @param code - e.g. `INVALID_ARGUMENT` (400), `LIMIT_EXCEEDED` (413); it sets {@link status}
   * @param message - what was wrong, sent to the client as `{ error: message }`
   */
  constructor(code: AudioEndpointErrorCode, message: string) {
    super(code, message);
    this.status = STATUS[code];
  }
}

interface Deps {
  backend: RealtimeBackend;
  store: WorkoutStore;
  voice?: string;
  limits: Pick<ArnoldLimits, 'maxTtsChars' | 'maxClipMs' | 'minClipMs' | 'audioJobTimeoutMs'>;
}

/** A voice name: short, letters, digits and a few separators. */
const VOICE = /^[\w.+-]{1,64}$/;
/** Sample rates a clip may have (the resampler's range; 1 Hz "audio" is refused, not resampled). */
const MIN_RATE = 8000;
const MAX_RATE = 192000;
const MAX_CHANNELS = 8;

/** Decodes a WAV body to mono PCM16 with its rate; anything malformed or out of range is a 4xx. */
export function decodeWavBody(
  body: Buffer,
  limits: Pick<ArnoldLimits, 'maxClipMs' | 'minClipMs'> = DEFAULT_LIMITS,
): { pcm: Int16Array; sampleRate: number } {
  let audio: ReturnType<typeof wav.read>;
  try {
    audio = wav.read(body);
  } catch (err) {
    throw new AudioEndpointError(
      'INVALID_ARGUMENT',
      `Expected a WAV file: ${(err as Error).message.slice(0, 200)}`,
    );
  }
  if (!Number.isInteger(audio.sampleRate) || audio.sampleRate < MIN_RATE || audio.sampleRate > MAX_RATE)
    throw new AudioEndpointError(
      'INVALID_ARGUMENT',
      `WAV sample rate ${audio.sampleRate} Hz is not supported; send ${MIN_RATE}–${MAX_RATE} Hz.`,
    );
  if (!Number.isInteger(audio.channels) || audio.channels < 1 || audio.channels > MAX_CHANNELS)
    throw new AudioEndpointError(
      'INVALID_ARGUMENT',
      `WAV with ${audio.channels} channels; send 1 to ${MAX_CHANNELS}.`,
    );
  const ms = Math.floor((audio.data.length / audio.channels / audio.sampleRate) * 1000);
  if (ms < limits.minClipMs)
    throw new AudioEndpointError(
      'INVALID_ARGUMENT',
      `The clip is ${ms} ms long; send at least ${limits.minClipMs} ms.`,
    );
  if (ms > limits.maxClipMs)
    throw new AudioEndpointError(
      'LIMIT_EXCEEDED',
      `The clip is ${ms} ms long; the limit is ${limits.maxClipMs} ms.`,
    );
  let interleaved: Int16Array;
  if (audio.encoding === 'pcm16') interleaved = audio.data;
  else if (audio.encoding === 'float32') interleaved = floatToInt16(audio.data);
  else
    throw new AudioEndpointError(
      'UNSUPPORTED_ENCODING',
      `WAV encoding ${audio.encoding} is not supported; send PCM16 or float.`,
    );
  const ch = audio.channels;
  if (ch === 1) return { pcm: interleaved, sampleRate: audio.sampleRate };
  const mono = new Int16Array(Math.floor(interleaved.length / ch));
  for (let i = 0; i < mono.length; i++) {
    let sum = 0;
    for (let c = 0; c < ch; c++) sum += interleaved[i * ch + c];
    mono[i] = Math.round(sum / ch);
  }
  return { pcm: mono, sampleRate: audio.sampleRate };
}

function concat(chunks: Int16Array[]): Int16Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Int16Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Runs `body` with a connected one-shot client, closing it afterwards. It ends (and releases the backend
 * session) when the body is done, when the backend reports an error or closes, when the caller's `signal`
 * aborts (the HTTP client went away), or after `audioJobTimeoutMs`.
 */
async function withClient<T>(
  deps: Deps,
  session: SessionUpdate,
  signal: AbortSignal,
  body: (client: RealtimeClient) => Promise<T>,
): Promise<T> {
  const client = new RealtimeClient({
    ...(deps.backend.url ? { url: deps.backend.url } : {}),
    apiKey: deps.backend.apiKey ?? '',
    model: deps.backend.model,
    session,
    reconnect: false,
  });
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const fail = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AudioEndpointError('TIMEOUT', 'The realtime backend did not answer in time.')),
      deps.limits.audioJobTimeoutMs,
    );
    onAbort = () => reject(new AudioEndpointError('CLIENT_GONE', 'The client went away.'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    client.on('close', (e) =>
      reject(new AudioEndpointError('BACKEND_FAILED', `Realtime backend closed: ${e.code} ${e.reason}`)),
    );
    // A refused commit or a failed transcription never produces the awaited event: answer now.
    client.on('error', (e) =>
      reject(
        new AudioEndpointError(
          'BACKEND_FAILED',
          `The realtime backend refused the request (${e.serverError?.code ?? e.code}).`,
        ),
      ),
    );
    client.on('event', (e) => {
      if (e.type === 'conversation.item.input_audio_transcription.failed')
        reject(new AudioEndpointError('BACKEND_FAILED', 'Speech recognition failed on this clip.'));
    });
  });
  fail.catch(() => {});
  try {
    await Promise.race([client.connect(), fail]);
    return await Promise.race([body(client), fail]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
    client.close();
  }
}

function manualTurns(base: SessionUpdate): SessionUpdate {
  return { ...base, audio: { ...base.audio, input: { ...base.audio?.input, turn_detection: null } } };
}

/** Handles `POST /audio/*`; `signal` aborts when the HTTP client goes away. */
export async function handleAudioEndpoint(
  path: string,
  body: Buffer,
  deps: Deps,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  switch (path) {
    case '/audio/transcribe': {
      const { pcm, sampleRate } = decodeWavBody(body, deps.limits);
      return withClient(deps, manualTurns(sessionConfig(deps.voice)), signal, async (client) => {
        const done = new Promise<string>((resolve) =>
          client.on('userTranscript', (e) => {
            if (e.done) resolve(e.text);
          }),
        );
        client.appendAudio(audioFrame(pcm, sampleRate));
        client.commit();
        return { text: await done };
      });
    }
    case '/audio/tts': {
      let req: { text?: unknown; voice?: unknown };
      try {
        req = JSON.parse(body.toString('utf8')) as { text?: unknown; voice?: unknown };
      } catch {
        throw new AudioEndpointError('INVALID_ARGUMENT', 'Expected JSON {"text": "...", "voice"?: "alloy"}.');
      }
      if (req === null || typeof req !== 'object' || Array.isArray(req))
        throw new AudioEndpointError(
          'INVALID_ARGUMENT',
          'Expected a JSON object {"text": "...", "voice"?: "alloy"}.',
        );
      if (typeof req.text !== 'string' || req.text.trim() === '')
        throw new AudioEndpointError('INVALID_ARGUMENT', '"text" must be a non-empty string.');
      if (req.text.length > deps.limits.maxTtsChars)
        throw new AudioEndpointError(
          'LIMIT_EXCEEDED',
          `"text" is ${req.text.length} characters; the limit is ${deps.limits.maxTtsChars}.`,
        );
      const text = req.text.trim();
      if (req.voice !== undefined && (typeof req.voice !== 'string' || !VOICE.test(req.voice)))
        throw new AudioEndpointError('INVALID_ARGUMENT', '"voice" must be a voice name such as "alloy".');
      const voice = typeof req.voice === 'string' ? req.voice : deps.voice;
      const session = { ...manualTurns(sessionConfig(voice)), instructions: READ_ALOUD_INSTRUCTIONS };
      return withClient(deps, session, signal, async (client) => {
        const chunks: Int16Array[] = [];
        client.on('audio', (f) => {
          if (!isEncodedFrame(f)) chunks.push(f.data);
        });
        const done = new Promise<void>((resolve) => client.on('responseDone', () => resolve()));
        client.sendText(text);
        await done;
        const pcm = concat(chunks);
        return {
          text,
          sample_rate: 24000,
          duration_ms: Math.round(pcm.length / 24),
          audio_base64: wav.write({ sampleRate: 24000, channels: 1, data: pcm }).toString('base64'),
        };
      });
    }
    case '/audio/process-voice-command': {
      const { pcm, sampleRate } = decodeWavBody(body, deps.limits);
      return withClient(deps, manualTurns(sessionConfig(deps.voice)), signal, async (client) => {
        for (const def of TOOL_DEFINITIONS)
          client.addTool(def, (args) => runArnoldTool(deps.store, def.name, args));
        const chunks: Int16Array[] = [];
        const toolCalls: Array<{ name: string; arguments: string; output?: unknown }> = [];
        let transcript = '';
        let responseText = '';
        client.on('audio', (f) => {
          if (!isEncodedFrame(f)) chunks.push(f.data);
        });
        client.on('userTranscript', (e) => {
          if (e.done) transcript = e.text;
        });
        client.on('transcript', (e) => {
          if (e.done) responseText = e.text;
        });
        client.on('toolCall', (e) => toolCalls.push({ name: e.name, arguments: e.rawArguments }));
        client.on('toolResult', (e) => {
          const call = toolCalls.find((c) => c.name === e.name && c.output === undefined);
          if (!call) return;
          try {
            call.output = JSON.parse(e.output) as unknown;
          } catch {
            call.output = e.output;
          }
        });
        // A response that called tools is followed by another (the client answers the calls and asks again).
        const finished = new Promise<void>((resolve) =>
          client.on('responseDone', (e) => {
            if (!(e.response.output ?? []).some((item) => item.type === 'function_call')) resolve();
          }),
        );
        client.appendAudio(audioFrame(pcm, sampleRate));
        client.commit();
        client.createResponse();
        await finished;
        return {
          transcript,
          response_text: responseText,
          tool_calls: toolCalls,
          sample_rate: 24000,
          audio_base64: wav
            .write({ sampleRate: 24000, channels: 1, data: concat(chunks) })
            .toString('base64'),
        };
      });
    }
    default:
      throw new AudioEndpointError(
        'NOT_FOUND',
        `No endpoint ${path}; try /audio/transcribe, /audio/tts or /audio/process-voice-command.`,
      );
  }
}
