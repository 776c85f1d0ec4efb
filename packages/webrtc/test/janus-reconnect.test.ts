import { audioFrame } from '@voxwire/codecs';
import { type JanusServer, startJanus } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  JanusAudioBridge,
  type JanusAudioBridgeJoined,
  JanusClient,
  type JanusReconnectInfo,
} from '../src/index.js';
import { hearTone, JANUS_PEER, longTone } from './helpers/janus.js';
import { eventWithin } from './helpers/peers.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';

// A real Janus (Debian package) started, cut off and restarted by the test.
let janus: JanusServer;

beforeAll(async () => {
  janus = await startJanus();
});

afterAll(async () => {
  await janus?.stop();
});

describe('JanusClient reconnection', () => {
  it('reclaims its session after the socket drops (Janus still running): handles and the call go on', async () => {
    const proxy = await startTcpProxy(Number(new URL(janus.url).port));
    const c = new JanusClient({ url: `ws://127.0.0.1:${proxy.port}`, apiSecret: janus.apiSecret });
    const other = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret });
    await Promise.all([c.connect(), other.connect()]);
    const a = new JanusAudioBridge(c, { peer: JANUS_PEER });
    const b = new JanusAudioBridge(other, { peer: JANUS_PEER });
    try {
      const session = c.sessionId;
      await a.join(1234, { display: 'via-proxy', pin: '1234pin' });
      const joinedB = await b.join(1234, { display: 'direct', pin: '1234pin' });
      const back = eventWithin<[JanusReconnectInfo]>(c, 'reconnected', 60_000);
      const down = eventWithin<[string]>(c, 'disconnected', 10_000);
      proxy.cut();
      await down;
      const [info] = await back;
      expect(info.reclaimed).toBe(true);
      expect(info.sessionId).toBe(session);
      expect(c.sessionId).toBe(session);
      // The old handle still works, and the media path (not carried by the socket) was never interrupted.
      const listed = await a.listParticipants();
      expect(listed.map((p) => p.display).sort()).toEqual(['direct', 'via-proxy']);
      const hears = hearTone(a, 550);
      b.sendAudio(audioFrame(longTone(550, 10), 16000));
      expect((await hears).hz).toBeCloseTo(550, -1);
      expect(a.participants.map((p) => p.id)).toEqual([joinedB.id]);
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
      await Promise.allSettled([c.close(), other.close()]);
      await proxy.close();
    }
  });

  it('survives a Janus restart mid-call: new session, the AudioBridge rejoins and audio flows again', async () => {
    const ca = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret });
    const cb = new JanusClient({ url: janus.url, apiSecret: janus.apiSecret });
    await Promise.all([ca.connect(), cb.connect()]);
    const a = new JanusAudioBridge(ca, { peer: JANUS_PEER });
    const b = new JanusAudioBridge(cb, { peer: JANUS_PEER });
    try {
      // Room 1234 is in the configuration file, so it exists again after the restart.
      await a.join(1234, { display: 'a', pin: '1234pin' });
      await b.join(1234, { display: 'b', pin: '1234pin' });
      const before = hearTone(b, 440);
      a.sendAudio(audioFrame(longTone(440, 60), 16000));
      await before;
      const oldSession = ca.sessionId;

      const lost = eventWithin<[number]>(ca, 'session-lost', 90_000);
      const reconnected = eventWithin<[JanusReconnectInfo]>(ca, 'reconnected', 90_000);
      const rejoinedA = eventWithin<[JanusAudioBridgeJoined]>(a, 'rejoined', 90_000);
      const rejoinedB = eventWithin<[JanusAudioBridgeJoined]>(b, 'rejoined', 90_000);
      await janus.restart();
      expect((await lost)[0]).toBe(oldSession);
      const [info] = await reconnected;
      expect(info.reclaimed).toBe(false);
      expect(info.sessionId).not.toBe(oldSession);
      await Promise.all([rejoinedA, rejoinedB]);

      // New PeerConnections: both directions carry audio again through the restarted mixer.
      const aHears = hearTone(a, 660);
      const bHears = hearTone(b, 440);
      a.sendAudio(audioFrame(longTone(440, 60), 16000));
      b.sendAudio(audioFrame(longTone(660, 60), 16000));
      const [atA, atB] = await Promise.all([aHears, bHears]);
      expect(atA.hz).toBeCloseTo(660, -1);
      expect(atB.hz).toBeCloseTo(440, -1);
    } finally {
      await Promise.allSettled([a.close(), b.close()]);
      await Promise.allSettled([ca.close(), cb.close()]);
    }
  }, 180_000);
});
