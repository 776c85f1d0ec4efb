import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { type AudioFrame, type EncodedFrame, OPUS_FRAME_MS, type OpusApplication } from '@voxwire/codecs';
import { type AsyncCloseable, emitError } from '@voxwire/core';
import {
  MediaStreamTrack,
  RTCPeerConnection,
  RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  type RtpPacket,
} from 'werift';
import {
  createInputResampler,
  createOutputConverter,
  type InputResampler,
  type OpusBackendPreference,
  openPeerCodecs,
} from './codec-adapter.js';
import { WebRtcError } from './errors.js';
import { FrameClock } from './frame-clock.js';
import { type FrameDecoder, InboundAudio, type InboundFrameInfo } from './inbound-audio.js';
import { type FrameEncoder, OutboundAudio } from './outbound-audio.js';
import type { IceCandidateInit } from './signaling-messages.js';
import { turnCredentialExpiry } from './turn-credentials.js';
import type { SenderWithSendNow } from './werift-patch.js';

/** An ICE server (STUN or TURN), as in the browser's `RTCIceServer`. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** Options for {@link WebRtcAudioPeer}. */
export interface WebRtcAudioPeerOptions {
  /** Identifier used by managers and logs; a random UUID by default. */
  id?: string;
  /** STUN/TURN servers. None by default (host candidates only). werift uses the first TURN server only. */
  iceServers?: IceServer[];
  /**
   * `'relay'` gathers only TURN relay candidates and checks only relayed pairs (as the browser's
   * `iceTransportPolicy`); negotiation fails with `TURN_FAILED` when no relay candidate could be allocated
   * (TURN unreachable, wrong or expired credential). Default `'all'`.
   */
  iceTransportPolicy?: 'all' | 'relay';
  /** Rate of the frames of `audio` events. Default 48000. */
  sampleRate?: number;
  /** Opus frame duration in ms: 10, 20, 40 or 60. Default 20. */
  frameMs?: number;
  /**
   * Extra host addresses to gather ICE candidates on, e.g. `['127.0.0.1']` on a machine whose only interface
   * is loopback (werift skips loopback otherwise).
   */
  iceAdditionalHostAddresses?: string[];
  /** Jitter-buffer depth in packets: how long a gap waits for a late packet before it is concealed. Default 3. */
  jitterDepth?: number;
  /** Most outbound audio that may be queued, in ms (see `queueOverflow`). Default 120000. */
  maxQueueMs?: number;
  /**
   * What `sendAudio` does when the audio would not fit under `maxQueueMs`: `'error'` (default) throws
   * `QUEUE_FULL` and queues nothing, for bursts such as text-to-speech that must not lose a word;
   * `'drop-oldest'` drops the oldest queued audio to make room, for a continuous live feed (a mix, a
   * microphone) whose clock runs a little faster than the peer's, so the delay stays bounded. Dropped audio is
   * counted in `stats().overflowDroppedMs`.
   */
  queueOverflow?: 'error' | 'drop-oldest';
  /**
   * Once connected, close the peer (with an `error` event, code `MEDIA_TIMEOUT`) when no RTP has arrived for
   * this long: the far end vanished without hanging up. Peers send continuously (silence when idle), so only a
   * dead far end trips it; werift's own ICE consent check takes 30 s. 0 disables. Default 10000.
   */
  mediaTimeoutMs?: number;
  /** Opus bitrate in bits/s. Default: the encoder's default. */
  bitrate?: number;
  /** Opus implementation: `'auto'` (default) uses `@discordjs/opus` when installed, else opusscript. */
  opusBackend?: OpusBackendPreference;
  /**
   * Opus encoder complexity, 0–10: the CPU each sent frame costs against coding quality. Default: libopus'
   * own, 9 (libwebrtc's on desktop). On speech, 5 costs about half of 9 (see the README's cost section).
   */
  opusComplexity?: number;
  /**
   * Opus coding mode for sent audio: `'voip'` (default: SILK or hybrid for speech, libopus' choice),
   * `'audio'`, or `'restricted-lowdelay'` (CELT only: about a third of `'voip'`'s encoding CPU on speech, and
   * 2.5 ms less delay). Browsers decode every mode; the received audio is unaffected.
   */
  opusApplication?: OpusApplication;
  /**
   * Drops this percentage of inbound RTP packets (pseudo-random, fixed seed) before the jitter buffer, as if
   * the network had lost them: for testing loss concealment. (werift's own debug loss hook also drops DTLS
   * handshakes, and keeps, not drops, the given percentage.)
   */
  simulatedInboundLossPercent?: number;
}

/** Connection states, as `RTCPeerConnection.connectionState`. */
export type WebRtcConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/**
 * What the network said about a frame of the `audio` event (its second argument): RTP sequence number and
 * timestamp, and whether packet-loss concealment made it up.
 */
export type AudioFrameInfo = InboundFrameInfo;

/** Statistics returned by {@link WebRtcAudioPeer.stats}. */
export interface WebRtcAudioStats {
  connectionState: WebRtcConnectionState;
  /** RTP packets sent. */
  packetsSent: number;
  /** Opus payload bytes sent. */
  bytesSent: number;
  /** RTP packets received (duplicates included). */
  packetsReceived: number;
  /** Opus payload bytes received. */
  bytesReceived: number;
  /** Packets expected from the received sequence range but never received (RFC 3550). */
  packetsLost: number;
  /** `packetsLost / expected`, 0..1. */
  fractionLost: number;
  /** Frames synthesised by Opus packet-loss concealment (lost, late or undecodable packets). */
  framesConcealed: number;
  /** Packets that arrived after their slot had been concealed. */
  packetsLate: number;
  /** Packets that arrived out of order and were put back in order. */
  packetsReordered: number;
  /** Inbound interarrival jitter, ms (RFC 3550). */
  jitterMs: number;
  /** Round-trip time from RTCP or ICE, ms; undefined until measured. */
  rttMs: number | undefined;
  /** Outbound audio waiting to be sent, ms. */
  queuedMs: number;
  /** Outbound audio dropped to stay under `maxQueueMs` with `queueOverflow: 'drop-oldest'`, ms. */
  overflowDroppedMs: number;
  /** The ICE candidate pair in use (nominated), once connected. */
  candidatePair: IceCandidatePairInfo | undefined;
}

/** One end of an ICE candidate pair. */
export interface IceCandidateInfo {
  /** `host`, `srflx`, `prflx` or `relay` (a TURN allocation). */
  candidateType: string;
  address: string;
  port: number;
  protocol: string;
}

/** The candidate pair a connection uses, from {@link WebRtcAudioPeer.stats}. */
export interface IceCandidatePairInfo {
  local: IceCandidateInfo;
  remote: IceCandidateInfo;
}

/** The largest Opus packet duration (120 ms at 48 kHz), for `sendAudio` of an {@link EncodedFrame}. */
const MAX_OPUS_SAMPLES = 5760;

/** Events of {@link WebRtcAudioPeer}. */
export interface WebRtcAudioPeerEvents {
  /**
   * Decoded inbound audio, in order, one Opus frame at a time (concealed frames included): mono PCM at the
   * peer's `sampleRate`, `position` counting samples since the stream began. The frame is the listener's to
   * keep (not borrowed).
   */
  audio: [frame: AudioFrame, info: AudioFrameInfo];
  /** Every connection-state change. */
  state: [state: WebRtcConnectionState];
  /** The connection is up and audio flows. */
  connected: [];
  /** Outbound audio queue ran empty: everything passed to `sendAudio` has been sent. */
  drain: [];
  /** A failure that did not throw from a call (undecodable packet, send failure). */
  error: [error: WebRtcError];
  /** The peer is closed and its resources released. */
  close: [];
}

function checkSdp(sdp: unknown, what: string): string {
  const text = typeof sdp === 'string' ? sdp : (sdp as { sdp?: unknown } | null)?.sdp;
  if (typeof text !== 'string' || !text.startsWith('v=0')) {
    throw new WebRtcError('BAD_SDP', `${what} is not SDP (it must be a string starting with "v=0")`);
  }
  if (!/^m=audio /m.test(text)) throw new WebRtcError('BAD_SDP', `${what} has no audio section (m=audio)`);
  if (!/^a=rtpmap:\d+ opus\/48000/im.test(text)) {
    throw new WebRtcError('BAD_SDP', `${what} does not offer Opus (a=rtpmap:<pt> opus/48000)`);
  }
  return text;
}

/**
 * One WebRTC connection carrying a mono Opus audio track each way, on werift.
 *
 * Inbound RTP goes through a jitter buffer (reordering, loss concealed with Opus PLC) and is emitted as
 * `audio` events of {@link AudioFrame}s at `sampleRate`. `sendAudio` takes an {@link AudioFrame} (resampled
 * to 48 kHz, cut into Opus frames) or an Opus {@link EncodedFrame} (sent as it is) and sends one RTP packet
 * per frame, paced in real time from the moment the connection is up.
 *
 * `close()` (or `await using`) releases everything.
 *
 * Signaling is non-trickle on this side (`createOffer`/`acceptOffer` resolve once ICE gathering is complete,
 * so the SDP carries all local candidates); remote candidates may trickle in through `addIceCandidate`.
 */
export class WebRtcAudioPeer extends EventEmitter<WebRtcAudioPeerEvents> implements AsyncCloseable {
  /** Identifier given in the options, or a random UUID. */
  readonly id: string;
  /** Rate of inbound `audio` frames. */
  readonly sampleRate: number;
  /** Opus frame duration, ms. */
  readonly frameMs: number;
  /** The Opus implementation in use. */
  readonly opusBackend: string;

  private readonly pc: RTCPeerConnection;
  private readonly localTrack = new MediaStreamTrack({ kind: 'audio' });
  private transceiver: RTCRtpTransceiver | undefined;
  private readonly subscribedTracks = new Set<MediaStreamTrack>();
  private readonly unsubscribers: (() => void)[] = [];
  /** The process-wide clock of this frame period: every peer's slots run on its one timer. */
  private readonly clock: FrameClock;
  private onClock = false;
  /** `queueOverflow: 'drop-oldest'`. */
  private readonly dropOldest: boolean;
  private readonly outbound: OutboundAudio;
  private readonly inbound: InboundAudio;
  private inputResampler: InputResampler | undefined;
  private readonly frameSamples: number;
  /** When the last RTP packet arrived (before simulated loss), for the media timeout. */
  private lastMediaMs = 0;
  /** When the last RTP packet reached the jitter buffer, for playing out a stalled gap. */
  private lastPacketMs = 0;
  private wasDraining = false;
  private closed = false;
  private closing: Promise<void> | undefined;
  private state: WebRtcConnectionState = 'new';
  private readonly lossProbability: number;
  private lossState = 0x2545f491;
  private readonly encoder: FrameEncoder;
  private readonly decoder: FrameDecoder;
  private readonly mediaTimeoutMs: number;
  private readonly relayOnly: boolean;
  private readonly turnUsername: string | undefined;

  /**
   * Opens the peer's codecs and its werift connection; nothing is sent until an offer or answer.
   *
   * @throws WebRtcError `INVALID_ARGUMENT` for an option out of range, including the Opus ones the codec
   * refuses (`bitrate`, `opusComplexity`, `opusApplication`, an `opusBackend` that is not installed; the
   * codec's AudioFormatError is the `cause`). Nothing stays open after a throw.
   */
  constructor(options: WebRtcAudioPeerOptions = {}) {
    super();
    this.id = options.id ?? randomUUID();
    this.sampleRate = options.sampleRate ?? 48000;
    this.frameMs = options.frameMs ?? 20;
    if (!Number.isInteger(this.sampleRate) || this.sampleRate < 8000 || this.sampleRate > 192000) {
      throw new WebRtcError(
        'INVALID_ARGUMENT',
        `sampleRate must be an integer in 8000..192000, got ${this.sampleRate}`,
      );
    }
    if (!OPUS_FRAME_MS.includes(this.frameMs)) {
      throw new WebRtcError('INVALID_ARGUMENT', `frameMs must be 10, 20, 40 or 60, got ${this.frameMs}`);
    }
    this.frameSamples = 48 * this.frameMs;
    const loss = options.simulatedInboundLossPercent ?? 0;
    if (!(loss >= 0 && loss <= 100))
      throw new WebRtcError('INVALID_ARGUMENT', `simulatedInboundLossPercent must be 0..100`);
    this.lossProbability = loss / 100;
    this.mediaTimeoutMs = options.mediaTimeoutMs ?? 10_000;
    if (!(this.mediaTimeoutMs >= 0)) throw new WebRtcError('INVALID_ARGUMENT', 'mediaTimeoutMs must be ≥ 0');
    const maxQueueMs = options.maxQueueMs ?? 120_000;
    if (!(maxQueueMs > 0))
      throw new WebRtcError('INVALID_ARGUMENT', `maxQueueMs must be > 0, got ${maxQueueMs}`);
    const overflow = options.queueOverflow ?? 'error';
    if (overflow !== 'error' && overflow !== 'drop-oldest') {
      throw new WebRtcError(
        'INVALID_ARGUMENT',
        `queueOverflow must be 'error' or 'drop-oldest', got ${String(overflow)}`,
      );
    }
    this.dropOldest = overflow === 'drop-oldest';
    const policy = options.iceTransportPolicy ?? 'all';
    if (policy !== 'all' && policy !== 'relay')
      throw new WebRtcError(
        'INVALID_ARGUMENT',
        `iceTransportPolicy must be 'all' or 'relay', got ${String(policy)}`,
      );
    this.relayOnly = policy === 'relay';
    const turn = (options.iceServers ?? []).find((s) =>
      (Array.isArray(s.urls) ? s.urls : [s.urls]).some((u) => /^turns?:/.test(u)),
    );
    this.turnUsername = turn?.username;
    if (this.relayOnly && (!turn?.username || !turn.credential)) {
      throw new WebRtcError(
        'INVALID_ARGUMENT',
        "iceTransportPolicy 'relay' needs a TURN server with username and credential",
      );
    }
    // The codecs first: they validate the Opus options, and nothing is open yet if one is refused.
    const { encoder, decoder } = openPeerCodecs({
      frameMs: this.frameMs,
      bitrate: options.bitrate,
      complexity: options.opusComplexity,
      application: options.opusApplication,
      backend: options.opusBackend,
      outputRate: this.sampleRate,
    });
    this.encoder = encoder;
    this.decoder = decoder;
    this.opusBackend = encoder.backend ?? 'opusscript';
    try {
      this.outbound = new OutboundAudio({
        frameSamples: this.frameSamples,
        maxQueueSamples: Math.ceil(maxQueueMs * 48),
        encoder,
        send: this.sendPacket,
      });
      this.inbound = new InboundAudio({
        decoder,
        converter: createOutputConverter(decoder.sampleRate, this.sampleRate),
        jitterDepth: options.jitterDepth,
        sampleRate: this.sampleRate,
        onAudio: this.deliverAudio,
        onDecodeError: (err) =>
          this.emitError(new WebRtcError('INTERNAL', `undecodable Opus packet (concealed): ${String(err)}`)),
      });
    } catch (err) {
      // An option the jitter buffer refuses (jitterDepth): free the codecs opened above.
      encoder.destroy?.();
      decoder.destroy?.();
      throw err;
    }
    this.clock = FrameClock.shared(this.frameMs);
    // The connection last: every option has been accepted by now, so nothing opened here needs undoing.
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers ?? [],
      iceTransportPolicy: policy,
      iceAdditionalHostAddresses: options.iceAdditionalHostAddresses,
      codecs: {
        audio: [
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            payloadType: 111,
            parameters: 'minptime=10;useinbandfec=1',
          }),
        ],
      },
    });

    const stateSub = this.pc.connectionStateChange.subscribe((s) => this.onConnectionState(s));
    const trackSub = this.pc.onTrack.subscribe((track) => this.subscribeTrack(track));
    this.unsubscribers.push(
      () => stateSub.unSubscribe(),
      () => trackSub.unSubscribe(),
    );
  }

  /** Current connection state. */
  get connectionState(): WebRtcConnectionState {
    return this.state;
  }

  /** Whether `close()` has been called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Outbound audio waiting to be sent, ms. */
  get queuedMs(): number {
    return this.outbound.queuedSamples / 48;
  }

  /**
   * Creates an offer with a send-receive audio section and all local ICE candidates.
   * @returns the SDP of the offer
   */
  async createOffer(): Promise<string> {
    this.assertOpen();
    if (this.transceiver) throw new WebRtcError('INVALID_STATE', 'createOffer: this peer already negotiated');
    this.transceiver = this.pc.addTransceiver(this.localTrack, { direction: 'sendrecv' });
    try {
      const offer = await this.pc.createOffer();
      const local = await this.pc.setLocalDescription(offer);
      return this.checkRelay(local.toSdp().sdp);
    } catch (err) {
      if (err instanceof WebRtcError) throw err;
      throw new WebRtcError('INTERNAL', `createOffer failed: ${errorMessage(err)}`, { cause: err });
    }
  }

  /**
   * Accepts a remote offer (from a browser or another peer) and answers it.
   * @param sdp - the offer's SDP (or an `{ type, sdp }` object)
   * @returns the SDP of the answer, with all local ICE candidates
   * @throws WebRtcError `BAD_SDP` when the offer is not SDP or carries no Opus audio
   */
  async acceptOffer(sdp: string | { sdp: string }): Promise<string> {
    this.assertOpen();
    const text = checkSdp(sdp, 'offer');
    if (this.transceiver) throw new WebRtcError('INVALID_STATE', 'acceptOffer: this peer already negotiated');
    try {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: text });
    } catch (err) {
      throw new WebRtcError('BAD_SDP', `offer rejected: ${errorMessage(err)}`, { cause: err });
    }
    const tr = this.pc.getTransceivers().find((t) => t.kind === 'audio');
    if (!tr) throw new WebRtcError('BAD_SDP', 'offer has no usable audio section');
    this.transceiver = tr;
    // werift creates the transceiver recvonly; without sendrecv the far end never receives our audio.
    tr.setDirection('sendrecv');
    await tr.sender.replaceTrack(this.localTrack);
    if (tr.receiver.track) this.subscribeTrack(tr.receiver.track);
    try {
      const answer = await this.pc.createAnswer();
      const local = await this.pc.setLocalDescription(answer);
      return this.checkRelay(local.toSdp().sdp);
    } catch (err) {
      if (err instanceof WebRtcError) throw err;
      throw new WebRtcError('BAD_SDP', `cannot answer the offer: ${errorMessage(err)}`, { cause: err });
    }
  }

  /**
   * Accepts the far end's answer to {@link createOffer}.
   * @throws WebRtcError `INVALID_STATE` without a pending offer, `BAD_SDP` for an unusable answer
   */
  async acceptAnswer(sdp: string | { sdp: string }): Promise<void> {
    this.assertOpen();
    const text = checkSdp(sdp, 'answer');
    if (this.pc.signalingState !== 'have-local-offer') {
      throw new WebRtcError(
        'INVALID_STATE',
        `acceptAnswer needs a pending offer (state ${this.pc.signalingState})`,
      );
    }
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: text });
    } catch (err) {
      throw new WebRtcError('BAD_SDP', `answer rejected: ${errorMessage(err)}`, { cause: err });
    }
    const track = this.transceiver?.receiver.track;
    if (track) this.subscribeTrack(track);
  }

  /**
   * Adds a remote ICE candidate (trickle ICE). `null` or an empty candidate marks the end of candidates.
   * @throws WebRtcError `BAD_CANDIDATE` for a malformed candidate
   */
  async addIceCandidate(candidate: IceCandidateInit | null): Promise<void> {
    this.assertOpen();
    if (candidate === null || candidate.candidate === '') return;
    if (typeof candidate.candidate !== 'string' || !/^(a=)?candidate:/.test(candidate.candidate)) {
      throw new WebRtcError('BAD_CANDIDATE', 'ICE candidate must be a string starting with "candidate:"');
    }
    try {
      await this.pc.addIceCandidate({
        candidate: candidate.candidate.replace(/^a=/, ''),
        sdpMid: candidate.sdpMid ?? undefined,
        sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
        usernameFragment: candidate.usernameFragment ?? undefined,
      });
    } catch (err) {
      throw new WebRtcError('BAD_CANDIDATE', `ICE candidate rejected: ${errorMessage(err)}`, { cause: err });
    }
  }

  /**
   * Queues audio to send, in real time once the connection is up (audio queued before that waits).
   *
   * - An {@link AudioFrame} (mono PCM at 8–192 kHz) is resampled to 48 kHz and cut into Opus frames; frame
   *   sizes do not matter and `position` is not used (frames are sent back to back).
   * - An {@link EncodedFrame} with codec `'opus'` (one Opus packet at 48 kHz, `samples` its duration) is sent
   *   as it is, without decoding or re-encoding, on the slots its duration covers. Queued Opus packets go
   *   before queued PCM. Its bytes are copied.
   *
   * @throws WebRtcError `BAD_AUDIO` for something that is not such a frame (stereo PCM, a rate out of range,
   *   G.711), `QUEUE_FULL` when the queue limit would be exceeded (nothing of this call is queued then),
   *   `CLOSED` after `close()`
   */
  sendAudio(frame: AudioFrame | EncodedFrame): void {
    this.assertOpen();
    if (typeof frame !== 'object' || frame === null)
      throw new WebRtcError('BAD_AUDIO', 'sendAudio expects an AudioFrame or an Opus EncodedFrame');
    if ('codec' in frame) {
      this.sendEncoded(frame);
      return;
    }
    const { data: pcm, sampleRate, channels } = frame;
    if (!(pcm instanceof Int16Array))
      throw new WebRtcError('BAD_AUDIO', 'sendAudio expects an AudioFrame whose data is an Int16Array');
    if (channels !== 1)
      throw new WebRtcError('BAD_AUDIO', `sendAudio: voice is sent mono, got ${String(channels)} channels`);
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192000) {
      throw new WebRtcError(
        'BAD_AUDIO',
        `sendAudio: sampleRate must be an integer in 8000..192000, got ${sampleRate}`,
      );
    }
    if (pcm.length === 0) return;
    if (this.inputResampler && this.inputResampler.rate !== sampleRate) {
      // A rate change ends the previous stream: its resampler tail is queued first.
      this.queueTail();
    }
    if (sampleRate !== 48000) this.inputResampler ??= createInputResampler(sampleRate);
    // Check the limit before resampling, so a refused chunk leaves no trace in the resampler's state either.
    const needed = this.inputResampler ? this.inputResampler.outputLength(pcm.length) : pcm.length;
    this.makeRoom(needed);
    if (needed > this.outbound.freeSamples) {
      throw new WebRtcError(
        'QUEUE_FULL',
        `sendAudio: ${(needed / 48).toFixed(1)} ms more audio would exceed the queue limit (${this.queuedMs.toFixed(1)} ms queued)`,
      );
    }
    this.outbound.write(this.inputResampler ? this.inputResampler.process(pcm) : pcm);
    this.wasDraining = true;
  }

  /** Queues one Opus packet as it is (see {@link sendAudio}). */
  private sendEncoded(frame: EncodedFrame): void {
    const { codec, data, sampleRate, samples } = frame;
    if (codec !== 'opus')
      throw new WebRtcError('BAD_AUDIO', `sendAudio: only Opus is sent encoded, got ${String(codec)}`);
    if (!(data instanceof Uint8Array) || data.length === 0)
      throw new WebRtcError('BAD_AUDIO', 'sendAudio: an Opus frame needs its packet bytes in a Uint8Array');
    if (sampleRate !== 48000)
      throw new WebRtcError('BAD_AUDIO', `sendAudio: Opus frames are counted at 48000 Hz, got ${sampleRate}`);
    if (!Number.isInteger(samples) || samples <= 0 || samples > MAX_OPUS_SAMPLES) {
      throw new WebRtcError(
        'BAD_AUDIO',
        `sendAudio: an Opus packet lasts 1..${MAX_OPUS_SAMPLES} samples, got ${samples}`,
      );
    }
    // PCM in the resampler goes out before the packet would have, had it been queued already.
    this.queueTail();
    this.makeRoom(samples);
    if (samples > this.outbound.freeSamples) {
      throw new WebRtcError(
        'QUEUE_FULL',
        `sendAudio: ${(samples / 48).toFixed(1)} ms more audio would exceed the queue limit (${this.queuedMs.toFixed(1)} ms queued)`,
      );
    }
    this.outbound.writeEncoded(data, samples);
    this.wasDraining = true;
  }

  /**
   * Marks the end of the audio passed so far: the resampler's tail is queued and the last partial frame is
   * padded with silence rather than waiting for more audio.
   */
  flush(): void {
    this.assertOpen();
    this.queueTail();
    this.outbound.end();
  }

  /** Queues the input resampler's tail (its last few samples) and drops the resampler. */
  private queueTail(): void {
    if (!this.inputResampler) return;
    const tail = this.inputResampler.flush();
    this.inputResampler = undefined;
    this.makeRoom(tail.length);
    this.outbound.write(tail);
  }

  /** With `queueOverflow: 'drop-oldest'`, drops the oldest queued audio so that `samples` more fit. */
  private makeRoom(samples: number): void {
    if (this.dropOldest) this.outbound.makeRoom(samples);
  }

  /**
   * Drops outbound audio not yet sent (barge-in).
   * @returns the duration dropped, ms
   */
  clearAudio(): number {
    const dropped = this.outbound.clear() / 48;
    this.inputResampler = undefined;
    return dropped;
  }

  /** Packet, loss, jitter and round-trip statistics. */
  async stats(): Promise<WebRtcAudioStats> {
    const recv = this.inbound.counters();
    const jb = this.inbound.jitterStats;
    return {
      connectionState: this.state,
      packetsSent: this.outbound.stats.packetsSent,
      bytesSent: this.outbound.stats.bytesSent,
      packetsReceived: recv.packetsReceived,
      bytesReceived: recv.bytesReceived,
      packetsLost: recv.packetsLost,
      fractionLost: recv.fractionLost,
      framesConcealed: jb.concealed + this.inbound.decodeErrors,
      packetsLate: jb.late,
      packetsReordered: jb.reordered,
      jitterMs: recv.jitterMs,
      rttMs: this.closed ? undefined : await this.roundTripMs(),
      queuedMs: this.queuedMs,
      overflowDroppedMs: this.outbound.stats.overflowSamples / 48,
      candidatePair: this.closed ? undefined : await this.selectedCandidatePair(),
    };
  }

  /** With `iceTransportPolicy: 'relay'`, a local description without a relay candidate cannot connect. */
  private checkRelay(sdp: string): string {
    if (!this.relayOnly || /^a=candidate:.* typ relay/m.test(sdp)) return sdp;
    const expiry = this.turnUsername ? turnCredentialExpiry(this.turnUsername) : undefined;
    const why =
      expiry && expiry.getTime() <= Date.now()
        ? `the TURN credential expired at ${expiry.toISOString()}`
        : 'TURN server unreachable or credential refused';
    throw new WebRtcError(
      'TURN_FAILED',
      `no TURN relay candidate allocated (${why}); iceTransportPolicy is 'relay'`,
    );
  }

  private async selectedCandidatePair(): Promise<IceCandidatePairInfo | undefined> {
    try {
      const report = await this.pc.getStats();
      const byId = new Map<string, Record<string, unknown>>();
      let pair: Record<string, unknown> | undefined;
      for (const s of report.values()) {
        const st = s as unknown as Record<string, unknown>;
        byId.set(String(st.id), st);
        if (st.type === 'candidate-pair' && st.nominated === true && !pair) pair = st;
      }
      if (!pair) return undefined;
      const info = (id: unknown): IceCandidateInfo | undefined => {
        const c = byId.get(String(id));
        if (!c) return undefined;
        return {
          candidateType: String(c.candidateType),
          address: String(c.address),
          port: Number(c.port),
          protocol: String(c.protocol),
        };
      };
      const local = info(pair.localCandidateId);
      const remote = info(pair.remoteCandidateId);
      return local && remote ? { local, remote } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Closes the connection: plays out what the jitter buffer holds, leaves the frame clock, closes werift's
   * sockets and timers, then emits `close`. Safe to call more than once.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closing = this.shutdown();
    return this.closing;
  }

  /** `await using peer = new WebRtcAudioPeer()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private async shutdown(): Promise<void> {
    this.clock.remove(this.onSlot);
    this.inbound.flush();
    for (const off of this.unsubscribers) off();
    this.unsubscribers.length = 0;
    try {
      await this.pc.close();
    } catch {
      // Closing a half-open werift connection can throw; the sockets are released either way.
    }
    this.localTrack.stop();
    this.encoder.destroy?.();
    this.decoder.destroy?.();
    this.setState('closed');
    this.emit('close');
  }

  private assertOpen(): void {
    if (this.closed) throw new WebRtcError('CLOSED', `peer ${this.id} is closed`);
  }

  private emitError(err: WebRtcError): void {
    // To the listeners, or a process warning without any: never an uncaught exception for a bad packet.
    emitError(this, err);
  }

  private onConnectionState(s: WebRtcConnectionState): void {
    if (this.closed) return;
    this.setState(s);
    if (s === 'connected') {
      // werift drops RTP until DTLS is up, so sending on the clock starts here, not before; the media
      // timeout counts from here too.
      if (!this.onClock) {
        this.onClock = true;
        this.lastMediaMs = performance.now();
        this.clock.add(this.onSlot);
      }
      this.emit('connected');
    } else if (s === 'failed' || s === 'closed') {
      void this.close();
    }
  }

  private setState(s: WebRtcConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  private subscribeTrack(track: MediaStreamTrack): void {
    if (track.kind !== 'audio' || this.subscribedTracks.has(track)) return;
    this.subscribedTracks.add(track);
    const sub = track.onReceiveRtp.subscribe((rtp: RtpPacket) => this.onRtp(rtp));
    this.unsubscribers.push(() => sub.unSubscribe());
  }

  private onRtp(rtp: RtpPacket): void {
    if (this.closed) return;
    // One clock reading per packet, shared by the media timeout, the stall check and the RFC 3550 jitter;
    // the checks themselves run on the frame clock, not on per-peer timers refreshed per packet.
    const now = performance.now();
    this.lastMediaMs = now;
    if (this.lossProbability > 0 && this.nextLossDraw() < this.lossProbability) return;
    this.lastPacketMs = now;
    this.inbound.receive(rtp.header.sequenceNumber, rtp.header.timestamp, rtp.payload, now);
  }

  /** Uniform [0, 1) from a fixed-seed xorshift32: simulated loss is random-looking but reproducible. */
  private nextLossDraw(): number {
    let x = this.lossState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.lossState = x >>> 0;
    return this.lossState / 4294967296;
  }

  private onMediaTimeout(): void {
    this.emitError(
      new WebRtcError(
        'MEDIA_TIMEOUT',
        `no media from the far end for ${this.mediaTimeoutMs} ms: closing peer ${this.id}`,
      ),
    );
    void this.close();
  }

  private readonly deliverAudio = (frame: AudioFrame, info: InboundFrameInfo): void => {
    this.emit('audio', frame, info);
  };

  /** One slot of the frame clock: the inbound checks, then one outbound packet. */
  private readonly onSlot = (skipped: number, now: number): void => {
    if (this.closed) return; // removed from the clock during this very slot
    if (this.mediaTimeoutMs > 0 && now - this.lastMediaMs > this.mediaTimeoutMs) {
      this.onMediaTimeout();
      return;
    }
    // A gap with too few packets behind it would otherwise wait until the next packet: play it out after
    // the jitter buffer's worth of silence from the far end.
    if (this.inbound.pendingPackets > 0 && now - this.lastPacketMs >= this.frameMs * 4) this.inbound.flush();
    try {
      this.outbound.slot(skipped);
    } catch (err) {
      // An encoder that fails once fails every frame: report it and end the call rather than go silent.
      this.emitError(
        new WebRtcError('INTERNAL', `Opus encode failed, closing: ${errorMessage(err)}`, { cause: err }),
      );
      void this.close();
      return;
    }
    if (this.wasDraining && this.outbound.queuedSamples === 0) {
      this.wasDraining = false;
      this.emit('drain');
    }
  };

  private readonly sendPacket = (packet: RtpPacket): void => {
    const sender = this.transceiver?.sender as SenderWithSendNow | undefined;
    if (!sender) return;
    if (!sender.sendRtpNow) {
      sender.sendRtp(packet).catch(this.onSendFailed);
      return;
    }
    // werift with this repository's patch: the packet goes out now, with no promise per packet.
    try {
      sender.sendRtpNow(packet)?.catch(this.onSendFailed);
    } catch (err) {
      this.onSendFailed(err);
    }
  };

  private readonly onSendFailed = (err: unknown): void => {
    this.emitError(new WebRtcError('INTERNAL', `RTP send failed: ${errorMessage(err)}`, { cause: err }));
  };

  private async roundTripMs(): Promise<number | undefined> {
    try {
      const report = await this.pc.getStats();
      let ice: number | undefined;
      for (const s of report.values()) {
        const st = s as {
          type: string;
          roundTripTime?: number;
          currentRoundTripTime?: number;
          nominated?: boolean;
          state?: string;
        };
        // RTCP (RR's LSR/DLSR) measures the media path; until the first report, use the ICE pair in use.
        if (st.type === 'remote-inbound-rtp' && typeof st.roundTripTime === 'number')
          return st.roundTripTime * 1000;
        if (st.type === 'candidate-pair' && st.nominated && typeof st.currentRoundTripTime === 'number') {
          ice = st.currentRoundTripTime * 1000;
        }
      }
      return ice;
    } catch {
      return undefined;
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
