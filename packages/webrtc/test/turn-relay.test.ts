import { audioFrame } from '@voxwire/codecs';
import { startTurnServer, type TurnServer } from '@voxwire/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTurnRestCredential,
  turnCredentialExpiry,
  turnIceServer,
  WebRtcAudioPeer,
  WebRtcError,
} from '../src/index.js';
import { concat, dominantFrequency, rmsDb, tone } from './helpers/audio.js';
import { collectAudio, eventWithin } from './helpers/peers.js';

// Real coturn (Debian package) on loopback: one server with a static user, one with the REST-API secret
// (coturn cannot mix both schemes in one process).
let staticTurn: TurnServer;
let restTurn: TurnServer;
const SECRET = 'voxwire-rest-secret';

beforeAll(async () => {
  [staticTurn, restTurn] = await Promise.all([
    startTurnServer({ user: 'alice', password: 'alice-pw' }),
    startTurnServer({ secret: SECRET }),
  ]);
});

afterAll(async () => {
  await Promise.all([staticTurn?.stop(), restTurn?.stop()]);
});

describe('TURN REST credentials', () => {
  it('are expiry:user with base64 HMAC-SHA1 of the username', () => {
    const c = createTurnRestCredential({ secret: 'k', user: 'bob', ttlSeconds: 60, now: 1_700_000_000_000 });
    expect(c.username).toBe('1700000060:bob');
    // Same as: echo -n 1700000060:bob | openssl dgst -sha1 -hmac k -binary | base64
    expect(c.credential).toBe('kKpC53RLGTj7mXqQELj5dCFtg/E=');
    expect(turnCredentialExpiry(c.username)?.getTime()).toBe(1_700_000_060_000);
    expect(turnCredentialExpiry('alice')).toBeUndefined();
    expect(() => createTurnRestCredential({ secret: '' })).toThrowError(WebRtcError);
    expect(() => turnIceServer('stun:127.0.0.1:3478', c)).toThrowError(/not a TURN URL/);
  });
});

describe("iceTransportPolicy 'relay' through coturn", () => {
  it('carries audio both ways over relay candidates (static user on one side, REST credential on the other)', async () => {
    const a = new WebRtcAudioPeer({
      iceTransportPolicy: 'relay',
      iceServers: [turnIceServer(staticTurn.url, { username: 'alice', credential: 'alice-pw' })],
      mediaTimeoutMs: 0,
    });
    const rest = createTurnRestCredential({ secret: SECRET, user: 'agent-b', ttlSeconds: 600 });
    const b = new WebRtcAudioPeer({
      iceTransportPolicy: 'relay',
      iceServers: [turnIceServer(restTurn.url, rest)],
      sampleRate: 16000,
      mediaTimeoutMs: 0,
    });
    try {
      const connected = Promise.all([
        eventWithin(a, 'connected', 60_000),
        eventWithin(b, 'connected', 60_000),
      ]);
      const offer = await a.createOffer();
      // Only relay candidates are offered: no host address leaks.
      expect(offer).toMatch(/^a=candidate:.* typ relay/m);
      expect(offer).not.toMatch(/^a=candidate:.* typ host/m);
      const answer = await b.acceptOffer(offer);
      expect(answer).toMatch(/^a=candidate:.* typ relay/m);
      expect(answer).not.toMatch(/^a=candidate:.* typ host/m);
      await a.acceptAnswer(answer);
      await connected;

      const atB = collectAudio(b, 1.5, 60_000);
      const atA = collectAudio(a, 1.5, 60_000);
      a.sendAudio(audioFrame(tone(440, 48000, 4), 48000));
      b.sendAudio(audioFrame(tone(660, 16000, 4), 16000));
      await Promise.all([atB.done, atA.done]);
      const heardB = concat(atB.chunks).subarray(16000 * 0.5);
      const heardA = concat(atA.chunks).subarray(48000 * 0.5);
      expect(dominantFrequency(heardB, 16000)).toBeCloseTo(440, -1);
      expect(dominantFrequency(heardA, 48000)).toBeCloseTo(660, -1);
      expect(rmsDb(heardB)).toBeGreaterThan(-25);

      const [sa, sb] = await Promise.all([a.stats(), b.stats()]);
      expect(sa.candidatePair?.local.candidateType).toBe('relay');
      expect(sa.candidatePair?.remote.candidateType).toBe('relay');
      expect(sb.candidatePair?.local.candidateType).toBe('relay');
      // Relayed addresses are coturn's relay ports, not the peers' own sockets.
      expect(sa.candidatePair?.remote.port).toBeGreaterThanOrEqual(20000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rejects an expired REST credential with turn-failed, while a fresh one from the same secret works', async () => {
    const expired = createTurnRestCredential({ secret: SECRET, user: 'late', ttlSeconds: -60 });
    const stale = new WebRtcAudioPeer({
      iceTransportPolicy: 'relay',
      iceServers: [turnIceServer(restTurn.url, expired)],
    });
    const fresh = new WebRtcAudioPeer({
      iceTransportPolicy: 'relay',
      iceServers: [turnIceServer(restTurn.url, createTurnRestCredential({ secret: SECRET, user: 'late' }))],
    });
    try {
      const err = await stale.createOffer().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WebRtcError);
      expect((err as WebRtcError).code).toBe('TURN_FAILED');
      expect((err as WebRtcError).message).toMatch(/expired/);
      expect(await fresh.createOffer()).toMatch(/ typ relay/);
      // coturn saw and refused the stale one.
      expect(restTurn.log()).toMatch(/Cannot find credentials of user <\d+:late>/);
    } finally {
      await Promise.all([stale.close(), fresh.close()]);
    }
  });

  it("refuses 'relay' without a TURN server", () => {
    expect(() => new WebRtcAudioPeer({ iceTransportPolicy: 'relay' })).toThrowError(/TURN server/);
  });
});
