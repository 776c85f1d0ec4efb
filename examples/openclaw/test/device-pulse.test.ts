// The device path on a real sound server: a private PulseAudio (startPulse of @voxwire/test-support) with two
// null sinks as the sound card — `claw_mic`, whose monitor is OpenClaw's microphone, and `claw_out`, its
// speaker. A 440 Hz tone played into the microphone reaches a WebRTC peer, a phone call and the model; what a
// caller and the agent say comes out of the speaker (recorded from its monitor by `parecord`), without the
// microphone's own sound.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audioFrame, wav } from '@voxwire/codecs';
import { concat, type PulseServer, startPulse, tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TurnEvent } from '../src/agent-pipeline.js';
import { MIC_ID } from '../src/device.js';
import { joinNodePeer, type NodeParticipant } from '../src/node-participant.js';
import { startTestOpenClaw } from './helpers/app.js';
import { AGENT_HZ, BROWSER_HZ, blockLevels, blocksWith, CALL_HZ, PROBE_HZ, peakOf } from './helpers/audio.js';
import { nextEvent, waitFor } from './helpers/wait.js';

const MIC_HZ = BROWSER_HZ; // the microphone talks at 440 Hz here
const I_MIC = PROBE_HZ.indexOf(MIC_HZ);
const I_CALL = PROBE_HZ.indexOf(CALL_HZ);
const I_AGENT = PROBE_HZ.indexOf(AGENT_HZ);

/** Records a Pulse source as mono 48 kHz PCM through `parecord` (PulseAudio's own client, not ours). */
function recordSource(device: string): { pcm(): Int16Array; stop(): Promise<void> } {
  const child: ChildProcess = spawn(
    'parecord',
    ['--raw', `--device=${device}`, '--rate=48000', '--channels=1', '--format=s16le', '--latency-msec=20'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  return {
    pcm() {
      const all = Buffer.concat(chunks);
      return new Int16Array(all.buffer, all.byteOffset, Math.floor(all.length / 2));
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('OpenClaw on PulseAudio: microphone → peers, call, model; mix → speaker', () => {
  let pulse: PulseServer;
  let dir: string;
  beforeAll(async () => {
    pulse = await startPulse('claw_mic');
    pulse.pactl('load-module', 'module-null-sink', 'sink_name=claw_out', 'rate=48000', 'channels=2');
    dir = mkdtempSync(join(tmpdir(), 'openclaw-pulse-'));
  }, 30_000);
  afterAll(async () => {
    await pulse?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('carries the microphone to a peer, a caller and the model, and the others to the speaker', async () => {
    const { app, logs } = await startTestOpenClaw(
      {},
      { AUDIO_BACKEND: 'pulse', AUDIO_INPUT_DEVICE: 'claw_mic.monitor', AUDIO_OUTPUT_DEVICE: 'claw_out' },
    );
    let peer: NodeParticipant | undefined;
    const sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
    const speaker = recordSource('claw_out.monitor');
    try {
      expect(app.device?.core.capture.stats()).toMatchObject({
        backend: 'pulse',
        deviceId: 'claw_mic.monitor',
      });
      [peer] = await Promise.all([joinNodePeer(app.signalingUrl), sim.connect()]);
      await waitFor(() => app.router.ids().length === 4, 'device, agent, peer and call in the mix');
      const p = peer;

      // 1. The microphone talks: 2 s of 440 Hz at -15 dBFS played into the microphone's sink.
      const file = join(dir, 'mic.wav');
      writeFileSync(
        file,
        wav.write({ sampleRate: 48000, channels: 1, data: tone(MIC_HZ, 48000, 2 * 48000, 0.25) }),
      );
      const peerMark = p.received.length;
      const callMark = sim.heardPcm().length;
      const micTurn = nextEvent<TurnEvent>(
        app.agent,
        'turn',
        (t) => t.speaker === MIC_ID,
        'a turn from the microphone',
        60_000,
      );
      await pulse.play(file);
      await waitFor(
        () => blocksWith(blockLevels(concat(...p.received.slice(peerMark)), 48000), I_MIC) >= 5,
        'the peer hearing the microphone',
      );
      await waitFor(
        () => blocksWith(blockLevels(sim.heardPcm().subarray(callMark), 8000), I_MIC) >= 5,
        'the caller hearing the microphone',
      );
      // The model hears it too: its turn detector starts a turn and attributes it to the microphone.
      await micTurn;
      const atPeer = peakOf(blockLevels(concat(...p.received.slice(peerMark)), 48000), I_MIC);
      console.log(`microphone 440 Hz: played at -15 dBFS, heard by the peer at ${atPeer.toFixed(1)} dBFS`);
      expect(atPeer).toBeGreaterThan(-21);
      expect(atPeer).toBeLessThan(-9);

      // 2. The caller talks (1 kHz) and the agent answers (660 Hz): both come out of the speaker.
      const speakerMark = speaker.pcm().length;
      await sim.streamAudio(audioFrame(tone(CALL_HZ, 8000, 1.5 * 8000, 0.25), 8000));
      await waitFor(
        () => blocksWith(blockLevels(speaker.pcm().subarray(speakerMark), 48000), I_CALL) >= 5,
        'the caller on the speaker',
      );
      await waitFor(
        () => blocksWith(blockLevels(speaker.pcm().subarray(speakerMark), 48000), I_AGENT) >= 5,
        'the agent on the speaker',
        90_000,
      );
      // The speaker plays the mix minus the microphone: the 440 Hz the microphone sent is not played back.
      const played = blockLevels(speaker.pcm(), 48000);
      console.log(
        `speaker: 1 kHz peak ${peakOf(played, I_CALL).toFixed(1)}, 660 Hz ${peakOf(played, I_AGENT).toFixed(1)}, 440 Hz ${peakOf(played, I_MIC).toFixed(1)} dBFS`,
      );
      expect(peakOf(played, I_MIC)).toBeLessThan(peakOf(played, I_CALL) - 20);
      expect(logs.filter((l) => l.level === 'error')).toEqual([]);
    } finally {
      await speaker.stop();
      await sim.stop().catch(() => {});
      await peer?.leave();
      await app.close();
    }
  }, 150_000);
});
