// The peer's Opus encoder settings, seen where they matter: in the RTP payloads a raw werift far end receives.
import { AudioFormatError, audioFrame, OpusDecoder } from '@voxwire/codecs';
import { alignedSnrDb, dbfs, opusPacketMode, speech, voicedSpan } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { RTCPeerConnection } from 'werift';
import { WebRtcAudioPeer, type WebRtcAudioPeerOptions, WebRtcError } from '../src/index.js';
import { eventWithin, LOOPBACK } from './helpers/peers.js';

const SPEECH = speech('Your appointment is confirmed for Tuesday at three.', 48000);

/**
 * Sends the sentence from a peer with `options` to a plain werift far end, and returns the Opus payloads that
 * arrived, from the first packet that carries the speech's first frame on.
 */
async function payloadsFrom(options: WebRtcAudioPeerOptions): Promise<Buffer[]> {
  const peer = new WebRtcAudioPeer({ ...LOOPBACK, ...options });
  const far = new RTCPeerConnection({ iceAdditionalHostAddresses: ['127.0.0.1'] });
  try {
    await far.setRemoteDescription({ type: 'offer', sdp: await peer.createOffer() });
    const transceiver = far.getTransceivers()[0];
    transceiver.setDirection('recvonly');
    const payloads: Buffer[] = [];
    const frames = Math.ceil(SPEECH.length / 960);
    // Before the speech the peer sends silence; count from the first packet after it was queued.
    let from = -1;
    const all = new Promise<void>((resolve) => {
      transceiver.receiver.track.onReceiveRtp.subscribe((rtp) => {
        payloads.push(Buffer.from(rtp.payload));
        if (from >= 0 && payloads.length >= from + frames) resolve();
      });
    });
    const connected = eventWithin(peer, 'connected', 40000);
    await far.setLocalDescription(await far.createAnswer());
    await peer.acceptAnswer(far.localDescription?.sdp ?? '');
    await connected;
    from = payloads.length;
    peer.sendAudio(audioFrame(SPEECH, 48000));
    await all;
    // The packets sent before sendAudio (silence) may still be arriving: start at the first loud one.
    const dec = new OpusDecoder({ sampleRate: 48000, backend: 'opusscript' });
    let first = from;
    while (first < payloads.length && dbfs(dec.decode(payloads[first] as Buffer)) < -60) first++;
    dec.destroy();
    return payloads.slice(Math.max(from, first - 1), Math.max(from, first - 1) + frames);
  } finally {
    await Promise.all([peer.close(), far.close()]);
  }
}

function decode(payloads: Buffer[]): Int16Array {
  const dec = new OpusDecoder({ sampleRate: 48000, backend: 'opusscript' });
  const out = new Int16Array(payloads.length * 960);
  for (const [i, p] of payloads.entries()) out.set(dec.decode(p), i * 960);
  dec.destroy();
  return out;
}

describe('WebRtcAudioPeer Opus settings', () => {
  it("'restricted-lowdelay' with low complexity sends CELT-only speech the far end decodes at its level", async () => {
    const defaults = await payloadsFrom({});
    const cheap = await payloadsFrom({ opusApplication: 'restricted-lowdelay', opusComplexity: 2 });
    expect(defaults.some((p) => opusPacketMode(p) !== 'celt')).toBe(true);
    expect(new Set(cheap.map(opusPacketMode))).toEqual(new Set(['celt']));
    const { first, last } = voicedSpan(SPEECH);
    for (const payloads of [defaults, cheap]) {
      const heard = decode(payloads);
      const { snrDb, lag } = alignedSnrDb(SPEECH, heard, { start: first, end: last, maxLag: 2000 });
      expect(snrDb).toBeGreaterThan(6);
      expect(
        Math.abs(dbfs(heard.subarray(first + lag, last + lag)) - dbfs(SPEECH.subarray(first, last))),
      ).toBeLessThan(1.5);
    }
  });

  it('refuses Opus options it cannot use with a WebRtcError that carries the codec refusal', () => {
    const refused = (options: WebRtcAudioPeerOptions): WebRtcError => {
      try {
        new WebRtcAudioPeer(options);
      } catch (err) {
        expect(err).toBeInstanceOf(WebRtcError);
        return err as WebRtcError;
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    for (const opusComplexity of [-1, 11, 2.5]) {
      const err = refused({ opusComplexity });
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(/complexity must be an integer in 0\.\.10/);
      expect(err.cause).toBeInstanceOf(AudioFormatError);
    }
    for (const bitrate of [100, 600_000, 32000.5]) {
      const err = refused({ bitrate });
      expect(err.code).toBe('INVALID_ARGUMENT');
      expect(err.message).toMatch(/bitrate must be an integer in 500\.\.512000/);
    }
    const app = refused({ opusApplication: 'music' as WebRtcAudioPeerOptions['opusApplication'] });
    expect(app.message).toMatch(/application must be one of voip, audio, restricted-lowdelay/);
    expect(refused({ jitterDepth: 0 }).code).toBe('INVALID_ARGUMENT');
  });
});
