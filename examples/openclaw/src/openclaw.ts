// OpenClaw: the audio device, WebRTC peers and phone calls joined through one mix-minus mixer, with a realtime
// model as one more participant. Steps 1–5 of the design, composed from the @voxwire packages.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RealtimeClient } from '@voxwire/realtime-client';
import {
  createRealtimeServer,
  type RealtimeServer,
  type RealtimeServerOptions,
} from '@voxwire/realtime-server';
import type { MediaStreamServer } from '@voxwire/twilio-stream';
import { type SignalingServer, type WebRtcAudioPeer, WebRtcManager } from '@voxwire/webrtc';
import { AGENT_ID, AgentPipeline } from './agent-pipeline.js';
import type { OpenClawConfig } from './config.js';
import { DeviceAudio } from './device.js';
import { JanusRoom } from './janus-room.js';
import { createLogger, type Logger } from './logger.js';
import { addPeerParticipant } from './peer-participant.js';
import { PerformanceMonitor, type PerfSnapshot } from './perf-monitor.js';
import { AudioRouter } from './router.js';
import { TwilioVoiceManager } from './voice-manager.js';
import { openClawPage } from './web-page.js';
import { startWebServer } from './web-server.js';

/** Most live-mix audio that may wait for a WebRTC peer (its added delay after a stall), ms. */
const LIVE_QUEUE_MS = 200;

/** Options of {@link startOpenClaw}. */
export interface OpenClawOptions {
  config: OpenClawConfig;
  log?: Logger;
  /** Open the audio device (default true). */
  device?: boolean;
  /** Drive the mixer yourself with `router.tick()` (tests of long runs). */
  manualClock?: boolean;
  /** The embedded local model (used when no OpenAI key is configured). */
  localModel?: Pick<RealtimeServerOptions, 'engines' | 'defaultEngines' | 'pacing'>;
  /** Use this realtime URL instead of OpenAI or the embedded server (benchmarks, a shared local server). */
  realtimeUrl?: string;
  /** Twilio REST base URL and fetch (tests). */
  twilioRest?: { baseUrl?: string; fetch?: typeof fetch };
  /**
   * How long a connection to either listener may take for its TLS handshake and request headers, and stay
   * silent afterwards, ms (default 10 000; see `startWebServer`).
   */
  handshakeTimeoutMs?: number;
  /** Extra ICE host addresses (default `['127.0.0.1']` when listening on loopback). */
  iceAdditionalHostAddresses?: string[];
}

/** A running OpenClaw. */
export interface OpenClaw {
  readonly config: OpenClawConfig;
  readonly router: AudioRouter;
  readonly device: DeviceAudio | null;
  readonly webrtc: WebRtcManager;
  readonly signaling: SignalingServer;
  readonly voice: TwilioVoiceManager;
  readonly media: MediaStreamServer;
  readonly agent: AgentPipeline;
  readonly realtime: RealtimeClient;
  readonly localModel: RealtimeServer | null;
  readonly monitor: PerformanceMonitor;
  /** The Janus AudioBridge leg (ROOM=janus), else null. */
  readonly janus: JanusRoom | null;
  /** `ws(s)://host:port/webrtc`: where this process accepts signaling. */
  readonly signalingUrl: string;
  /** `http(s)://host:port/webrtc/`: the call page (it signals to SIGNALING_URL when set, else here). */
  readonly pageUrl: string;
  /** `http(s)://host:port` of the Twilio side (webhook, media stream, metrics). */
  readonly httpUrl: string;
  readonly mediaStreamUrl: string;
  /** What GET /metrics answers. */
  metrics(): OpenClawMetrics;
  /**
   * The design's `get_latency_stats()`: device round trip (capture + playback rings, AudioCore) plus what the
   * mixer's jitter buffers add, avg and p95 in ms.
   */
  getLatencyStats(): { avgMs: number; p95Ms: number; deviceAvgMs: number; mixerAvgMs: number };
  close(): Promise<void>;
}

/** The body of GET /metrics. */
export interface OpenClawMetrics {
  performance: PerfSnapshot;
  participants: string[];
  mixerLatency: { avgMs: number; p95Ms: number; maxMs: number };
  deviceLatency: { avgMs: number; p95Ms: number } | null;
  agent: AgentPipeline['counters'];
}

// Far ends pace on their own clocks; after a mixer stall (it catches up two frames a tick) a call's queue
// would keep the extra audio forever as latency. Beyond this depth a frame is dropped instead (peers: see
// peer-participant.ts).
const CALL_MAX_QUEUE_MS = 200;

export async function startOpenClaw(opts: OpenClawOptions): Promise<OpenClaw> {
  const config = opts.config;
  const log = opts.log ?? createLogger(config.logLevel);
  const frameMs = (config.audio.blockSize * 1000) / config.audio.sampleRate;
  const router = new AudioRouter({
    sampleRate: config.audio.sampleRate,
    frameMs,
    manualClock: opts.manualClock,
  });
  const rlog = log.child('router');
  router.on('join', (id) => rlog.info('joined the mix', { id, participants: router.size }));
  router.on('leave', (id) => rlog.info('left the mix', { id, participants: router.size }));
  router.on('error', (id, err) => rlog.warn('sending to participant failed', { id, err }));
  const cleanups: (() => Promise<void> | void)[] = [];
  /** Mix frames not sent to a far end whose queue was too deep (see PEER_MAX_QUEUE_MS). */
  let droppedFrames = 0;
  const close = async () => {
    for (const c of cleanups.splice(0).reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn('shutdown step failed', { err });
      }
    }
  };

  try {
    // Step 1–2: device.
    let device: DeviceAudio | null = null;
    if (opts.device ?? true) {
      device = new DeviceAudio(config.audio, router, log.child('device'));
      cleanups.push(() => device?.close());
      device.start();
    }

    // Step 5 first, so the agent is in the mix before anybody joins.
    let localModel: RealtimeServer | null = null;
    if (!opts.realtimeUrl && !config.openaiApiKey) {
      localModel = await createRealtimeServer({ pacing: 'realtime', ...opts.localModel });
      cleanups.push(() => localModel?.close());
    }
    const realtime = new RealtimeClient({
      ...(opts.realtimeUrl
        ? { url: opts.realtimeUrl }
        : localModel
          ? { url: localModel.url }
          : { apiKey: config.openaiApiKey }),
      model: config.openaiModel,
      session: {
        instructions: config.instructions,
        audio: {
          input: {
            format: { type: 'audio/pcm', rate: 24000 },
            turn_detection: { type: 'server_vad', silence_duration_ms: 500, interrupt_response: true },
          },
          output: { format: { type: 'audio/pcm', rate: 24000 } },
        },
      },
    });
    cleanups.push(() => realtime.close());
    await realtime.connect();
    const agent = new AgentPipeline(router, realtime, log.child('agent'));
    agent.start();
    cleanups.push(() => agent.stop());
    log.info('model connected', {
      model: localModel ? `local ${localModel.url}` : (opts.realtimeUrl ?? 'openai'),
    });

    // Step 3: WebRTC.
    const wlog = log.child('webrtc');
    const loopbackHost = config.host === '127.0.0.1' || config.host === 'localhost';
    const peerOptions = {
      sampleRate: config.audio.sampleRate,
      iceServers: config.iceServers,
      iceTransportPolicy: config.iceTransportPolicy,
      iceAdditionalHostAddresses:
        opts.iceAdditionalHostAddresses ?? (loopbackHost ? ['127.0.0.1'] : undefined),
      // Each peer gets the live mix: after an event-loop stall the surplus would otherwise stay as delay for
      // the rest of the call, so the queue is held to a few frames by dropping its oldest audio.
      maxQueueMs: LIVE_QUEUE_MS,
      queueOverflow: 'drop-oldest' as const,
    };
    const webrtc = new WebRtcManager({ peer: peerOptions });
    const countDrop = () => {
      droppedFrames++;
    };
    webrtc.on('connection', (peer: WebRtcAudioPeer) => {
      const id = `webrtc_${peer.id}`;
      wlog.info('peer connecting', { id });
      let stopAudio: (() => void) | undefined;
      peer.once('connected', () => {
        if (peer.isClosed || router.has(id)) return;
        stopAudio = addPeerParticipant(router, id, peer, countDrop);
      });
      peer.once('close', () => {
        stopAudio?.();
        router.remove(id);
        wlog.info('peer left', { id });
      });
    });
    webrtc.on('connection-error', (id, err) =>
      wlog.warn('peer error', { id, code: err.code, message: err.message }),
    );
    // The page and signaling share one (http or https) server: same origin, so wss follows https.
    const page = openClawPage({ signalingUrl: config.signalingUrl, iceServers: config.iceServers });
    let signalingServer: SignalingServer | undefined;
    const web = await startWebServer(
      config.tls,
      config.host,
      config.signalingPort,
      (req, res) => {
        const path = URL.canParse(req.url ?? '/', 'http://x')
          ? new URL(req.url ?? '/', 'http://x').pathname
          : '';
        if (req.method === 'GET' && (path === '/' || path === '/webrtc' || path === '/webrtc/')) {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
          res.end(page);
        } else if (!signalingServer?.handleRequest(req, res)) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found');
        }
      },
      opts.handshakeTimeoutMs,
    );
    cleanups.push(() => web.close());
    const signaling = await webrtc.startSignaling({ server: web.server, path: '/webrtc' });
    signalingServer = signaling;
    cleanups.push(() => webrtc.close());

    // ROOM=janus: the Janus AudioBridge room joins the mix as one more participant.
    let janus: JanusRoom | null = null;
    if (config.room.kind === 'janus') {
      janus = await JanusRoom.join(config.room, router, peerOptions, log.child('janus'), countDrop);
      cleanups.push(() => janus?.close());
    }

    // Step 4: Twilio (webhook, media stream and metrics on one HTTP port).
    const voice = new TwilioVoiceManager({
      ...config.twilio,
      restBaseUrl: opts.twilioRest?.baseUrl,
      fetch: opts.twilioRest?.fetch,
      log: log.child('twilio'),
    });
    const monitor = new PerformanceMonitor({
      intervalMs: config.monitorIntervalMs,
      log: log.child('monitor'),
      audio: () => audioFigures(),
    });
    const twilioWeb = await startWebServer(
      config.tls,
      config.host,
      config.twilioPort,
      (req, res) => handle(req, res),
      opts.handshakeTimeoutMs,
    );
    cleanups.push(() => twilioWeb.close());
    const media = await voice.startMediaStreamServer(twilioWeb.server, '/media-stream');
    cleanups.push(() => voice.close());
    const httpUrl = twilioWeb.httpUrl;
    const mediaStreamUrl = `${twilioWeb.wsUrl}/media-stream`;
    voice.onCallAudio = (sid, pcm) => router.push(`call_${sid}`, pcm);
    const tlog = log.child('twilio');
    voice.on('call', (call) => {
      const id = `call_${call.callSid}`;
      router.add(id, {
        sampleRate: voice.sampleRate,
        jitterMs: 60,
        send: (frame, rate) => {
          if (!call.active) return;
          if (call.bufferedMs() > CALL_MAX_QUEUE_MS) {
            droppedFrames++;
            return;
          }
          call.sendAudio({ data: frame, sampleRate: rate, channels: 1, position: 0 });
        },
      });
      tlog.info('call joined', { id, streamSid: call.streamSid, parameters: call.customParameters });
    });
    voice.on('call-end', (sid, reason) => {
      router.remove(`call_${sid}`);
      tlog.info('call ended', { id: `call_${sid}`, reason });
    });

    const audioFigures = (): Record<string, unknown> => {
      const inputs = router.inputs();
      const mixer = router.mixer.stats();
      return {
        participants: inputs.length,
        mixerUnderruns: mixer.totals.underruns,
        mixerOverruns: mixer.totals.overruns,
        mixerDroppedMs: Math.round(mixer.totals.droppedMs),
        clockStalls: mixer.clock.stalls,
        outputErrors: mixer.outputErrors,
        farEndDroppedFrames: droppedFrames,
        device: device?.xrunStats() ?? null,
        inputs: inputs.map((s) => ({
          id: s.id,
          bufferedMs: Math.round(s.bufferedMs),
          underruns: s.underruns,
          overruns: s.overruns,
        })),
      };
    };
    const metrics = (): OpenClawMetrics => {
      const m = router.latencyStats();
      const d = device ? device.core.getLatencyStats() : null;
      return {
        performance: monitor.snapshot(),
        participants: router.ids(),
        mixerLatency: { avgMs: m.avgMs ?? 0, p95Ms: m.p95Ms ?? 0, maxMs: m.maxMs ?? 0 },
        deviceLatency: d ? { avgMs: d.avgMs ?? Number.NaN, p95Ms: d.p95Ms ?? Number.NaN } : null,
        agent: { ...agent.counters },
      };
    };
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      // A target that is no URL (`//x:abc`) makes new URL() throw, which would end the process from here.
      if (!URL.canParse(req.url ?? '/', 'http://x')) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'bad_request' }));
        return;
      }
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path === '/metrics' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(metrics()));
      } else if (path === '/voice-webhook') {
        res.writeHead(200, { 'content-type': 'text/xml' });
        res.end(voice.twiml(`wss://${req.headers.host ?? new URL(httpUrl).host}/media-stream`));
      } else if (path === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', participants: router.ids() }));
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'not_found' }));
      }
    };

    monitor.start();
    cleanups.push(() => monitor.stop());
    router.start();
    cleanups.push(() => router.close());
    const signalingUrl = `${web.wsUrl}/webrtc`;
    const pageUrl = `${web.httpUrl}/webrtc/`;
    log.info('OpenClaw ready', {
      signaling: signalingUrl,
      page: pageUrl,
      pageSignalsTo: config.signalingUrl ?? 'the page origin',
      room: config.room.kind,
      webhook: `${httpUrl}/voice-webhook`,
      mediaStream: mediaStreamUrl,
      metrics: `${httpUrl}/metrics`,
      frameMs,
      participants: router.ids(),
    });

    return {
      config,
      router,
      device,
      webrtc,
      signaling,
      voice,
      media,
      agent,
      realtime,
      localModel,
      monitor,
      janus,
      signalingUrl,
      pageUrl,
      httpUrl,
      mediaStreamUrl,
      metrics,
      getLatencyStats() {
        const m = router.latencyStats();
        const d = device ? device.core.getLatencyStats() : null;
        const dAvg = d?.avgMs ?? 0;
        const dP95 = d?.p95Ms ?? 0;
        const mAvg = m.avgMs ?? 0;
        return { avgMs: dAvg + mAvg, p95Ms: dP95 + (m.p95Ms ?? 0), deviceAvgMs: dAvg, mixerAvgMs: mAvg };
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export { AGENT_ID };
