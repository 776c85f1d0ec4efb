// OpusAgent: one HTTP port serving a TwiML webhook, Twilio's media stream and the AudioCodes Bot API, every
// call bridged to a realtime model: the embedded local @voxwire/realtime-server by default, OpenAI when an
// API key is given.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type AudioCodesServer,
  bridgeCall,
  type CallBridge,
  type CallSession,
  createAudioCodesServer,
  twilioCallSession,
} from '@voxwire/bridge';
import { RealtimeClient } from '@voxwire/realtime-client';
import { createRealtimeServer, type RealtimeServer } from '@voxwire/realtime-server';
import { createMediaStreamServer, type MediaStreamServer, twiml } from '@voxwire/twilio-stream';

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
  /** The agent's instructions. */
  instructions?: string;
  log?: (line: string) => void;
}

/** A running OpusAgent. */
export interface OpusAgent {
  readonly url: string;
  readonly port: number;
  /** The embedded realtime server, when no OpenAI key was given. */
  readonly localModel: RealtimeServer | null;
  /** Calls in progress. */
  readonly bridges: ReadonlySet<CallBridge>;
  close(): Promise<void>;
}

export const DEFAULT_INSTRUCTIONS =
  'You are OpusAgent, a friendly phone assistant. Keep answers short. If the caller says goodbye, end the call.';

export async function startOpusAgent(opts: OpusAgentOptions): Promise<OpusAgent> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const localModel = opts.openaiApiKey ? null : await createRealtimeServer({ pacing: 'realtime' });
  const bridges = new Set<CallBridge>();

  const http: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/twilio/voice') {
      const host = opts.publicUrl ?? `wss://${req.headers.host ?? 'localhost'}`;
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(twiml.connectStream({ url: `${host}/twilio/media-stream` }));
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', calls: bridges.size, model: localModel ? 'local' : 'openai' }));
      return;
    }
    res.writeHead(404).end();
  });

  const join = (call: CallSession) => {
    const realtime = new RealtimeClient({
      ...(localModel ? { url: localModel.url } : { apiKey: opts.openaiApiKey }),
      session: {
        instructions: opts.instructions ?? DEFAULT_INSTRUCTIONS,
        audio: { input: { turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } },
      },
    });
    const bridge = bridgeCall(call, realtime, { log });
    bridges.add(bridge);
    log(`call ${call.id} (${call.platform}) started`);
    bridge.done.then(({ reason, metrics }) => {
      bridges.delete(bridge);
      log(
        `call ${call.id} ended: ${reason}; turns ${metrics.turns}, p50 turn latency ${metrics.turnLatencyMs.p50?.toFixed(0) ?? '-'} ms`,
      );
    });
  };

  const media: MediaStreamServer = createMediaStreamServer({
    server: http,
    path: '/twilio/media-stream',
    authToken: opts.twilioAuthToken,
    publicUrl: opts.publicUrl ? `${opts.publicUrl}/twilio/media-stream` : undefined,
  });
  media.on('call', (call) => {
    call.whenStarted().then(() => join(twilioCallSession(call)));
  });
  const audiocodes: AudioCodesServer = await createAudioCodesServer({
    server: http,
    path: '/audiocodes',
    token: opts.audiocodesToken,
  });
  audiocodes.on('session', join);

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 8080, opts.host ?? '127.0.0.1', () => resolve());
  });
  const addr = http.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${addr.port}`,
    port: addr.port,
    localModel,
    bridges,
    async close() {
      await Promise.all([...bridges].map((b) => b.close('agent shutting down')));
      await audiocodes.close();
      await media.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await localModel?.close();
    },
  };
}
