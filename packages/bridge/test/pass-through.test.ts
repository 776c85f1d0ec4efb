// A Twilio call bridged to a model in `audio/pcmu` passes the call's mu-law through both ways, byte for
// byte. A G.711 round trip (decode to PCM, encode again) is not lossless: code 0x7F (-0) and 0xFF (+0) both
// decode to 0 and 0 encodes to 0xFF, so every 0x7F that arrives intact proves nothing decoded and
// re-encoded it on the way.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodedFrame } from '@voxwire/codecs';
import { RealtimeClient } from '@voxwire/realtime-client';
import { waitUntil } from '@voxwire/test-support';
import { createMediaStreamServer, type MediaStreamServer, TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { bridgeCall, type CallBridge, twilioCallSession } from '../src/index.js';

/** A Realtime API stand-in that records the caller audio it is sent and can speak given bytes. */
async function startModel() {
  const http = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const received: Buffer[] = [];
  /** Bytes of each caller-audio append. */
  const appends: number[] = [];
  const formats: unknown[] = [];
  let socket: WebSocket | undefined;
  wss.on('connection', (ws) => {
    socket = ws;
    ws.send(JSON.stringify({ type: 'session.created', event_id: 'e0', session: { type: 'realtime' } }));
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString()) as {
        type: string;
        audio?: string;
        session?: { audio?: unknown };
      };
      if (msg.type === 'input_audio_buffer.append' && msg.audio)
        received.push(Buffer.from(msg.audio, 'base64'));
      if (msg.type === 'input_audio_buffer.append' && msg.audio) appends.push(received.at(-1)!.length);
      if (msg.type === 'session.update') formats.push(msg.session?.audio);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/v1/realtime`,
    formats,
    appends,
    received: () => Buffer.concat(received),
    speak(bytes: Uint8Array) {
      socket?.send(
        JSON.stringify({
          type: 'response.output_audio.delta',
          event_id: 'd1',
          response_id: 'resp_1',
          item_id: 'item_1',
          output_index: 0,
          content_index: 0,
          delta: Buffer.from(bytes).toString('base64'),
        }),
      );
    },
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

let model: Awaited<ReturnType<typeof startModel>> | undefined;
let media: MediaStreamServer | undefined;
let sim: TwilioSimulator | undefined;

afterEach(async () => {
  await sim?.stop().catch(() => {});
  await media?.close();
  await model?.close();
  sim = media = model = undefined;
});

/** Every mu-law code, 0x7F among them, `times` over. */
function allCodes(times: number): Uint8Array {
  const out = new Uint8Array(256 * times);
  for (let i = 0; i < out.length; i++) out[i] = i & 0xff;
  return out;
}

describe('bridgeCall pass-through on a Twilio call', () => {
  it('hands the caller mu-law to the model and the model mu-law to the caller unchanged, byte for byte', {
    timeout: 30_000,
  }, async () => {
    const m = await startModel();
    model = m;
    media = await createMediaStreamServer({ port: 0, path: '/media' });
    const bridges: CallBridge[] = [];
    media.on('call', (call) => {
      const realtime = new RealtimeClient({ url: m.url, reconnect: false, heartbeatIntervalMs: 0 });
      // The quality monitor is off: with it on the caller audio is decoded too, but only for the monitor.
      bridges.push(bridgeCall(twilioCallSession(call), realtime, { quality: false, hangupTool: false }));
    });
    const s = new TwilioSimulator({ url: `ws://127.0.0.1:${media.port}/media`, speed: 5 });
    sim = s;
    await s.connect();
    await waitUntil(() => bridges.length === 1, 'the call to reach the bridge');
    expect(await bridges[0].ready).toBe(true);
    await waitUntil(() => m.formats.length > 0, 'the session configuration');
    expect(m.formats.at(-1)).toMatchObject({
      input: { format: { type: 'audio/pcmu' } },
      output: { format: { type: 'audio/pcmu' } },
    });

    // Caller → model: everything the phone sent (idle silence, then every code) arrives as it was sent.
    await s.streamAudio(encodedFrame('pcmu', allCodes(5)));
    const sent = s.sentMulaw();
    await waitUntil(() => m.received().length >= sent.length, 'the caller audio to reach the model');
    expect(Buffer.from(m.received().subarray(0, sent.length))).toEqual(Buffer.from(sent));
    expect(m.received().includes(0x7f)).toBe(true);
    // In 40 ms appends (two Twilio frames): the partial one, if any, waits for its second frame.
    expect(new Set(m.appends)).toEqual(new Set([320]));

    // Model → caller: the agent's mu-law plays exactly as the model sent it (10 whole 20 ms frames).
    const spoken = allCodes(25).subarray(0, 1600);
    m.speak(spoken);
    await waitUntil(() => s.heardMulaw().length >= spoken.length, 'the agent audio to be heard');
    expect(Buffer.from(s.heardMulaw().subarray(0, spoken.length))).toEqual(Buffer.from(spoken));
    await bridges[0].close();
  });
});
