// A Node WebRTC participant (werift through @voxwire/webrtc) calling OpenClaw's signaling server: for
// scripts, load tests, the latency benchmark and the tests.
import { randomUUID } from 'node:crypto';
import { VoxwireError } from '@voxwire/core';
import { WebRtcAudioPeer, type WebRtcAudioPeerOptions } from '@voxwire/webrtc';
import { type ClientOptions, WebSocket } from 'ws';

/** A connected Node peer; `leave()` hangs up (bye + close). */
export interface NodeParticipant {
  peer: WebRtcAudioPeer;
  /** Audio received from OpenClaw (48 kHz chunks). */
  received: Int16Array[];
  leave(): Promise<void>;
}

/**
 * Why {@link joinNodePeer} failed: `SIGNALING_REFUSED` (the signaling server answered the offer with an
 * `error` message) or `TIMEOUT` (the peer did not connect within 60 s).
 */
export type NodePeerErrorCode = 'SIGNALING_REFUSED' | 'TIMEOUT';

/** The Node peer could not join; a refusal keeps the signaling server's own code in `signalingCode`. */
export class NodePeerError extends VoxwireError<NodePeerErrorCode> {
  /**
   * @param code - `SIGNALING_REFUSED` or `TIMEOUT`
   * @param message - what went wrong (`signaling error: …`, `the Node peer did not connect within 60 s`)
   * @param signalingCode - the `code` of the signaling server's `error` message, in its spelling
   */
  constructor(
    code: NodePeerErrorCode,
    message: string,
    readonly signalingCode?: string,
  ) {
    super(code, message);
  }
}

/** Options of {@link joinNodePeer}. */
export interface NodePeerOptions {
  /** Peer options: ICE servers, transport policy, host addresses (default `['127.0.0.1']`, for loopback). */
  peer?: Pick<WebRtcAudioPeerOptions, 'iceServers' | 'iceTransportPolicy' | 'iceAdditionalHostAddresses'>;
  /**
   * WebSocket options, e.g. `ca` to trust a private certificate of a `wss://` endpoint and `servername`, the
   * name to check it against (ws hands it to tls.connect).
   */
  ws?: Pick<ClientOptions, 'ca' | 'headers'> & { servername?: string };
}

/**
 * Calls OpenClaw's signaling endpoint (`ws://` or `wss://host:port/webrtc`) with a werift peer.
 * @param signalingUrl - the signaling WebSocket URL
 * @throws NodePeerError `SIGNALING_REFUSED` or `TIMEOUT`
 */
export async function joinNodePeer(
  signalingUrl: string,
  options: NodePeerOptions = {},
): Promise<NodeParticipant> {
  const ws = new WebSocket(signalingUrl, options.ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const peer = new WebRtcAudioPeer({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    ...options.peer,
    sampleRate: 48000,
    mediaTimeoutMs: 0,
  });
  const received: Int16Array[] = [];
  peer.on('audio', (frame) => received.push(frame.data));
  const id = randomUUID();
  const answer = new Promise<string>((resolve, reject) => {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { type: string; sdp?: string; message?: string; code?: string };
      if (msg.type === 'answer' && msg.sdp) resolve(msg.sdp);
      if (msg.type === 'error')
        reject(new NodePeerError('SIGNALING_REFUSED', `signaling error: ${msg.message}`, msg.code));
    });
  });
  const connected = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new NodePeerError('TIMEOUT', 'the Node peer did not connect within 60 s')),
      60_000,
    );
    peer.once('connected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
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
