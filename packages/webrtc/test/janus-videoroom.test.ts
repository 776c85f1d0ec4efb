import { audioFrame } from '@voxwire/codecs';
import { describe, expect, it } from 'vitest';
import { JanusError, type JanusParticipant, JanusVideoRoom } from '../src/index.js';
import { hearTone, JANUS_PEER, longTone, useJanus } from './helpers/janus.js';
import { eventWithin } from './helpers/peers.js';

// A real Janus (Debian package) started for this file; `client()` connects a JanusClient to it.
const janus = useJanus();
const client = janus.client;

describe('JanusVideoRoom (audio only)', () => {
  it('carries each published feed to its own subscriber', async () => {
    const [ca, cb, cl] = await Promise.all([client(), client(), client()]);
    const va = new JanusVideoRoom(ca, { peer: JANUS_PEER });
    const vb = new JanusVideoRoom(cb, { peer: JANUS_PEER });
    const listener = new JanusVideoRoom(cl, { peer: JANUS_PEER });
    const room = await va.createRoom({ adminKey: janus.server().adminKey, pin: 'vr-pin' });

    const wrongPin = await vb.publish(room, { display: 'b', pin: 'nope' }).catch((e: unknown) => e);
    expect(wrongPin).toBeInstanceOf(JanusError);
    expect((wrongPin as JanusError).plugin).toBe('janus.plugin.videoroom');
    expect((wrongPin as JanusError).janusCode).toBe(433); // JANUS_VIDEOROOM_ERROR_UNAUTHORIZED

    const pubA = await va.publish(room, { display: 'speaker-a', pin: 'vr-pin' });
    const added = eventWithin<[JanusParticipant]>(pubA, 'publisher-added', 30_000);
    const pubB = await vb.publish(room, { display: 'speaker-b', pin: 'vr-pin' });
    expect(pubB.publishers.map((p) => p.display)).toEqual(['speaker-a']);
    const [seen] = await added;
    expect(seen.id).toBe(pubB.id);
    pubA.sendAudio(audioFrame(longTone(440), 16000));
    pubB.sendAudio(audioFrame(longTone(660), 16000));

    const subA = await listener.subscribe(room, pubA.id, { pin: 'vr-pin' });
    const subB = await listener.subscribe(room, pubB.id, { pin: 'vr-pin' });
    try {
      // Each subscription carries one speaker only: A's feed is 440 Hz, B's is 660 Hz.
      const [hA, hB] = await Promise.all([hearTone(subA, 440), hearTone(subB, 660)]);
      expect(hA.hz).toBeCloseTo(440, -1);
      expect(hB.hz).toBeCloseTo(660, -1);

      const noFeed = await listener.subscribe(room, 424242, { pin: 'vr-pin' }).catch((e: unknown) => e);
      expect(noFeed).toBeInstanceOf(JanusError);
      expect((noFeed as JanusError).janusCode).toBe(428); // JANUS_VIDEOROOM_ERROR_NO_SUCH_FEED

      const removed = eventWithin<[number | string]>(pubA, 'publisher-removed', 30_000);
      await pubB.unpublish();
      expect((await removed)[0]).toBe(pubB.id);
    } finally {
      await Promise.allSettled([subA.close(), subB.close(), pubA.unpublish(), pubB.unpublish()]);
      await va.destroyRoom(room).catch(() => undefined);
      await Promise.allSettled([va.close(), vb.close(), listener.close()]);
    }
  });
});
