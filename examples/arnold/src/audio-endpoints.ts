// The older one-shot HTTP endpoints, kept for compatibility (higher latency than the WebSocket): each runs a
// short realtime session on the same backend (local or OpenAI), so they need no separate STT/TTS service.
//   POST /audio/transcribe              body: WAV            → { text }
//   POST /audio/tts                     body: {text, voice?} → { text, sample_rate, audio_base64 (WAV) }
//   POST /audio/process-voice-command   body: WAV            → { transcript, response_text, tool_calls, audio_base64 }
import type { IncomingMessage } from 'node:http';
import { floatToInt16, wav } from '@voxwire/codecs';
import { RealtimeClient, type SessionUpdate } from '@voxwire/realtime-client';
import type { RealtimeBackend } from './backend.js';
import { sessionConfig } from './config.js';
import { READ_ALOUD_INSTRUCTIONS } from './responder.js';
import type { WorkoutStore } from './store.js';
import { runArnoldTool, TOOL_DEFINITIONS } from './tools.js';

/** An HTTP error with its status. */
export class AudioEndpointError extends Error {
  override readonly name = 'AudioEndpointError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Deps {
  backend: RealtimeBackend;
  store: WorkoutStore;
  voice?: string;
}

const TIMEOUT_MS = 90000;

/** Decodes a WAV body to mono PCM16 with its rate. */
export function decodeWavBody(body: Buffer): { pcm: Int16Array; sampleRate: number } {
  let audio: ReturnType<typeof wav.read>;
  try {
    audio = wav.read(body);
  } catch (err) {
    throw new AudioEndpointError(400, `Expected a WAV file: ${(err as Error).message}`);
  }
  let interleaved: Int16Array;
  if (audio.encoding === 'pcm16') interleaved = audio.data;
  else if (audio.encoding === 'float32') interleaved = floatToInt16(audio.data);
  else
    throw new AudioEndpointError(
      415,
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

/** Runs `body` with a connected one-shot client, closing it afterwards. */
async function withClient<T>(
  deps: Deps,
  session: SessionUpdate,
  body: (client: RealtimeClient, fail: Promise<never>) => Promise<T>,
): Promise<T> {
  const client = new RealtimeClient({
    ...(deps.backend.url ? { url: deps.backend.url } : {}),
    apiKey: deps.backend.apiKey ?? '',
    session,
    reconnect: false,
  });
  let timer: NodeJS.Timeout | undefined;
  const fail = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AudioEndpointError(504, 'The realtime backend did not answer in time.')),
      TIMEOUT_MS,
    );
    client.on('close', (e) =>
      reject(new AudioEndpointError(502, `Realtime backend closed: ${e.code} ${e.reason}`)),
    );
  });
  fail.catch(() => {});
  try {
    await Promise.race([client.connect(), fail]);
    return await Promise.race([body(client, fail), fail]);
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

function manualTurns(base: SessionUpdate): SessionUpdate {
  return { ...base, audio: { ...base.audio, input: { ...base.audio?.input, turn_detection: null } } };
}

/** Handles `POST /audio/*`. */
export async function handleAudioEndpoint(
  path: string,
  _req: IncomingMessage,
  body: Buffer,
  deps: Deps,
): Promise<Record<string, unknown>> {
  switch (path) {
    case '/audio/transcribe': {
      const { pcm, sampleRate } = decodeWavBody(body);
      return withClient(deps, manualTurns(sessionConfig(deps.voice)), async (client) => {
        const done = new Promise<string>((resolve) =>
          client.on('userTranscript', (e) => {
            if (e.done) resolve(e.text);
          }),
        );
        client.appendAudio(pcm, sampleRate);
        client.commit();
        return { text: await done };
      });
    }
    case '/audio/tts': {
      let req: { text?: unknown; voice?: unknown };
      try {
        req = JSON.parse(body.toString('utf8')) as { text?: unknown; voice?: unknown };
      } catch {
        throw new AudioEndpointError(400, 'Expected JSON {"text": "...", "voice"?: "alloy"}.');
      }
      if (typeof req.text !== 'string' || req.text.trim() === '')
        throw new AudioEndpointError(400, '"text" must be a non-empty string.');
      const text = req.text.trim();
      const voice = typeof req.voice === 'string' ? req.voice : deps.voice;
      const session = { ...manualTurns(sessionConfig(voice)), instructions: READ_ALOUD_INSTRUCTIONS };
      return withClient(deps, session, async (client) => {
        const chunks: Int16Array[] = [];
        client.on('audio', (c) => chunks.push(c.pcm));
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
      const { pcm, sampleRate } = decodeWavBody(body);
      return withClient(deps, manualTurns(sessionConfig(deps.voice)), async (client) => {
        for (const def of TOOL_DEFINITIONS)
          client.addTool(def, (args) => runArnoldTool(deps.store, def.name, args));
        const chunks: Int16Array[] = [];
        const toolCalls: Array<{ name: string; arguments: string; output?: unknown }> = [];
        let transcript = '';
        let responseText = '';
        client.on('audio', (c) => chunks.push(c.pcm));
        client.on('userTranscript', (e) => {
          if (e.done) transcript = e.text;
        });
        client.on('transcript', (e) => {
          if (e.done) responseText = e.text;
        });
        client.on('toolCall', (e) => toolCalls.push({ name: e.name, arguments: e.rawArguments }));
        client.on('toolResult', (e) => {
          const call = toolCalls.find((c) => c.name === e.name && c.output === undefined);
          if (call) call.output = JSON.parse(e.output) as unknown;
        });
        // A response that called tools is followed by another (the client answers the calls and asks again).
        const finished = new Promise<void>((resolve) =>
          client.on('responseDone', (e) => {
            if (!(e.response.output ?? []).some((item) => item.type === 'function_call')) resolve();
          }),
        );
        client.appendAudio(pcm, sampleRate);
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
        404,
        `No endpoint ${path}; try /audio/transcribe, /audio/tts or /audio/process-voice-command.`,
      );
  }
}
