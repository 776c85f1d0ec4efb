import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AudioFrame, wav } from '@voxwire/codecs';
import { AudioSession, resampleTo } from './audio-session.js';
import { authenticate, type TokenStore } from './auth.js';
import { type AudioConfig, DEFAULT_AUDIO_CONFIG, mergeAudioConfig } from './config.js';
import { CoreClient } from './core-client.js';
import { createSpeechEngines, type SpeechEngineOptions, type SpeechEngines } from './engines/engines.js';
import { JarvisError, synthesisFailure } from './errors.js';
import { pathOf, readJson, sendError, sendJson } from './http-util.js';
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from './limits.js';
import { acceptUserSockets, createHttpServer, listen, shutdown, sweepEvery } from './server-util.js';

/** Options of {@link startAudioService}. */
export interface AudioServiceOptions extends SpeechEngineOptions {
  tokens: TokenStore;
  /** Default 8001; 0 picks a free port. */
  port?: number;
  host?: string;
  /** Base URL of the core service (`http://127.0.0.1:8000`); can also be set later with `setCoreUrl`. */
  coreUrl?: string;
  /** Defaults for new sessions (the design's AudioConfig defaults otherwise). */
  defaults?: Partial<AudioConfig>;
  /** Idle time after which a session is closed and forgotten, default 5 minutes. */
  sessionTimeoutMs?: number;
  /** Connection caps and timeouts (README "Limits"); unset fields get the defaults. */
  limits?: Partial<ServiceLimits>;
  /** Engines to use instead of creating them (shared with a benchmark, say). */
  engines?: SpeechEngines;
}

/** A running audio service. */
export interface AudioService {
  readonly url: string;
  readonly port: number;
  readonly engines: SpeechEngines;
  /** Number of sessions (connected or not). */
  readonly sessionCount: number;
  setCoreUrl(url: string): void;
  close(): Promise<void>;
}

const WS_PATH = /^\/ws\/audio\/([^/]+)$/;
const MAX_TTS_CHARS = 1000;

/**
 * The audio service: `WS /ws/audio/{user_id}` streaming sessions and the REST API under `/api/v2/audio`.
 * Every endpoint but health needs a bearer token; a token opens only its own user's session.
 */
export async function startAudioService(options: AudioServiceOptions): Promise<AudioService> {
  const tokens = options.tokens;
  const defaults = mergeAudioConfig(DEFAULT_AUDIO_CONFIG, options.defaults ?? {});
  const engines = options.engines ?? createSpeechEngines(options);
  let coreUrl = options.coreUrl;
  const core = new CoreClient(() => coreUrl);
  const sessions = new Map<string, AudioSession>();
  const timeoutMs = options.sessionTimeoutMs ?? 5 * 60 * 1000;
  const limits: ServiceLimits = { ...DEFAULT_SERVICE_LIMITS, ...options.limits };

  const sessionOf = (userId: string): AudioSession => {
    let s = sessions.get(userId);
    if (!s) {
      s = new AudioSession(userId, { ...defaults }, { engines, core });
      sessions.set(userId, s);
    }
    return s;
  };

  const routes = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = pathOf(req);
    const method = req.method ?? 'GET';
    if (path === '/api/v2/audio/health' && method === 'GET') {
      sendJson(res, 200, {
        status: 'healthy',
        service: 'jarvis-audio',
        engines: engines.describe(),
        sessions: sessions.size,
        streaming: [...sessions.values()].filter((s) => s.streaming).length,
        core_configured: coreUrl !== undefined,
      });
      return;
    }
    if (path === '/api/v2/audio/session/start' && method === 'POST') {
      const who = authenticate(tokens, req);
      const body = await readJson(req);
      const session = sessionOf(who.userId);
      session.config = mergeAudioConfig(session.config, body);
      session.lastActivity = Date.now();
      sendJson(res, 200, {
        session_id: session.id,
        user_id: who.userId,
        config: session.config,
        websocket_path: `/ws/audio/${who.userId}`,
      });
      return;
    }
    if (path === '/api/v2/audio/tts' && method === 'POST') {
      const who = authenticate(tokens, req);
      const body = await readJson(req);
      if (typeof body.text !== 'string' || !body.text.trim() || body.text.length > MAX_TTS_CHARS) {
        throw new JarvisError(
          'BAD_REQUEST',
          `text must be a non-empty string of at most ${MAX_TTS_CHARS} characters`,
        );
      }
      const base = sessions.get(who.userId)?.config ?? defaults;
      const config = mergeAudioConfig(base, {
        ...(body.voice !== undefined ? { tts_voice: body.voice } : {}),
        ...(body.sample_rate !== undefined ? { sample_rate: body.sample_rate } : {}),
      });
      const voice = engines.voice(config.tts_voice);
      const ac = new AbortController();
      res.once('close', () => ac.abort());
      let audio: AudioFrame;
      try {
        audio = await engines.synthesizer.synthesize(body.text, { voice, speed: 1, signal: ac.signal });
      } catch (err) {
        if (ac.signal.aborted) return; // the client left: nobody to answer
        throw synthesisFailure(err);
      }
      const pcm = resampleTo(audio.data, audio.sampleRate, config.sample_rate);
      const file = wav.write({ sampleRate: config.sample_rate, channels: 1, data: pcm });
      res.writeHead(200, {
        'content-type': 'audio/wav',
        'content-length': file.length,
        'x-jarvis-voice': voice,
        'x-jarvis-engine': engines.synthesizer.name,
      });
      res.end(file);
      return;
    }
    if (path === '/api/v2/audio/session/metrics' && method === 'GET') {
      const who = authenticate(tokens, req);
      sendJson(res, 200, {
        user_id: who.userId,
        session: sessions.get(who.userId)?.metrics() ?? null,
        active_sessions: [...sessions.values()].filter((s) => s.connected).length,
      });
      return;
    }
    throw new JarvisError('NOT_FOUND', `no route ${method} ${path}`);
  };

  const server: Server = createHttpServer(limits, (req, res) => {
    routes(req, res).catch((err: unknown) => sendError(res, err));
  });
  const wss = acceptUserSockets(server, {
    tokens,
    path: WS_PATH,
    pathHint: '/ws/audio/{user_id}',
    maxPayload: 1024 * 1024,
    limits,
    onSocket: (ws, who, token) => sessionOf(who.userId).attach(ws, token),
  });
  const stopSweeper = sweepEvery(timeoutMs, (cutoff) => {
    for (const [userId, s] of sessions) {
      if (s.lastActivity < cutoff && !s.busy) {
        s.close(4408, 'session timed out');
        sessions.delete(userId);
      }
    }
  });

  const { url, port } = await listen(server, options.port ?? 8001, options.host ?? '127.0.0.1');
  return {
    url,
    port,
    engines,
    get sessionCount() {
      return sessions.size;
    },
    setCoreUrl(url) {
      coreUrl = url;
    },
    async close() {
      stopSweeper();
      for (const s of sessions.values()) s.close(1001, 'service shutting down');
      sessions.clear();
      if (!options.engines) engines.close();
      await shutdown(server, wss, limits.closeGraceMs);
    },
  };
}
