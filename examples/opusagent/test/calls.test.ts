// The configuration doing what the README says, on real calls: espeak-ng speech through the Twilio
// simulator (and the AudioCodes test client) to the agent and its embedded local realtime server.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AudioCodesTestClient } from '@voxwire/audiocodes';
import { mulaw, wav } from '@voxwire/codecs';
import { concat, dbfs, speech, waitUntil } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpusAgent, startOpusAgent } from '../src/agent.js';
import { configFromEnv } from '../src/config.js';

let agent: OpusAgent | undefined;
let dir: string | undefined;
afterEach(async () => {
  await agent?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  agent = dir = undefined;
});

/** The agent as `main.ts` starts it, from these environment variables. */
async function agentFromEnv(env: Record<string, string>, lines: string[]): Promise<OpusAgent> {
  const config = configFromEnv({ PORT: '0', ...env });
  return startOpusAgent({ ...config, audiocodesToken: 't0k3n', log: (l) => lines.push(l), warn: () => {} });
}

async function call(a: OpusAgent, speed = 4): Promise<TwilioSimulator> {
  const sim = new TwilioSimulator({ url: `ws://127.0.0.1:${a.port}/twilio/media-stream`, speed });
  await sim.connect();
  await waitUntil(() => a.bridges.size === 1, 'the call to be bridged');
  expect(await [...a.bridges][0].ready).toBe(true);
  return sim;
}

describe('OpusAgent configuration on real calls', () => {
  it('VAD_ENABLED=false: the agent commits the spoken turn and the model answers; the call is recorded, alerts and a summary logged', {
    timeout: 90_000,
  }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'opusagent-rec-'));
    const lines: string[] = [];
    agent = await agentFromEnv(
      {
        VAD_ENABLED: 'false',
        RECORDING_ENABLED: 'true',
        RECORDING_DIR: dir,
        LATENCY_ALERT_THRESHOLD: '0',
        LOG_LEVEL: 'debug',
      },
      lines,
    );
    const sim = await call(agent);
    const [bridge] = [...agent.bridges];
    expect(bridge.realtime.sessionConfig.audio?.input?.turn_detection).toBeNull();
    const commits: string[] = [];
    bridge.realtime.on('input_audio_buffer.committed', (e) => commits.push(e.item_id));
    // A question, then a second of silence: the agent's VAD ends the turn after 300 ms of it.
    await sim.streamPcm(concat(speech('What time is it?', 8000), new Int16Array(8000)), 8000);
    await sim.until(() => sim.marks.some((m) => m.name.startsWith('utterance') && !m.flushed));
    expect(commits).toHaveLength(1);
    expect(dbfs(sim.heardPcm())).toBeGreaterThan(-45); // the agent answered aloud
    // The response's end and its transcript may trail its last audio by a message or two.
    await waitUntil(() => bridge.metrics().turns === 1, 'response.done');
    await waitUntil(() => lines.some((l) => /^debug call .*agent said: \S/.test(l)), 'the transcript');
    const sent = sim.sentMulaw();
    const heard = sim.heardMulaw();
    await sim.stop();
    await waitUntil(() => lines.some((l) => l.includes('recording saved')), 'the recording');

    // Alerts are logged as warnings, what was said at debug, a summary at hang-up.
    expect(lines.some((l) => /^warn call .*turn latency \d+ ms \(over 0 ms\)/.test(l))).toBe(true);
    const summary = lines.find((l) => l.includes('summary:'));
    expect(summary).toMatch(
      /^info call \S+ summary: [\d.]+ s, frames in \d+ out \d+, turns 1, turn latency p50 \d+ ms/,
    );
    expect(summary).toMatch(/alerts .*turn-latency 1/);
    // The bridge's own end line is a detail (debug); the agent's is the one at info.
    expect(lines.some((l) => /^debug bridge \S+: ended: call ended/.test(l))).toBe(true);
    expect(lines.some((l) => /^info call \S+ ended: call ended/.test(l))).toBe(true);

    // The recording is the call: the caller track is what the phone sent, decoded; the agent track holds
    // what the phone played, at the level it was played.
    const callDir = join(dir, sim.callSid);
    const caller = wav.read(await readFile(join(callDir, 'caller.wav')));
    const agentSide = wav.read(await readFile(join(callDir, 'agent.wav')));
    const mixed = wav.read(await readFile(join(callDir, 'mixed.wav')));
    expect([caller.sampleRate, caller.channels, mixed.channels]).toEqual([8000, 1, 2]);
    // The phone's first idle frame may come before the call is bridged: the recording starts with the
    // bridge, and from there on it is every sample the phone sent.
    const saved = JSON.parse(await readFile(join(callDir, 'summary.json'), 'utf8'));
    const recorded = saved.metrics.bytesIn as number;
    expect(recorded).toBeGreaterThan(sent.length * 0.9);
    const sentPcm = mulaw.decode(sent.subarray(sent.length - recorded));
    expect(Buffer.from(caller.data.buffer, caller.data.byteOffset, sentPcm.byteLength)).toEqual(
      Buffer.from(sentPcm.buffer),
    );
    // Agent audio sits where it played on the caller's clock (silence between deltas included): its
    // sounding samples are those the phone heard, in order.
    const sounding = (x: ArrayLike<number>) => Array.from(x).filter((v) => v !== 0);
    expect(sounding(agentSide.data).length).toBeGreaterThan(1000);
    expect(sounding(agentSide.data)).toEqual(sounding(mulaw.decode(heard)));
    expect(saved).toMatchObject({
      callId: sim.callSid,
      sampleRate: 8000,
      stereo: true,
      metrics: { turns: 1 },
    });
  });

  it('LOG_LEVEL=warn, AUDIO_QUALITY_MONITORING=false, MODEL_AUDIO_FORMAT=pcm24, CHUNK_SIZE_ALERT_THRESHOLD', {
    timeout: 60_000,
  }, async () => {
    const lines: string[] = [];
    agent = await agentFromEnv(
      {
        LOG_LEVEL: 'warn',
        AUDIO_QUALITY_MONITORING: 'false',
        MODEL_AUDIO_FORMAT: 'pcm24',
        CHUNK_SIZE_ALERT_THRESHOLD: '100',
      },
      lines,
    );
    const sim = await call(agent);
    const [bridge] = [...agent.bridges];
    // 24 kHz PCM asked of the model instead of the call's mu-law.
    expect(bridge.realtime.sessionConfig.audio?.input?.format).toEqual({ type: 'audio/pcm', rate: 24000 });
    await sim.streamPcm(speech('Hello.', 8000), 8000);
    await waitUntil(() => bridge.metrics().chunksIn >= 10, 'caller audio');
    const m = bridge.metrics();
    // No quality analysis; every 160-byte Twilio frame is over a 100-byte threshold.
    expect(m.quality).toBeUndefined();
    expect(m.alerts['chunk-size']).toBe(m.chunksIn);
    await sim.stop();
    await waitUntil(() => agent!.bridges.size === 0, 'the call to end');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.startsWith('warn ') || l.startsWith('error '))).toBe(true);
    expect(lines.some((l) => /caller chunk of 160 bytes/.test(l))).toBe(true);
  });

  it('AUDIOCODES_DEFAULT_FORMAT is used when VAIC offers no format; play streams name the participant', {
    timeout: 60_000,
  }, async () => {
    const lines: string[] = [];
    agent = await agentFromEnv({ AUDIOCODES_DEFAULT_FORMAT: 'raw/mulaw' }, lines);
    const vaic = await AudioCodesTestClient.connect(
      `ws://127.0.0.1:${agent.port}/audiocodes`,
      't0k3n',
      'conv-1',
    );
    expect(await vaic.initiate([])).toMatchObject({ type: 'session.accepted', mediaFormat: 'raw/mulaw' });
    await waitUntil(() => agent!.bridges.size === 1, 'the conversation to be bridged');
    const [bridge] = [...agent.bridges];
    expect(await bridge.ready).toBe(true);
    // A mu-law conversation passes its audio through to the model.
    expect(bridge.realtime.sessionConfig.audio?.input?.format).toEqual({ type: 'audio/pcmu' });
    bridge.realtime.sendText('Say hello.', { respond: true });
    const start = await vaic.waitType('playStream.start');
    expect(start).toMatchObject({ mediaFormat: 'raw/mulaw', participant: 'caller' });
    vaic.send({ type: 'session.end', reason: 'caller hung up' });
    await waitUntil(() => agent!.bridges.size === 0, 'the conversation to end');
    await vaic.close();
  });
});
