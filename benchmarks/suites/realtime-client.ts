// Client CPU per 24 kHz realtime stream: every 100 ms of audio costs one `input_audio_buffer.append`
// (Int16 → base64 → JSON → socket) and one `response.output_audio.delta` back (JSON → base64 → Int16).
// The far end runs in a child process (this same file, started with VOXWIRE_RTC_BENCH_SERVER), so the CPU
// time measured here (process.cpuUsage) is the clients' alone. Each stream runs closed-loop with a window of
// chunks in flight; streams per core = audio seconds carried / CPU seconds spent.
//
// Peer: the official `openai` package's OpenAIRealtimeWS doing the same work (base64 + send, JSON + decode on
// receive). It only dials wss://, so both clients talk TLS to the same local server (self-signed certificate
// made with openssl for the run); voxwire over plain ws:// (a local realtime server) is a third row.
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { audioFrame, encodedFrame, frameSamples, mulaw } from '@voxwire/codecs';
import {
  RealtimeClient,
  type WebSocketClientOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from '@voxwire/realtime-client';
import { selfSignedCert } from '@voxwire/test-support';
import OpenAI from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { measureInterleaved, type Suite, table } from '../suite.js';

const CHUNK_SAMPLES = 2400; // 100 ms at 24 kHz
const STREAMS = 16;
const CHUNKS_PER_STREAM = 250; // 25 s of audio per stream per round
const WINDOW = 4; // chunks in flight per stream
const ROUNDS = 3;

// --- child: the far end. Answers every append with one 100 ms audio delta (prebuilt, so it costs little). ---

function runServer(certPath: string, keyPath: string): void {
  const pcm = new Int16Array(CHUNK_SAMPLES);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(Math.sin(i / 9) * 8000 + Math.sin(i / 2.3) * 2000);
  const b64 = Buffer.from(pcm.buffer).toString('base64');
  const delta = JSON.stringify({
    type: 'response.output_audio.delta',
    event_id: 'event_bench',
    response_id: 'resp_bench',
    item_id: 'item_bench',
    output_index: 0,
    content_index: 0,
    delta: b64,
  });
  const created = JSON.stringify({
    type: 'session.created',
    event_id: 'event_0',
    session: { type: 'realtime' },
  });
  const onConnection = (ws: WebSocket) => {
    ws.send(created);
    ws.on('message', (data: Buffer) => {
      // Only appends are answered; the head of the frame says which event it is.
      if (data.subarray(0, 64).includes('input_audio_buffer.append')) ws.send(delta);
    });
  };
  const https = createServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) });
  new WebSocketServer({ server: https, perMessageDeflate: false }).on('connection', onConnection);
  const plain = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  plain.on('connection', onConnection);
  https.listen(0, '127.0.0.1', () => {
    process.send?.({
      wss: (https.address() as AddressInfo).port,
      ws: (plain.address() as AddressInfo).port,
    });
  });
}

if (process.env.VOXWIRE_RTC_BENCH_SERVER) {
  const [cert, key] = JSON.parse(process.env.VOXWIRE_RTC_BENCH_SERVER) as [string, string];
  runServer(cert, key);
}

// --- parent: the clients ---

/** One stream's driver: send a chunk, and another each time a delta comes back, until `chunks` were sent. */
interface StreamDriver {
  start(): void;
  done: Promise<void>;
}

function closedLoop(send: () => void, onReceive: (listener: () => void) => void): StreamDriver {
  let sent = 0;
  let received = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => {
    resolve = r;
  });
  onReceive(() => {
    received++;
    if (received === CHUNKS_PER_STREAM) resolve();
    else if (sent < CHUNKS_PER_STREAM) {
      sent++;
      send();
    }
  });
  return {
    start() {
      for (; sent < WINDOW; sent++) send();
    },
    done,
  };
}

async function measureRound(drivers: StreamDriver[]): Promise<{ cpuS: number; audioS: number }> {
  const before = process.cpuUsage();
  for (const d of drivers) d.start();
  await Promise.all(drivers.map((d) => d.done));
  const used = process.cpuUsage(before);
  return {
    cpuS: (used.user + used.system) / 1e6,
    audioS: (drivers.length * CHUNKS_PER_STREAM * CHUNK_SAMPLES) / 24000,
  };
}

function speechLikeChunk(): Int16Array {
  const pcm = new Int16Array(CHUNK_SAMPLES);
  for (let i = 0; i < pcm.length; i++)
    pcm[i] = Math.round(Math.sin(i / 11) * 9000 + Math.sin(i / 3.1) * 1500);
  return pcm;
}

async function voxwireRound(url: string, ca: Buffer | null): Promise<{ cpuS: number; audioS: number }> {
  // Injected WebSocket class: `ws` trusting the run's self-signed certificate.
  const TrustingWS = class extends WebSocket {
    constructor(u: string, opts: WebSocketClientOptions) {
      super(u, ca ? { ...opts, ca } : opts);
    }
  };
  const clients: RealtimeClient[] = [];
  const drivers: StreamDriver[] = [];
  const frame = audioFrame(speechLikeChunk(), 24000);
  let samplesOut = 0;
  for (let s = 0; s < STREAMS; s++) {
    const client = new RealtimeClient({
      url,
      apiKey: 'sk-bench',
      WebSocket: TrustingWS,
      heartbeatIntervalMs: 0,
    });
    await client.connect();
    clients.push(client);
    drivers.push(
      closedLoop(
        () => client.appendAudio(frame),
        (listener) =>
          client.on('audio', (f) => {
            samplesOut += frameSamples(f);
            listener();
          }),
      ),
    );
  }
  const result = await measureRound(drivers);
  await Promise.all(clients.map((c) => c.close()));
  if (samplesOut !== STREAMS * CHUNKS_PER_STREAM * CHUNK_SAMPLES)
    throw new Error(`voxwire lost audio: ${samplesOut}`);
  return result;
}

async function openaiRound(baseURL: string, ca: Buffer): Promise<{ cpuS: number; audioS: number }> {
  const sdk = new OpenAI({ apiKey: 'sk-bench', baseURL });
  const clients: OpenAIRealtimeWS[] = [];
  const drivers: StreamDriver[] = [];
  const pcm = speechLikeChunk();
  let samplesOut = 0;
  for (let s = 0; s < STREAMS; s++) {
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options: { ca } }, sdk);
    rt.on('error', (err) => {
      throw err;
    });
    await new Promise<void>((resolve) => rt.on('session.created', () => resolve()));
    clients.push(rt);
    drivers.push(
      closedLoop(
        () =>
          rt.send({
            type: 'input_audio_buffer.append',
            audio: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength).toString('base64'),
          }),
        (listener) =>
          rt.on('response.output_audio.delta', (ev) => {
            // What an app does with each delta: base64 → Int16 samples.
            const bytes = Buffer.from(ev.delta, 'base64');
            samplesOut += new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2).length;
            listener();
          }),
      ),
    );
  }
  const result = await measureRound(drivers);
  for (const c of clients) c.close();
  if (samplesOut !== STREAMS * CHUNKS_PER_STREAM * CHUNK_SAMPLES)
    throw new Error(`openai lost audio: ${samplesOut}`);
  return result;
}

// --- G.711 in: an EncodedFrame passed through vs the PCM path (issue #26) ---

/** A socket that accepts every send and answers the upgrade with `session.created`: client CPU only. */
class NullSocket implements WebSocketLike {
  readonly readyState = 1;
  readonly bufferedAmount = 0;
  sentBytes = 0;
  private message: ((data: Buffer, isBinary: boolean) => void) | undefined;
  constructor() {
    setImmediate(() =>
      this.message?.(Buffer.from('{"type":"session.created","session":{"type":"realtime"}}'), false),
    );
  }
  send(data: string): void {
    this.sentBytes += data.length;
  }
  close(): void {}
  on(event: string, listener: (...args: never[]) => void): this {
    if (event === 'message') this.message = listener as unknown as (data: Buffer, isBinary: boolean) => void;
    return this;
  }
  removeAllListeners(): this {
    this.message = undefined;
    return this;
  }
}

/**
 * CPU of `appendAudio` for a phone call's G.711 audio going to a model that takes `audio/pcmu`, per 20 ms
 * Twilio frame: the frame as an EncodedFrame (its bytes base64-encoded once) vs the PCM path the bridge used
 * before #26 (μ-law decoded to PCM by the caller, then batched and μ-law-encoded again by the client).
 */
export async function g711AppendCase(): Promise<string> {
  const client = new RealtimeClient({
    url: 'ws://127.0.0.1:9/v1/realtime',
    WebSocket: NullSocket as unknown as WebSocketConstructor,
    heartbeatIntervalMs: 0,
    session: { audio: { input: { format: { type: 'audio/pcmu' } } } },
    batchMs: 20,
  });
  await client.connect();
  const pcm = speechLikeChunk().subarray(0, 160);
  const bytes = mulaw.encode(pcm);
  const encoded = encodedFrame('pcmu', bytes);
  const FRAMES = 50; // one second of audio per call
  const res = measureInterleaved(
    {
      'EncodedFrame pass-through': () => {
        for (let i = 0; i < FRAMES; i++) client.appendAudio(encoded);
      },
      'PCM path (decode, batch, re-encode)': () => {
        for (let i = 0; i < FRAMES; i++) client.appendAudio(audioFrame(mulaw.decode(bytes), 8000));
      },
    },
    { rounds: 21, roundMs: 20 },
  );
  await client.close();
  const rows = Object.entries(res.hz).map(([name, hz]) => [
    name,
    hz, // seconds of G.711 audio per CPU second
    1e6 / hz / FRAMES,
    name.startsWith('Encoded')
      ? '1 (base64 of the frame bytes)'
      : '4 (decode to PCM, batch copy, μ-law encode, base64)',
  ]);
  const ratio = res.ratio['PCM path (decode, batch, re-encode)'];
  return [
    '### G.711 into a `audio/pcmu` session: EncodedFrame pass-through vs the PCM path',
    '',
    `20 ms μ-law frames through \`appendAudio\` to a socket that discards them (client CPU only); median of ${res.rounds} interleaved rounds. ` +
      `Pass-through is ${ratio.toFixed(2)}× the PCM path.`,
    '',
    table(['path', 'audio s per CPU s', 'CPU µs per 20 ms frame', 'buffers written per frame'], rows),
  ].join('\n');
}

const suite: Suite = {
  id: 'realtime-client',
  title: 'Realtime client CPU per 24 kHz stream (@voxwire/realtime-client)',
  async run() {
    const tls = selfSignedCert();
    const { certPath, keyPath } = tls;
    const ca = tls.cert;
    const child = fork(fileURLToPath(import.meta.url), [], {
      env: { ...process.env, VOXWIRE_RTC_BENCH_SERVER: JSON.stringify([certPath, keyPath]) },
      execArgv: ['--import', 'tsx'],
    });
    try {
      const ports = await new Promise<{ wss: number; ws: number }>((resolve, reject) => {
        child.once('message', (m) => resolve(m as { wss: number; ws: number }));
        child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
      });
      const wssURL = `wss://127.0.0.1:${ports.wss}/v1/realtime`;
      const wsURL = `ws://127.0.0.1:${ports.ws}/v1/realtime`;
      const baseURL = `https://127.0.0.1:${ports.wss}/v1`;
      const rows = {
        'voxwire RealtimeClient (wss)': [] as number[],
        'openai OpenAIRealtimeWS (wss)': [] as number[],
        'voxwire RealtimeClient (ws, local server)': [] as number[],
      };
      // Warm-up, then interleaved rounds so machine noise hits every client alike; keep each one's best.
      await voxwireRound(wssURL, ca);
      await openaiRound(baseURL, ca);
      for (let r = 0; r < ROUNDS; r++) {
        const v = await voxwireRound(wssURL, ca);
        rows['voxwire RealtimeClient (wss)'].push(v.audioS / v.cpuS);
        const o = await openaiRound(baseURL, ca);
        rows['openai OpenAIRealtimeWS (wss)'].push(o.audioS / o.cpuS);
        const p = await voxwireRound(wsURL, null);
        rows['voxwire RealtimeClient (ws, local server)'].push(p.audioS / p.cpuS);
      }
      const best = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, Math.max(...v)]));
      const peer = best['openai OpenAIRealtimeWS (wss)'];
      return [
        `${STREAMS} concurrent streams × ${(CHUNKS_PER_STREAM / 10).toFixed(0)} s of 24 kHz audio each, 100 ms appends and 100 ms deltas, ` +
          `closed loop (${WINDOW} chunks in flight per stream); best of ${ROUNDS} interleaved rounds. ` +
          'Streams per core = audio seconds carried per client CPU second (the server runs in another process). Target ≥ 500.',
        '',
        table(
          ['client', 'streams per core', 'CPU µs per 100 ms chunk (up + down)', 'vs openai'],
          Object.entries(best).map(([name, perCore]) => [
            name,
            perCore,
            100_000 / perCore,
            `${(perCore / peer).toFixed(2)}×`,
          ]),
        ),
        '',
        'Before/after #26, A/B in one run on 2026-12-04 (Node 22.23.5, same server, 5 interleaved rounds, best of',
        'each): the pre-redesign client (commit 108f624) carried 0.85× openai over wss and 1.01× over ws; this',
        'one 1.12× and 1.00×. The 1.35× of the 2026-11-24 run was on Node 20, where the openai client is slower;',
        'on Node 22 both clients are bound by the same `ws`, JSON and base64 work, and the wss gain is the zero',
        'masking key inside TLS and no second UTF-8 pass over each delta.',
        '',
        await g711AppendCase(),
      ].join('\n');
    } finally {
      child.kill();
      tls.dispose();
    }
  },
};
export default suite;
