// The example as a person runs it: the agent server with its embedded local model, reached by a simulated
// Twilio call through the TwiML webhook's stream URL, and by an AudioCodes connection check.
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type OpusAgent, startOpusAgent } from '../src/agent.js';

let agent: OpusAgent | undefined;
afterEach(async () => {
  await agent?.close();
  agent = undefined;
});

describe('OpusAgent example', () => {
  it('answers a Twilio call with speech from the local model, and serves TwiML', {
    timeout: 120_000,
  }, async () => {
    const lines: string[] = [];
    agent = await startOpusAgent({ port: 0, audiocodesToken: 't0k3n', log: (l) => lines.push(l) });
    const twimlRes = await fetch(`${agent.url}/twilio/voice`, { method: 'POST' });
    const body = await twimlRes.text();
    expect(body).toContain(`<Stream url="wss://127.0.0.1:${agent.port}/twilio/media-stream"`);

    const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${agent.port}/twilio/media-stream`, speed: 4 });
    await sim.connect();
    await expect.poll(() => agent!.bridges.size).toBe(1);
    const [bridge] = [...agent.bridges];
    expect(await bridge.ready).toBe(true);
    // A caller burst of tone-like "speech" followed by silence is a turn for the server VAD.
    const rate = 8000;
    const words = new Int16Array(rate);
    for (let i = 0; i < words.length; i++)
      words[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / rate));
    await sim.streamPcm(words, rate);
    await sim.streamPcm(new Int16Array(rate), rate);
    await sim.until(() => sim.marks.some((m) => m.name.startsWith('utterance') && !m.flushed));
    const heard = sim.heardPcm();
    let energy = 0;
    for (const v of heard) energy += v * v;
    expect(Math.sqrt(energy / heard.length)).toBeGreaterThan(50); // the agent spoke
    await sim.stop();
    await expect.poll(() => agent!.bridges.size).toBe(0);
    expect(lines.some((l) => /ended: call ended/.test(l))).toBe(true);
  });

  it('refuses AudioCodes connections without the token', async () => {
    agent = await startOpusAgent({ port: 0, audiocodesToken: 't0k3n', log: () => {} });
    const ws = new WebSocket(`ws://127.0.0.1:${agent.port}/audiocodes`);
    const status = await new Promise<number>((resolve) =>
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
  });
});
