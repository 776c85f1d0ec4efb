import { audioFrame } from '@voxwire/codecs';
import { describe, expect, it } from 'vitest';
import { JanusAudioBridge, JanusClient, JanusError, type JanusParticipant } from '../src/index.js';
import { hearTone, JANUS_PEER, longTone, useJanus } from './helpers/janus.js';
import { eventWithin } from './helpers/peers.js';

// A real Janus (Debian package) started for this file; `client()` connects a JanusClient to it.
const janus = useJanus();
const client = janus.client;

describe('JanusClient', () => {
  it('creates a session, attaches and detaches; unknown plugins and wrong API secrets are typed errors', async () => {
    const c = await client();
    expect(c.sessionId).toBeTypeOf('number');
    const h = await c.attach('janus.plugin.audiobridge');
    expect(h.id).toBeTypeOf('number');
    await h.detach();
    expect(h.isDetached).toBe(true);

    const unknown = await c.attach('janus.plugin.nosuchthing').catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(JanusError);
    expect((unknown as JanusError).code).toBe('JANUS_ERROR');
    expect((unknown as JanusError).janusCode).toBe(460);
    // The session survives a failed request.
    expect((await c.attach('janus.plugin.videoroom')).plugin).toBe('janus.plugin.videoroom');

    const wrong = new JanusClient({ url: janus.server().url, apiSecret: 'not-the-secret', reconnect: false });
    const denied = await wrong.connect().catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(JanusError);
    expect((denied as JanusError).janusCode).toBe(403);
    await wrong.close();
  });
});

describe('JanusAudioBridge', () => {
  it('two agents in one room hear each other through the mixer; joins and leaves raise events', async () => {
    const [ca, cb] = await Promise.all([client(), client()]);
    const a = new JanusAudioBridge(ca, { peer: JANUS_PEER });
    const b = new JanusAudioBridge(cb, { peer: JANUS_PEER });
    try {
      const room = await a.createRoom({
        adminKey: janus.server().adminKey,
        samplingRate: 16000,
        secret: 's',
      });
      expect(await b.exists(room)).toBe(true);

      const joinedA = await a.join(room, { display: 'agent-a' });
      expect(joinedA.participants).toEqual([]);
      const seenB = eventWithin<[JanusParticipant]>(a, 'participant-joined', 30_000);
      const joinedB = await b.join(room, { display: 'agent-b' });
      expect(joinedB.participants.map((p) => p.display)).toEqual(['agent-a']);
      const [pb] = await seenB;
      expect(pb.id).toBe(joinedB.id);
      expect(pb.display).toBe('agent-b');

      await Promise.all([
        a.peer?.connectionState === 'connected'
          ? undefined
          : eventWithin(a.peer as never, 'connected', 30_000),
        b.peer?.connectionState === 'connected'
          ? undefined
          : eventWithin(b.peer as never, 'connected', 30_000),
      ]);
      const aHears = hearTone(a, 660);
      const bHears = hearTone(b, 440);
      a.sendAudio(audioFrame(longTone(440), 16000));
      b.sendAudio(audioFrame(longTone(660), 16000));
      const [atA, atB] = await Promise.all([aHears, bHears]);
      expect(atA.hz).toBeCloseTo(660, -1);
      expect(atB.hz).toBeCloseTo(440, -1);

      expect(Math.abs(atA.zcHz - 660)).toBeLessThan(15);
      expect(Math.abs(atB.zcHz - 440)).toBeLessThan(15);

      const listed = await a.listParticipants();
      expect(listed.map((p) => p.display).sort()).toEqual(['agent-a', 'agent-b']);

      await a.mute(true);
      const afterMute = await b.listParticipants();
      expect(afterMute.find((p) => p.display === 'agent-a')?.muted).toBe(true);

      const left = eventWithin<[JanusParticipant]>(a, 'participant-left', 30_000);
      await b.leave();
      const [gone] = await left;
      expect(gone.id).toBe(joinedB.id);
      expect(gone.display).toBe('agent-b');
      expect(a.participants).toEqual([]);

      await a.leave();
      await a.destroyRoom(room, { secret: 's' });
      expect(await a.exists(room)).toBe(false);
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
    }
  });

  it('refuses a wrong room PIN and an unknown room with typed errors', async () => {
    const c = await client();
    const bridge = new JanusAudioBridge(c, { peer: JANUS_PEER });
    try {
      const wrongPin = await bridge.join(1234, { display: 'x', pin: 'wrong' }).catch((e: unknown) => e);
      expect(wrongPin).toBeInstanceOf(JanusError);
      expect((wrongPin as JanusError).plugin).toBe('janus.plugin.audiobridge');
      // JANUS_AUDIOBRIDGE_ERROR_UNAUTHORIZED
      expect((wrongPin as JanusError).janusCode).toBe(489);
      expect((wrongPin as JanusError).message).toMatch(/unauthori[sz]ed/i);
      const noRoom = await bridge.join(999_999, { display: 'x' }).catch((e: unknown) => e);
      // JANUS_AUDIOBRIDGE_ERROR_NO_SUCH_ROOM
      expect((noRoom as JanusError).janusCode).toBe(485);
      // Still usable: the right PIN gets in.
      const ok = await bridge.join(1234, { display: 'x', pin: '1234pin' });
      expect(ok.room).toBe(1234);
    } finally {
      await bridge.close();
    }
  });
});
