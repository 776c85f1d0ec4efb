import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RealtimeAgent, RealtimeSession, type RealtimeSessionConfig } from '@openai/agents/realtime';
import { TwilioRealtimeTransportLayer } from '@openai/agents-extensions';
import { audioFrame } from '@voxwire/codecs';
import {
  createRealtimeServer,
  NullTranscriber,
  type RealtimeServer,
  ScriptedResponder,
} from '@voxwire/realtime-server';
import { dbfs, speech } from '@voxwire/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { TwilioSimulator, validateTwilioSignature } from '../../src/index.js';

// The documented way to run the OpenAI Agents SDK's Twilio transport, with every part real except Twilio
// and OpenAI: TwilioSimulator places the call (signed upgrade, caller speech from espeak-ng), a `ws` server
// hands the Twilio socket to TwilioRealtimeTransportLayer, and the RealtimeSession talks to
// @voxwire/realtime-server on loopback. What the caller hears is checked as audio: level and pitch.

const authToken = '0123456789abcdef0123456789abcdef';
const publicUrl = 'wss://voice.example.com/twilio';

/** Twilio's media is G.711 mu-law: the session must say so, or the caller hears PCM bytes as noise. */
const PHONE_AUDIO: Partial<RealtimeSessionConfig> = {
  audio: { input: { format: { type: 'audio/pcmu' } }, output: { format: { type: 'audio/pcmu' } } },
};

interface Harness {
  realtime: RealtimeServer;
  twilioWss: WebSocketServer;
  sessions: RealtimeSession[];
  url: string;
}

let harness: Harness | undefined;
afterEach(async () => {
  if (!harness) return;
  for (const s of harness.sessions) s.close();
  await new Promise<void>((resolve) => harness?.twilioWss.close(() => resolve()));
  await harness.realtime.close();
  harness = undefined;
});

async function start(config: Partial<RealtimeSessionConfig> | undefined): Promise<Harness> {
  const realtime = await createRealtimeServer({
    port: 0,
    pacing: 'fast', // like the real service, audio arrives faster than it plays: seconds buffered at Twilio
    engines: {
      transcriber: new NullTranscriber(),
      responder: new ScriptedResponder([
        {
          text:
            'Hello, thank you for calling. How can I help you today? I can tell you about the weather, ' +
            'your bill, the opening hours of every shop in town, and a great many other things besides.',
        },
        { text: 'Sure, let me check that for you.' },
      ]),
    },
  });
  const sessions: RealtimeSession[] = [];
  // Your server: accept Twilio's WebSocket (signature checked), hand it to the transport.
  const twilioWss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: ({ req }: { req: IncomingMessage }) =>
      validateTwilioSignature(authToken, String(req.headers['x-twilio-signature'] ?? ''), publicUrl),
  });
  twilioWss.on('connection', (ws: WebSocket) => {
    const transport = new TwilioRealtimeTransportLayer({ twilioWebSocket: ws });
    const agent = new RealtimeAgent({ name: 'Phone agent', instructions: 'Answer the caller.' });
    const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime', config });
    sessions.push(session);
    void session.connect({ apiKey: 'sk-local', url: `${realtime.url}?model=gpt-realtime` });
  });
  await new Promise<void>((resolve) => twilioWss.once('listening', () => resolve()));
  const port = (twilioWss.address() as AddressInfo).port;
  return { realtime, twilioWss, sessions, url: `ws://127.0.0.1:${port}/twilio` };
}

/**
 * Fraction of 40 ms frames above -45 dBFS that are voiced with a pitch in the human range (70–400 Hz),
 * by normalised autocorrelation. Speech from espeak-ng scores about 0.85; PCM bytes played as mu-law (noise) about 0.1.
 */
function voicedFraction(pcm: Int16Array, rate = 8000): { voiced: number; loud: number } {
  const n = Math.round(rate * 0.04);
  let loud = 0;
  let voiced = 0;
  for (let start = 0; start + n <= pcm.length; start += n) {
    const f = pcm.subarray(start, start + n);
    if (dbfs(f) < -45) continue;
    loud++;
    let best = 0;
    for (let lag = Math.floor(rate / 400); lag <= Math.ceil(rate / 70); lag++) {
      let xy = 0;
      let xx = 0;
      let yy = 0;
      for (let i = 0; i + lag < n; i++) {
        xy += f[i] * f[i + lag];
        xx += f[i] * f[i];
        yy += f[i + lag] * f[i + lag];
      }
      const r = xy / Math.sqrt(xx * yy + 1e-9);
      if (r > best) best = r;
    }
    if (best > 0.6) voiced++;
  }
  return { voiced: loud === 0 ? 0 : voiced / loud, loud };
}

async function placeCall(h: Harness): Promise<TwilioSimulator> {
  const sim = new TwilioSimulator({
    url: h.url,
    authToken,
    signatureUrl: publicUrl,
    speed: 1, // real time: barge-in must land while the answer still plays, however loaded the machine
  });
  await sim.connect();
  return sim;
}

describe('TwilioSimulator → Agents SDK TwilioRealtimeTransportLayer → realtime-server', {
  timeout: 120_000,
}, () => {
  it('holds a call: the caller hears the model speak (level and pitch), marks echo, barge-in clears', async () => {
    harness = await start(PHONE_AUDIO);
    const sim = await placeCall(harness);
    await sim.wait(400);
    await sim.streamAudio(audioFrame(speech('Hello, is anybody there?', 16000), 16000));
    // The answer plays; marks the transport sends are echoed as playback reaches them.
    await sim.until(() => sim.playedMs() >= 1500 && sim.marks.length > 0, sim.clockMs + 60_000);
    const heard = sim.heardPcm();
    expect(dbfs(heard)).toBeGreaterThan(-35);
    const { voiced, loud } = voicedFraction(heard);
    expect(loud).toBeGreaterThan(20);
    expect(voiced).toBeGreaterThan(0.6);
    // Barge-in: the caller talks over the answer; the transport sends `clear` with seconds still buffered.
    const playedBefore = sim.playedMs();
    await sim.streamAudio(audioFrame(speech('Wait, stop, I have a question about my bill.', 16000), 16000));
    await sim.until(() => sim.clears.length > 0, sim.clockMs + 60_000);
    expect(sim.clears[0].droppedMs).toBeGreaterThan(500);
    expect(sim.clears[0].playedMs).toBeGreaterThanOrEqual(playedBefore);
    // Marks pending at the clear were echoed at once (flushed), as Twilio does.
    expect(sim.marks.some((m) => m.flushed)).toBe(true);
    expect(sim.report().errors).toEqual([]);
    await sim.stop();
  });

  it('without audio/pcmu the transport asks for 24 kHz PCM and the caller hears noise (why the README says so)', async () => {
    harness = await start(undefined);
    const sim = await placeCall(harness);
    await sim.wait(400);
    await sim.streamAudio(audioFrame(speech('Hello, is anybody there?', 16000), 16000));
    await sim.until(() => sim.playedMs() >= 1500, sim.clockMs + 60_000);
    const { voiced, loud } = voicedFraction(sim.heardPcm());
    expect(loud).toBeGreaterThan(20); // loud...
    expect(voiced).toBeLessThan(0.3); // ...but not speech
    await sim.stop();
  });
});
