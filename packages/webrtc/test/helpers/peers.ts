import { once } from 'node:events';
import { WebRtcAudioPeer, type WebRtcAudioPeerOptions } from '../../src/index.js';

/** On a machine whose only interface is loopback, werift must be told to gather on 127.0.0.1. */
export const LOOPBACK: WebRtcAudioPeerOptions = { iceAdditionalHostAddresses: ['127.0.0.1'] };

/** Waits for an emitter event with a deadline (so a broken connection fails the test instead of hanging it). */
export async function eventWithin<T extends unknown[]>(
  emitter: { once(event: string, fn: (...args: T) => void): unknown },
  event: string,
  ms: number,
): Promise<T> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  try {
    return (await once(emitter as never, event, { signal: ac.signal })) as T;
  } catch (err) {
    if (ac.signal.aborted) throw new Error(`no "${event}" within ${ms} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Two werift peers connected to each other over loopback (offer from `a`, answer from `b`). */
export async function connectedPair(
  aOptions: WebRtcAudioPeerOptions = {},
  bOptions: WebRtcAudioPeerOptions = {},
): Promise<[WebRtcAudioPeer, WebRtcAudioPeer]> {
  const a = new WebRtcAudioPeer({ ...LOOPBACK, ...aOptions });
  const b = new WebRtcAudioPeer({ ...LOOPBACK, ...bOptions });
  // Generous deadlines: the machine running the suite may be heavily shared; these only stop a hang.
  const connected = Promise.all([eventWithin(a, 'connected', 40000), eventWithin(b, 'connected', 40000)]);
  const offer = await a.createOffer();
  const answer = await b.acceptOffer(offer);
  await a.acceptAnswer(answer);
  await connected;
  return [a, b];
}

/** Collects `audio` events of a peer until `seconds` of audio have arrived. */
export function collectAudio(peer: WebRtcAudioPeer, seconds: number, timeoutMs = 40000) {
  const chunks: Int16Array[] = [];
  const seqs: number[] = [];
  const concealedFlags: boolean[] = [];
  let concealed = 0;
  let samples = 0;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(new Error(`only ${(samples / peer.sampleRate).toFixed(2)} s of audio within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAudio = (
      { data: pcm }: { data: Int16Array },
      info: { sequenceNumber: number; concealed: boolean },
    ) => {
      chunks.push(pcm);
      seqs.push(info.sequenceNumber);
      concealedFlags.push(info.concealed);
      if (info.concealed) concealed++;
      samples += pcm.length;
      if (samples >= seconds * peer.sampleRate) {
        clearTimeout(timer);
        peer.off('audio', onAudio);
        resolve();
      }
    };
    peer.on('audio', onAudio);
  });
  return { chunks, seqs, concealedFlags, done, concealedCount: () => concealed };
}
