// ROOM=janus against a real Janus gateway (Debian's janus, started the way @voxwire/webrtc's own Janus tests
// start it): OpenClaw creates and joins the AudioBridge room; another participant of that room and a phone
// call into OpenClaw hear each other through Janus' mix and OpenClaw's.
import { randomInt } from 'node:crypto';
import { audioFrame } from '@voxwire/codecs';
import { concat, type JanusServer, startJanus, tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { JanusAudioBridge, JanusClient } from '@voxwire/webrtc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenClaw } from '../src/openclaw.js';
import { startTestOpenClaw } from './helpers/app.js';
import { BROWSER_HZ, blockLevels, blocksWith, CALL_HZ, PROBE_HZ } from './helpers/audio.js';
import { waitFor } from './helpers/wait.js';

const I_CALL = PROBE_HZ.indexOf(CALL_HZ);
const I_BROWSER = PROBE_HZ.indexOf(BROWSER_HZ);

describe('ROOM=janus: OpenClaw in a Janus AudioBridge room', () => {
  let janus: JanusServer;
  let app: OpenClaw | undefined;
  const closers: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    janus = await startJanus();
  }, 60_000);
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
    await app?.close();
    await janus?.stop();
  });

  it('creates and joins the room; a Janus participant and a call into OpenClaw hear each other', async () => {
    const room = randomInt(100_000, 2 ** 31 - 1);
    let logs: Record<string, unknown>[];
    ({ app, logs } = await startTestOpenClaw(
      { device: false },
      {
        ROOM: 'janus',
        JANUS_URL: janus.url,
        JANUS_API_SECRET: janus.apiSecret,
        JANUS_ADMIN_KEY: janus.adminKey,
        JANUS_ROOM: String(room),
      },
    ));
    const roomId = `janus_${room}`;
    expect(app.router.has(roomId)).toBe(true);

    // Someone who joined the Janus room directly (as a browser with janus.js would), talking at 440 Hz.
    const client = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret });
    await client.connect();
    const guest = new JanusAudioBridge(client, {
      peer: { iceAdditionalHostAddresses: ['127.0.0.1'], sampleRate: 48000 },
    });
    closers.push(
      () => client.close(),
      () => guest.close(),
    );
    const joined = await guest.join(room, { display: 'guest' });
    expect(joined.participants.map((p) => p.display)).toEqual(['OpenClaw']);
    const guestHeard: Int16Array[] = [];
    guest.on('audio', (f) => guestHeard.push(f.data));

    // A phone call into OpenClaw, talking at 1 kHz.
    const sim = new TwilioSimulator({ url: app.mediaStreamUrl, speed: 1 });
    closers.push(() => sim.stop());
    await sim.connect();
    await waitFor(() => app?.router.has(`call_${sim.callSid}`) === true, 'the call in the mix');

    guest.sendAudio(audioFrame(tone(BROWSER_HZ, 48000, 20 * 48000, 0.25), 48000));
    const callMark = sim.heardPcm().length;
    void sim.streamAudio(audioFrame(tone(CALL_HZ, 8000, 10 * 8000, 0.25), 8000));

    // The call hears the Janus room (440 Hz through Janus' mix, then OpenClaw's) …
    await waitFor(
      () => blocksWith(blockLevels(sim.heardPcm().subarray(callMark), 8000), I_BROWSER) >= 5,
      'the caller hearing the Janus guest',
    );
    // … and the Janus guest hears the caller (1 kHz through OpenClaw's leg and Janus' mix).
    await waitFor(
      () => blocksWith(blockLevels(concat(...guestHeard), 48000), I_CALL) >= 5,
      'the Janus guest hearing the caller',
    );
    // The room destroyed under OpenClaw (by anyone who may): it leaves the mix, and OpenClaw carries on.
    await guest.destroyRoom(room);
    await waitFor(() => app?.router.has(roomId) === false, 'the destroyed room to leave the mix');
    expect(logs.some((l) => l.msg === 'removed from the Janus room')).toBe(true);
    expect(app.router.ids().sort()).toEqual(['agent', `call_${sim.callSid}`]);
  }, 120_000);
});
