// The server side of the webrtc benchmark, one stack per process (`node --import tsx server.ts <stack>`): it
// answers the callers' offers (relayed by the parent over IPC) and echoes every 20 ms frame it hears. Each
// stack echoes the way its users would write it:
// - voxwire: @voxwire/webrtc's README echo (jitter buffer, PLC, paced sending, Opus decode + re-encode);
// - werift: raw werift + opusscript, decode and re-encode each RTP packet as it arrives;
// - wrtc: @roamhq/wrtc (libwebrtc: its own Opus, SRTP, jitter buffer), RTCAudioSink into RTCAudioSource;
// - datachannel: node-datachannel (libdatachannel: native SRTP/ICE) with opusscript in JS;
// - voxwire-native, datachannel-native: the same with @discordjs/opus (libopus compiled natively) for Opus;
// - voxwire-published: the voxwire echo on werift as npm publishes it (started with werift-as-published-hook);
// - voxwire-cjs: the voxwire echo loaded with require(): the package's CommonJS build on werift's CommonJS files;
// - udp: a bare UDP echo of the same packet rate (the floor of the socket path).
// The parent reads this process's CPU (all threads: process.cpuUsage is getrusage(RUSAGE_SELF)).

import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { WebRtcAudioPeer } from '@voxwire/webrtc';
import OpusScript from 'opusscript';
import { RTCPeerConnection, RTCRtpCodecParameters, RTCRtpSender, RtpHeader, RtpPacket } from 'werift';
import { nativeVoipOpus } from './native-opus.js';
import { type FromServer, nativeOpus, type Stack, type ToServer } from './protocol.js';

const stack = process.argv[2] as Stack;
// The workspace's werift carries our patch (it adds sendRtpNow); voxwire-published must run without it.
if ('sendRtpNow' in RTCRtpSender.prototype === (stack === 'voxwire-published'))
  throw new Error(`${stack}: werift is ${stack === 'voxwire-published' ? 'patched' : 'unpatched'} here`);
const requireHere = createRequire(import.meta.url);
/** The peer class the voxwire stacks use: from the ESM build, or for voxwire-cjs from `require()`. */
const Peer: typeof WebRtcAudioPeer =
  stack === 'voxwire-cjs'
    ? (requireHere('@voxwire/webrtc') as typeof import('@voxwire/webrtc')).WebRtcAudioPeer
    : WebRtcAudioPeer;
if (
  stack === 'voxwire-cjs' &&
  !('sendRtpNow' in (requireHere('werift') as typeof import('werift')).RTCRtpSender.prototype)
)
  throw new Error(`${stack}: werift's CommonJS build is unpatched here`);
let framesIn = 0;
let framesOut = 0;
const closers: (() => unknown)[] = [];
const voxPeers: WebRtcAudioPeer[] = [];

function send(msg: FromServer): void {
  process.send?.(msg);
}

/**
 * One Opus decoder + encoder pair per connection, as a raw-werift or libdatachannel user would write it:
 * opusscript, or with `native` @discordjs/opus (one object holds its encoder and its decoder).
 */
function opusPair(native: boolean): { echo(payload: Buffer): Buffer; delete(): void } {
  if (native) {
    const codec = nativeVoipOpus();
    if (!codec) throw new Error('@discordjs/opus is not built for this Node');
    return { echo: (payload) => codec.encode(codec.decode(payload)), delete() {} };
  }
  const dec = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  const enc = new OpusScript(48000, 1, OpusScript.Application.VOIP);
  return {
    echo: (payload) => enc.encode(dec.decode(payload), 960),
    delete() {
      dec.delete();
      enc.delete();
    },
  };
}

async function answerVoxwire(offer: string): Promise<string> {
  const peer = new Peer({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    opusBackend: nativeOpus(stack) ? '@discordjs/opus' : 'opusscript',
  });
  peer.on('audio', (frame) => {
    framesIn++;
    peer.sendAudio(frame);
  });
  peer.on('error', () => {});
  voxPeers.push(peer);
  closers.push(() => peer.close());
  return peer.acceptOffer(offer);
}

async function answerWerift(offer: string): Promise<string> {
  const pc = new RTCPeerConnection({
    iceAdditionalHostAddresses: ['127.0.0.1'],
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48000,
          channels: 2,
          payloadType: 111,
        }),
      ],
    },
  });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  const tr = pc.getTransceivers()[0];
  tr.setDirection('sendrecv');
  const opus = opusPair(false);
  let seq = 0;
  let ts = 0;
  tr.receiver.track.onReceiveRtp.subscribe((rtp) => {
    framesIn++;
    const out = opus.echo(rtp.payload);
    const header = new RtpHeader({ payloadType: 111, sequenceNumber: seq, timestamp: ts, marker: false });
    seq = (seq + 1) & 0xffff;
    ts = (ts + 960) >>> 0;
    tr.sender.sendRtp(new RtpPacket(header, out)).then(
      () => framesOut++,
      () => {},
    );
  });
  closers.push(
    () => pc.close(),
    () => opus.delete(),
  );
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription?.sdp ?? '';
}

interface WrtcAudioData {
  samples: Int16Array;
  sampleRate: number;
  bitsPerSample: number;
  channelCount: number;
  numberOfFrames: number;
}
interface Wrtc {
  RTCPeerConnection: new () => {
    setRemoteDescription(d: { type: string; sdp: string }): Promise<void>;
    createAnswer(): Promise<{ type: string; sdp: string }>;
    setLocalDescription(d: { type: string; sdp: string }): Promise<void>;
    addTrack(track: unknown): unknown;
    localDescription: { sdp: string } | null;
    iceGatheringState: string;
    onicegatheringstatechange: (() => void) | null;
    ontrack: ((e: { track: unknown }) => void) | null;
    close(): void;
  };
  nonstandard: {
    RTCAudioSource: new () => { createTrack(): unknown; onData(d: WrtcAudioData): void };
    RTCAudioSink: new (track: unknown) => { ondata: ((d: WrtcAudioData) => void) | null; stop(): void };
  };
}

async function answerWrtc(offer: string): Promise<string> {
  const wrtc = requireHere('@roamhq/wrtc') as Wrtc;
  const pc = new wrtc.RTCPeerConnection();
  const source = new wrtc.nonstandard.RTCAudioSource();
  pc.ontrack = (e) => {
    const sink = new wrtc.nonstandard.RTCAudioSink(e.track);
    let tenMs = 0;
    // libwebrtc hands out and takes 10 ms chunks: count two per 20 ms frame.
    sink.ondata = (d) => {
      source.onData(d);
      if (++tenMs % 2 === 0) {
        framesIn++;
        framesOut++;
      }
    };
    closers.push(() => sink.stop());
  };
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  pc.addTrack(source.createTrack());
  await pc.setLocalDescription(await pc.createAnswer());
  if (pc.iceGatheringState !== 'complete')
    await new Promise<void>((resolve) => {
      pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    });
  closers.push(() => pc.close());
  return pc.localDescription?.sdp ?? '';
}

async function answerDatachannel(offer: string): Promise<string> {
  const ndc = await import('node-datachannel');
  const pc = new ndc.PeerConnection('server', { iceServers: [] });
  const mid = /a=mid:(\S+)/.exec(offer)?.[1] ?? '0';
  const audio = new ndc.Audio(mid, 'SendRecv');
  audio.addOpusCodec(111);
  const ssrc = (Math.random() * 0xffffffff) >>> 0;
  audio.addSSRC(ssrc, 'echo');
  const track = pc.addTrack(audio);
  track.setMediaHandler(new ndc.RtcpReceivingSession());
  const opus = opusPair(nativeOpus(stack));
  const out = Buffer.alloc(12 + 1500);
  let seq = 0;
  let ts = 0;
  track.onMessage((msg) => {
    // RTCP (PT 200–206 after the marker bit) also arrives here.
    const pt = msg[1] & 0x7f;
    if (msg.length < 12 || pt !== 111) return;
    framesIn++;
    const cc = msg[0] & 0x0f;
    let off = 12 + 4 * cc;
    if (msg[0] & 0x10) off += 4 + 4 * msg.readUInt16BE(off + 2);
    const encoded = opus.echo(msg.subarray(off));
    out[0] = 0x80;
    out[1] = 111;
    out.writeUInt16BE(seq, 2);
    out.writeUInt32BE(ts, 4);
    out.writeUInt32BE(ssrc, 8);
    encoded.copy(out, 12);
    seq = (seq + 1) & 0xffff;
    ts = (ts + 960) >>> 0;
    if (track.sendMessageBinary(out.subarray(0, 12 + encoded.length))) framesOut++;
  });
  const sdp = new Promise<string>((resolve) => {
    pc.onGatheringStateChange((state) => {
      if (state === 'complete') resolve(pc.localDescription()?.sdp ?? '');
    });
  });
  pc.setRemoteDescription(offer, 'offer' as never);
  closers.push(
    () => track.close(),
    () => pc.close(),
    () => opus.delete(),
  );
  return sdp;
}

function udpEcho(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    framesIn++;
    sock.send(msg, rinfo.port, rinfo.address, () => framesOut++);
  });
  closers.push(() => sock.close());
  return new Promise((resolve) => sock.bind(0, '127.0.0.1', () => resolve(sock.address().port)));
}

// aiortc's server is aiortc-server.py, not this program.
const answerers: Record<Exclude<Stack, 'udp' | 'aiortc'>, (offer: string) => Promise<string>> = {
  voxwire: answerVoxwire,
  'voxwire-native': answerVoxwire,
  'voxwire-published': answerVoxwire,
  'voxwire-cjs': answerVoxwire,
  werift: answerWerift,
  wrtc: answerWrtc,
  datachannel: answerDatachannel,
  'datachannel-native': answerDatachannel,
};

/**
 * With `VOXWIRE_WEBRTC_BENCH_CPU_PROF=<dir>`, a V8 CPU profile of each measured window (from one stats
 * request to the next) is written there as `<stack>-<time>.cpuprofile`: no start-up, no handshakes.
 */
const profileDir = process.env.VOXWIRE_WEBRTC_BENCH_CPU_PROF;
let profiler: Session | undefined;
async function toggleProfile(): Promise<void> {
  if (!profileDir) return;
  if (!profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return;
  }
  const { profile } = await profiler.post('Profiler.stop');
  writeFileSync(join(profileDir, `${stack}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
  profiler.disconnect();
  profiler = undefined;
}

process.on('message', async (msg: ToServer) => {
  switch (msg.type) {
    case 'offer':
      if (stack === 'udp' || stack === 'aiortc') return;
      send({ type: 'answer', id: msg.id, sdp: await answerers[stack](msg.sdp) });
      return;
    case 'udp-port':
      send({ type: 'udp-port', port: await udpEcho() });
      return;
    case 'stats': {
      // CPU first: the stats calls below then land inside the next window, the same for every stack.
      const cpu = process.cpuUsage();
      await toggleProfile();
      let concealed = 0;
      if (stack.startsWith('voxwire')) {
        // The voxwire echo counts frames out where the peer counts them: packets it sent.
        framesOut = 0;
        for (const p of voxPeers) {
          const s = await p.stats();
          concealed += s.framesConcealed;
          framesOut += s.packetsSent;
        }
      }
      send({ type: 'stats', cpuUs: cpu.user + cpu.system, framesIn, framesOut, concealed });
      return;
    }
    case 'stop':
      for (const c of closers) await c();
      process.exit(0);
  }
});
send({ type: 'ready' });
