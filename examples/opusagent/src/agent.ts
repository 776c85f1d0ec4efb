// OpusAgent: one HTTP port serving a TwiML webhook, Twilio's media stream and the AudioCodes Bot API, every
// call bridged to a realtime model: the embedded local @voxwire/realtime-server by default, OpenAI when an
// API key is given.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  type AudioCodesMediaFormat,
  type AudioCodesServer,
  clip,
  closeStalledSocket,
  createAudioCodesServer,
  guardFrameStalls,
  refuseUpgrade,
} from '@voxwire/audiocodes';
import { audioCodesCallSession, type CallBridge, type CallSession, twilioCallSession } from '@voxwire/bridge';
import { createRealtimeServer, type RealtimeServer } from '@voxwire/realtime-server';
import { createMediaStreamServer, type MediaStreamServer, twiml } from '@voxwire/twilio-stream';
import { type CallSettings, startCall } from './call.js';
import { DEFAULT_VAD, requirePublicUrl, type VadConfig } from './config.js';
import { createLogger, type LogLevel } from './log.js';

/** Options of {@link startOpusAgent}. */
export interface OpusAgentOptions {
  /** HTTP port (0 = any free port). */
  port?: number;
  host?: string;
  /** Public `wss://host` prefix Twilio reaches this server on (for the TwiML); default from the request. */
  publicUrl?: string;
  /** Twilio auth token: when set, media-stream upgrades must be signed. */
  twilioAuthToken?: string;
  /** Bearer token VoiceAI Connect must present. */
  audiocodesToken: string;
  /** Use OpenAI's Realtime API with this key instead of the local server. */
  openaiApiKey?: string;
  /** The Realtime API's WebSocket URL with `openaiApiKey` (Azure, a proxy). Default OpenAI's. */
  openaiUrl?: string;
  /** The model with `openaiApiKey`. Default the client's (`gpt-realtime`). */
  openaiModel?: string;
  /**
   * A realtime server to use instead of the embedded one (e.g. `voxwire-realtime-server` in its own
   * process, `ws://127.0.0.1:8081/v1/realtime`). Ignored when `openaiApiKey` is set.
   */
  modelUrl?: string;
  /** The agent's instructions. */
  instructions?: string;
  /** Most open TCP connections (calls, webhooks, health checks); more are answered 503. Default 256. */
  maxConnections?: number;
  /** A WebSocket stuck in the middle of one frame this long is closed with 1008. Default 10 s. */
  frameTimeoutMs?: number;
  /** A Twilio stream must send `start` this soon after connecting, or it is closed (1008). Default 10 s. */
  startTimeoutMs?: number;
  /** Model reconnection attempts after the model connection drops mid-call, before the call is hung up. Default 2. */
  modelRetries?: number;
  /** Who ends the caller's turns (the model's VAD, or the agent's) and its thresholds; see `VadConfig`. */
  vad?: Partial<VadConfig>;
  /**
   * The audio format asked of the model: `passthrough` (default: the call's own where the model takes it,
   * mu-law for Twilio, 24 kHz PCM for AudioCodes `raw/lpcm16_24`) or `pcm24` (24 kHz PCM for every call).
   */
  modelAudio?: 'passthrough' | 'pcm24';
  /** Format of an AudioCodes conversation that offers none. Default `raw/lpcm16`. */
  audiocodesDefaultFormat?: AudioCodesMediaFormat;
  /** Analyse caller audio quality and log its alerts. Default true. */
  qualityMonitoring?: boolean;
  /** Log a warning for every turn slower than this, ms. Default 500. */
  latencyAlertMs?: number;
  /** Log a warning for every caller chunk larger than this, bytes. Default 3000. */
  chunkAlertBytes?: number;
  /** Record every call (caller, agent, stereo mix as WAV, and a summary) under this directory. */
  recordingDir?: string;
  /** Caller G.711 audio per model append, ms. Default per transport (Twilio 40, AudioCodes 100). */
  inputBatchMs?: number;
  /** WebSocket keepalive of Twilio and AudioCodes sockets: ping interval (0 = off) and answer timeout, ms. */
  keepalive?: { intervalMs?: number; timeoutMs?: number };
  /** Lowest level logged. Default `info`. */
  logLevel?: LogLevel;
  /** Where log lines go (`<level> <text>`). Default `console.log`. */
  log?: (line: string) => void;
  /** Where startup warnings go (unsigned Twilio streams). Default `console.warn`. */
  warn?: (line: string) => void;
  /** Extensions, e.g. fleet membership (`src/fleet.ts`). */
  hooks?: OpusAgentHooks;
}

/** Optional extensions of {@link startOpusAgent} (the fleet's registry, control API, metrics and drain use them). */
export interface OpusAgentHooks {
  /** Answers a request before the agent's own routes; returns true when it did. */
  http?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Whether to take a new call now; false refuses its WebSocket upgrade with 503 (the instance is draining). */
  acceptCall?: () => boolean;
  /** A call was bridged to the model. */
  bridged?: (bridge: CallBridge) => void;
}

/** A running OpusAgent. */
export interface OpusAgent {
  readonly url: string;
  readonly port: number;
  /** The embedded realtime server, when no OpenAI key was given. */
  readonly localModel: RealtimeServer | null;
  /** The realtime endpoint every call connects to (before the client adds `?model=`). */
  readonly modelEndpoint: string;
  /** Calls in progress. */
  readonly bridges: ReadonlySet<CallBridge>;
  close(): Promise<void>;
}

const TWILIO_PATH = '/twilio/media-stream';
const AUDIOCODES_PATH = '/audiocodes';

/** Slow or stalled HTTP requests (headers trickled byte by byte) are dropped, checked every 2 s. */
const HTTP_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 30_000, connectionsCheckingInterval: 2000 };

function pathOf(req: IncomingMessage): string {
  try {
    return new URL(req.url ?? '/', 'http://x').pathname;
  } catch {
    return '';
  }
}

/** Answers connections past `max` with 503 at once and closes them, so a flood cannot use up the fds. */
function limitConnections(http: Server, max: number): void {
  let open = 0;
  http.on('connection', (socket: Socket) => {
    if (open >= max) {
      refuseUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}

export const DEFAULT_INSTRUCTIONS =
  'You are OpusAgent, a friendly phone assistant. Keep answers short. If the caller says goodbye, end the call.';

/** The realtime API's endpoint when an OpenAI key is given without a URL. */
export const OPENAI_REALTIME_URL = 'wss://api.openai.com/v1/realtime';

/**
 * Starts the agent: resolves once it listens.
 * @throws OpusAgentConfigError `INVALID_CONFIG` for `twilioAuthToken` without `publicUrl` (before anything starts)
 */
export async function startOpusAgent(opts: OpusAgentOptions): Promise<OpusAgent> {
  requirePublicUrl(opts.twilioAuthToken, opts.publicUrl);
  const logger = createLogger(opts.logLevel ?? 'info', opts.log ?? ((line: string) => console.log(line)));
  const log = (line: string) => logger.info(line);
  const warn = opts.warn ?? ((line: string) => console.warn(line));
  const host = opts.host ?? '127.0.0.1';
  const localModel =
    opts.openaiApiKey || opts.modelUrl ? null : await createRealtimeServer({ pacing: 'realtime' });
  const bridges = new Set<CallBridge>();
  if (!opts.twilioAuthToken) {
    warn(
      'WARNING: TWILIO_AUTH_TOKEN is not set: Twilio media streams are accepted WITHOUT signature checks; ' +
        `anyone who can reach ${host} can place calls into the agent. Set TWILIO_AUTH_TOKEN and PUBLIC_URL.`,
    );
  }

  const http: Server = createServer(HTTP_TIMEOUTS, (req, res) => {
    if (opts.hooks?.http?.(req, res)) return;
    const path = pathOf(req);
    if (path === '/twilio/voice') {
      const base = opts.publicUrl ?? `wss://${req.headers.host ?? 'localhost'}`;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(twiml.connectStream({ url: `${base}${TWILIO_PATH}` }));
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', calls: bridges.size, model: localModel ? 'local' : 'openai' }));
      return;
    }
    res.writeHead(404).end();
  });

  const modelEndpoint = opts.openaiApiKey
    ? (opts.openaiUrl ?? OPENAI_REALTIME_URL)
    : (localModel?.url ?? opts.modelUrl ?? '');
  const settings: CallSettings = {
    model: opts.openaiApiKey
      ? {
          url: modelEndpoint,
          apiKey: opts.openaiApiKey,
          ...(opts.openaiModel ? { model: opts.openaiModel } : {}),
        }
      : { url: modelEndpoint },
    instructions: opts.instructions ?? DEFAULT_INSTRUCTIONS,
    modelRetries: opts.modelRetries ?? 2,
    vad: { ...DEFAULT_VAD, ...opts.vad },
    modelAudio: opts.modelAudio ?? 'passthrough',
    qualityMonitoring: opts.qualityMonitoring ?? true,
    latencyAlertMs: opts.latencyAlertMs ?? 500,
    chunkAlertBytes: opts.chunkAlertBytes ?? 3000,
    recordingDir: opts.recordingDir,
    inputBatchMs: opts.inputBatchMs,
  };
  /** Calls still reporting (summary, recording) after they ended: close() waits for them. */
  const reporting = new Set<Promise<void>>();
  const join = (call: CallSession) => {
    const { bridge, reported } = startCall(call, settings, logger);
    bridges.add(bridge);
    opts.hooks?.bridged?.(bridge);
    log(`call ${call.id} (${call.platform}) started`);
    bridge.done.then(() => bridges.delete(bridge));
    reporting.add(reported);
    reported.then(() => reporting.delete(reported));
  };

  const media: MediaStreamServer = await createMediaStreamServer({
    server: http,
    path: TWILIO_PATH,
    authToken: opts.twilioAuthToken,
    publicUrl: opts.publicUrl ? `${opts.publicUrl}${TWILIO_PATH}` : undefined,
    startTimeoutMs: opts.startTimeoutMs,
    keepaliveIntervalMs: opts.keepalive?.intervalMs,
    keepaliveTimeoutMs: opts.keepalive?.timeoutMs,
  });
  media.on('call', (call) => {
    // After Twilio's `stop` the stream is over: close our side too rather than wait for the peer to.
    call.once('stop', () => void call.hangup().catch(() => {}));
    call.whenStarted().then(() => join(twilioCallSession(call)));
  });
  // Twilio protocol errors of calls not (or no longer) bridged, e.g. late input after `stop`.
  media.on('error', (err) => logger.warn(`twilio: ${clip(err.message, 512)}`));
  const audiocodes: AudioCodesServer = await createAudioCodesServer({
    server: http,
    path: AUDIOCODES_PATH,
    token: opts.audiocodesToken,
    frameTimeoutMs: opts.frameTimeoutMs,
    defaultMediaFormat: opts.audiocodesDefaultFormat,
    keepaliveIntervalMs: opts.keepalive?.intervalMs,
    keepaliveTimeoutMs: opts.keepalive?.timeoutMs,
  });
  audiocodes.on('session', (session) => join(audioCodesCallSession(session)));
  // Protocol problems outside a bridged conversation (bad initiate, a peer that stopped answering pings).
  audiocodes.on('error', (err) => logger.warn(`audiocodes: ${clip(err.message, 512)}`));

  // Every upgrade is answered: the two WebSocket servers own their paths, anything else gets a 404 (an
  // unanswered socket would stay open and hold a file descriptor). Twilio sockets get the stall guard here;
  // the AudioCodes server guards its own.
  const frameTimeoutMs = opts.frameTimeoutMs ?? 10_000;
  const acceptCall = opts.hooks?.acceptCall;
  // First in line: a refused upgrade's socket is ended, and the WebSocket servers leave an ended socket alone.
  if (acceptCall)
    http.prependListener('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      if (!acceptCall()) refuseUpgrade(socket, 503, 'Service Unavailable');
    });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    const path = pathOf(req);
    if (path === TWILIO_PATH) {
      guardFrameStalls(socket, frameTimeoutMs, () =>
        closeStalledSocket(socket, 1008, 'stalled in the middle of a frame'),
      );
    } else if (path !== AUDIOCODES_PATH) refuseUpgrade(socket, 404, 'Not Found');
  });
  limitConnections(http, opts.maxConnections ?? 256);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8080, host, () => resolve());
  });
  const addr = http.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    localModel,
    modelEndpoint,
    bridges,
    async close() {
      await Promise.all([...bridges].map((b) => b.close('agent shutting down')));
      // The calls' summaries are logged and their recordings written before the agent is gone.
      await Promise.all(reporting);
      await audiocodes.close();
      await media.close();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await localModel?.close();
    },
  };
}
