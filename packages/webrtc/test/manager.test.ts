import { audioFrame } from '@voxwire/codecs';
import { handleCounts, settleLeaks } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { WebRtcAudioPeer, WebRtcManager } from '../src/index.js';
import { concat, dominantFrequency, tone } from './helpers/audio.js';
import { eventWithin, LOOPBACK } from './helpers/peers.js';
import { openClient } from './helpers/ws-client.js';

describe('WebRtcManager', () => {
  it('tracks connections opened through its signaling server and routes each one’s audio', async () => {
    const baseline = handleCounts();
    const tagged: string[] = [];
    const manager = new WebRtcManager({
      peer: LOOPBACK,
      onAudio: (_frame, info) => tagged.push(info.connectionId),
    });
    const signaling = await manager.startSignaling({ port: 0 });
    const added = eventWithin(manager, 'connection', 40000);

    // Two callers on one WebSocket, each sending its own tone.
    const client = await openClient(signaling.url);
    const callers = [new WebRtcAudioPeer(LOOPBACK), new WebRtcAudioPeer(LOOPBACK)];
    const freqs = [500, 800];
    for (let i = 0; i < 2; i++)
      client.send({ type: 'offer', id: `c${i}`, sdp: await callers[i].createOffer() });
    for (let i = 0; i < 2; i++) {
      const answer = await client.next('answer');
      const caller = callers[Number(answer.id.slice(1))];
      const up = eventWithin(caller, 'connected', 40000);
      await caller.acceptAnswer(answer.sdp);
      await up;
    }
    await added;
    expect(manager.size).toBe(2);
    const ids = manager.ids();
    expect(ids.every((id) => manager.get(id) instanceof WebRtcAudioPeer)).toBe(true);

    // Per-connection handlers see only their own caller's audio.
    const heard = new Map<string, Int16Array[]>();
    const done = ids.map(
      (id) =>
        new Promise<void>((resolve) => {
          const chunks: Int16Array[] = [];
          heard.set(id, chunks);
          const off = manager.onAudio(id, (frame, info) => {
            expect(info.connectionId).toBe(id);
            expect(frame.sampleRate).toBe(48000);
            chunks.push(frame.data);
            if (chunks.length === 40) {
              off();
              resolve();
            }
          });
        }),
    );
    for (const [i, c] of callers.entries()) c.sendAudio(audioFrame(tone(freqs[i], 48000, 1.2), 48000));
    await Promise.all(done);
    const measured = ids.map((id) =>
      Math.round(dominantFrequency(concat(heard.get(id)!).subarray(9600), 48000)),
    );
    expect(measured.sort()).toEqual([500, 800]);
    expect(new Set(tagged)).toEqual(new Set(ids));
    expect(() => manager.onAudio('missing', () => {})).toThrow(/no connection/);

    // Closing one connection removes it; close() closes the rest and the signaling server.
    const gone = eventWithin(manager, 'connection-close', 40000);
    await manager.closeConnection(ids[0]);
    expect((await gone)[0]).toBe(ids[0]);
    expect(manager.get(ids[0])).toBeUndefined();
    await manager.close();
    expect(manager.size).toBe(0);
    await manager.close(); // idempotent
    expect(() => manager.createConnection()).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    await client.close();
    await Promise.all(callers.map((c) => c.close()));
    expect(await settleLeaks(baseline)).toEqual({});
  });

  it('creates connections directly and refuses duplicate ids', async () => {
    const manager = new WebRtcManager({ peer: LOOPBACK });
    const a = manager.createConnection({ id: 'a' });
    expect(manager.get('a')).toBe(a);
    expect(() => manager.createConnection({ id: 'a' })).toThrow(/already exists/);
    const offer = await a.createOffer();
    expect(offer).toMatch(/^v=0/);
    expect(offer).toMatch(/a=rtpmap:111 opus\/48000\/2/);
    expect(offer).toMatch(/a=candidate:.* 127\.0\.0\.1 /);
    await manager[Symbol.asyncDispose]();
    expect(manager.size).toBe(0);
  });
});
