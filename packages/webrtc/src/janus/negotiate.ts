import { WebRtcAudioPeer, type WebRtcAudioPeerOptions } from '../peer.js';
import type { JanusHandle } from './handle.js';
import { JanusError } from './janus-error.js';
import type { JanusPluginResponse } from './messages.js';

/**
 * Offers a new {@link WebRtcAudioPeer} to Janus inside a plugin request (`configure`, `publish`) and applies
 * the answer Janus returns. The offer carries all our candidates, so end-of-candidates is trickled at once.
 * The peer is closed again when anything fails.
 */
export async function offerToJanus(
  handle: JanusHandle,
  body: Record<string, unknown>,
  peerOptions: WebRtcAudioPeerOptions,
): Promise<{ peer: WebRtcAudioPeer; response: JanusPluginResponse }> {
  const peer = new WebRtcAudioPeer(peerOptions);
  try {
    const offer = await peer.createOffer();
    const response = await handle.message(body, { type: 'offer', sdp: offer });
    if (!response.jsep || response.jsep.type !== 'answer') {
      throw new JanusError(
        'janus-error',
        `${handle.plugin} ${String(body.request)}: Janus sent no SDP answer`,
      );
    }
    await peer.acceptAnswer(response.jsep.sdp);
    await handle.trickle(null);
    return { peer, response };
  } catch (err) {
    await peer.close();
    throw err;
  }
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
