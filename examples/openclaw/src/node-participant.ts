// A Node WebRTC participant (werift through @voxwire/webrtc) calling OpenClaw's signaling server.
import { randomUUID } from 'node:crypto';
import { WebRtcAudioPeer } from '@voxwire/webrtc';
import { WebSocket } from 'ws';
import { nextEvent } from './wait.js';

/** A connected Node peer; `leave()` hangs up (bye + close). */
export interface NodeParticipant {
  peer: WebRtcAudioPeer;
  /** Audio received from OpenClaw (48 kHz chunks). */
  received: Int16Array[];
  leave(): Promise<void>;
}

export async function joinNodePeer(signalingUrl: string): Promise<NodeParticipant> {
  const ws = new WebSocket(signalingUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const peer = new WebRtcAudioPeer({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    sampleRate: 48000,
    mediaTimeoutMs: 0,
  });
  const received: Int16Array[] = [];
  peer.on('audio', (pcm) => received.push(pcm));
  const id = randomUUID();
  const answer = new Promise<string>((resolve, reject) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; sdp?: string; message?: string };
      if (msg.type === 'answer' && msg.sdp) resolve(msg.sdp);
      if (msg.type === 'error') reject(new Error(`signaling error: ${msg.message}`));
    });
  });
  const connected = nextEvent<void>(peer, 'connected', () => true, 'the Node peer connecting', 60_000);
  ws.send(JSON.stringify({ type: 'offer', id, sdp: await peer.createOffer() }));
  await peer.acceptAnswer(await answer);
  await connected;
  return {
    peer,
    received,
    async leave() {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'bye', id }));
      await peer.close();
      ws.close();
    },
  };
}
