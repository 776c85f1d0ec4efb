import { WebRtcError } from '../errors.js';
import { WebRtcAudioPeer, type WebRtcAudioPeerOptions } from '../peer.js';
import type { JanusHandle } from './handle.js';
import { JanusError } from './janus-error.js';
import type { JanusPluginResponse } from './messages.js';

/**
 * Offers a new {@link WebRtcAudioPeer} to Janus inside a plugin request (`configure`, `publish`) and applies
 * the answer Janus returns. The offer carries all our candidates, so end-of-candidates is trickled at once.
 * Resolves once Janus reports the PeerConnection up (`webrtcup`): only then does the plugin count us as
 * publishing. The peer is closed again when anything fails.
 */
export async function offerToJanus(
  handle: JanusHandle,
  body: Record<string, unknown>,
  peerOptions: WebRtcAudioPeerOptions,
  upTimeoutMs = 30_000,
): Promise<{ peer: WebRtcAudioPeer; response: JanusPluginResponse }> {
  const peer = new WebRtcAudioPeer(peerOptions);
  const up = webrtcUp(handle, upTimeoutMs);
  try {
    const offer = await peer.createOffer();
    const response = await handle.message(body, { type: 'offer', sdp: offer });
    if (response.jsep?.type !== 'answer') {
      throw new JanusError(
        'JANUS_ERROR',
        `${handle.plugin} ${String(body.request)}: Janus sent no SDP answer`,
      );
    }
    await peer.acceptAnswer(response.jsep.sdp);
    await handle.trickle(null);
    await up.promise;
    return { peer, response };
  } catch (err) {
    up.cancel();
    await peer.close();
    throw err;
  }
}

/** Waits for the handle's `webrtcup`; `cancel` stops waiting (and swallows the rejection). */
function webrtcUp(handle: JanusHandle, ms: number): { promise: Promise<void>; cancel: () => void } {
  let cancel = () => {};
  const promise = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      handle.off('webrtcup', onUp);
      reject(
        new WebRtcError('TIMEOUT', `${handle.plugin}: PeerConnection with Janus not up within ${ms} ms`),
      );
    }, ms);
    const onUp = () => {
      clearTimeout(timer);
      resolve();
    };
    handle.once('webrtcup', onUp);
    cancel = () => {
      clearTimeout(timer);
      handle.off('webrtcup', onUp);
      resolve();
    };
  });
  return { promise, cancel };
}

/**
 * Answers an offer Janus made (subscriptions) with a new {@link WebRtcAudioPeer} and sends the answer in a
 * plugin request (`start`).
 */
export async function answerJanus(
  handle: JanusHandle,
  offerSdp: string,
  body: Record<string, unknown>,
  peerOptions: WebRtcAudioPeerOptions,
): Promise<{ peer: WebRtcAudioPeer; response: JanusPluginResponse }> {
  const peer = new WebRtcAudioPeer(peerOptions);
  try {
    const answer = await peer.acceptOffer(offerSdp);
    const response = await handle.message(body, { type: 'answer', sdp: answer });
    await handle.trickle(null);
    return { peer, response };
  } catch (err) {
    await peer.close();
    throw err;
  }
}
