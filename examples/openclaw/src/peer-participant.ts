// A WebRTC peer (a browser or Node caller, or OpenClaw's own leg into Janus) as a participant of the mix.
import type { WebRtcAudioPeer } from '@voxwire/webrtc';
import type { AudioRouter } from './router.js';

// The peer paces on its own clock; after a mixer stall (it catches up two frames a tick) its queue would keep
// the extra audio forever as latency. Beyond this depth a frame is dropped instead.
export const PEER_MAX_QUEUE_MS = 80;

/**
 * Adds `peer` to the mix as `id`: what it receives is pushed into the mix, and it is sent the mix minus
 * itself. Frames refused for a deep queue are counted by `onDrop`.
 * @returns a function that stops the audio flowing in (the router entry is removed by the caller)
 */
export function addPeerParticipant(
  router: AudioRouter,
  id: string,
  peer: WebRtcAudioPeer,
  onDrop: () => void,
): () => void {
  const onAudio = (frame: { data: Int16Array }) => router.push(id, frame.data);
  peer.on('audio', onAudio);
  router.add(id, {
    sampleRate: peer.sampleRate,
    send: (frame, rate) => {
      if (peer.isClosed) return;
      if (peer.queuedMs > PEER_MAX_QUEUE_MS) {
        onDrop();
        return;
      }
      peer.sendAudio({ data: frame, sampleRate: rate, channels: 1, position: 0 });
    },
  });
  return () => peer.off('audio', onAudio);
}
