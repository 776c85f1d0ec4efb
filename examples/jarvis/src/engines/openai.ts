import { type AudioFrame, audioFrame, bytesToInt16, wav } from '@voxwire/codecs';
import { VoxwireError } from '@voxwire/core';
import type { Synthesizer, Transcriber } from '@voxwire/speech';
import { openAiVoice } from './voices.js';

/** Options of the OpenAI engines. */
export interface OpenAiEngineOptions {
  apiKey: string;
  /** Default `https://api.openai.com/v1`. */
  baseUrl?: string;
  /** Per-request timeout, default 30 s. */
  timeoutMs?: number;
}

/** Whisper sizes of the design's `stt_model`: all become OpenAI's hosted model. */
const WHISPER_SIZES = new Set(['tiny', 'base', 'small', 'medium', 'large', 'commands', 'dictation']);

/** Response of `POST /audio/transcriptions` with `response_format=json`. */
interface TranscriptionResponse {
  text: string;
}

function signalWithTimeout(signal: AbortSignal, ms: number): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(ms)]);
}

/** Why an OpenAI engine failed: `REQUEST_FAILED` (OpenAI answered an HTTP error). */
export type OpenAiEngineErrorCode = 'REQUEST_FAILED';

/**
 * OpenAI answered a transcription or speech request with an HTTP error. The audio service reports it to the
 * client as `STT_FAILED` / `TTS_FAILED` (its message after `speech recognition failed: ` or `speech
 * synthesis failed: `); OpenAI's own status stays in {@link OpenAiEngineError.status}.
 */
export class OpenAiEngineError extends VoxwireError<OpenAiEngineErrorCode> {
  /**
   * @param status - OpenAI's HTTP status
   * @param body - the start of OpenAI's answer; the message is `OpenAI <status>: <body>`
   */
  constructor(
    readonly status: number,
    body: string,
  ) {
    super('REQUEST_FAILED', `OpenAI ${status}: ${body}`);
  }
}

async function failure(res: Response): Promise<OpenAiEngineError> {
  const body = await res.text().catch(() => '');
  return new OpenAiEngineError(res.status, body.slice(0, 300));
}

/** Speech to text with OpenAI's `POST /v1/audio/transcriptions` (the utterance sent as a WAV in memory). */
export class OpenAiTranscriber implements Transcriber {
  readonly name = 'openai';
  private readonly base: string;
  private readonly timeoutMs: number;

  /** @param model - `whisper-1`, `gpt-4o-mini-transcribe`, …; Whisper sizes mean `whisper-1`. */
  constructor(
    private readonly options: OpenAiEngineOptions,
    readonly model = 'whisper-1',
  ) {
    this.base = (options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 30000;
    if (WHISPER_SIZES.has(model)) this.model = 'whisper-1';
  }

  async transcribe(audio: AudioFrame, options: { language?: string; signal: AbortSignal }): Promise<string> {
    const form = new FormData();
    const file = wav.write({ sampleRate: audio.sampleRate, channels: audio.channels, data: audio.data });
    form.append('file', new Blob([new Uint8Array(file)], { type: 'audio/wav' }), 'utterance.wav');
    form.append('model', this.model);
    if (options.language) form.append('language', options.language.slice(0, 2));
    const res = await fetch(`${this.base}/audio/transcriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.apiKey}` },
      body: form,
      signal: signalWithTimeout(options.signal, this.timeoutMs),
    });
    if (!res.ok) throw await failure(res);
    return ((await res.json()) as TranscriptionResponse).text.trim();
  }
}

/** Text to speech with OpenAI's `POST /v1/audio/speech` as raw PCM (24 kHz, 16-bit, mono). */
export class OpenAiSynthesizer implements Synthesizer {
  readonly name = 'openai';
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: OpenAiEngineOptions,
    readonly model = 'gpt-4o-mini-tts',
  ) {
    this.base = (options.baseUrl ?? 'https://api.openai.com/v1').replace(/\/$/, '');
    this.timeoutMs = options.timeoutMs ?? 30000;
  }

  async synthesize(
    text: string,
    options: { voice: string; speed: number; signal: AbortSignal },
  ): Promise<AudioFrame> {
    const res = await fetch(`${this.base}/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.options.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: this.model,
        input: text,
        voice: openAiVoice(options.voice),
        speed: options.speed,
        response_format: 'pcm',
      }),
      signal: signalWithTimeout(options.signal, this.timeoutMs),
    });
    if (!res.ok) throw await failure(res);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return audioFrame(bytesToInt16(bytes.subarray(0, bytes.length & ~1)), 24000);
  }
}
