// The callers of the webrtc benchmark, all in this one process (`node --import tsx callers.ts [udp:<port>]`):
// @voxwire/webrtc peers that send a 440 Hz tone and check what comes back (frames and pitch), or, in mode
// `udp:<port>`, n UDP sockets sending one 100-byte packet per 20 ms each (the bare-socket floor). Offers go to
// the parent over IPC, which relays them to the server under test.
import dgram from 'node:dgram';
import { audioFrame } from '@voxwire/codecs';
import { estimatePitchHz, tone } from '@voxwire/test-support';
import { WebRtcAudioPeer } from '@voxwire/webrtc';
import { type FromCallers, TONE_AMPLITUDE, TONE_HZ, type ToCallers } from './protocol.js';

const mode = process.argv[2] ?? 'webrtc';
let callers = 0;
const PITCH_WINDOW = 24000; // the last 0.5 s each caller heard
let framesReceived = 0;
const closers: (() => unknown)[] = [];
const heard: { ring: Int16Array; at: number }[] = [];
const answers = new Map<string, (sdp: string) => void>();

function send(msg: FromCallers): void {
  process.send?.(msg);
}

async function call(i: number): Promise<void> {
  const toneFrame = audioFrame(tone(TONE_HZ, 48000, 480000, TONE_AMPLITUDE), 48000);
  for (let attempt = 0; attempt < 3; attempt++) {
    const peer = new WebRtcAudioPeer({
      iceAdditionalHostAddresses: ['127.0.0.1'],
      opusBackend: 'opusscript',
    });
    peer.on('error', () => {});
    const id = `c${i}-${attempt}`;
    const answered = new Promise<string>((resolve) => answers.set(id, resolve));
    const connected = new Promise<boolean>((resolve) => {
      peer.once('connected', () => resolve(true));
      setTimeout(() => resolve(false), 30_000).unref();
    });
    send({ type: 'offer', id, sdp: await peer.createOffer() });
    await peer.acceptAnswer(await answered);
    if (!(await connected)) {
      await peer.close();
      continue;
    }
    const slot = { ring: new Int16Array(PITCH_WINDOW), at: 0 };
    heard.push(slot);
    peer.on('audio', (frame) => {
      framesReceived++;
      for (const s of frame.data) {
        slot.ring[slot.at] = s;
        slot.at = (slot.at + 1) % PITCH_WINDOW;
      }
    });
    peer.sendAudio(toneFrame);
    peer.on('drain', () => peer.sendAudio(toneFrame));
    closers.push(() => peer.close());
    return;
  }
  throw new Error(`caller ${i} could not connect`);
}

const udpSocks: dgram.Socket[] = [];

async function udpCallers(port: number, n: number): Promise<void> {
  const payload = Buffer.alloc(100, 1);
  const socks = udpSocks;
  if (socks.length === 0) {
    const timer = setInterval(() => {
      for (const s of socks) s.send(payload, port, '127.0.0.1');
    }, 20);
    closers.push(() => clearInterval(timer));
  }
  while (socks.length < n) {
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => framesReceived++);
    await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
    socks.push(sock);
    closers.push(() => sock.close());
  }
}

/** Brings the number of callers up to `n`. */
async function grow(n: number): Promise<void> {
  if (mode.startsWith('udp:')) await udpCallers(Number(mode.slice(4)), n);
  // A few at a time: 32 simultaneous ICE/DTLS handshakes starve a loaded machine.
  else
    while (callers < n) {
      const batch = Math.min(4, n - callers);
      await Promise.all(Array.from({ length: batch }, (_, k) => call(callers + k)));
      callers += batch;
    }
  send({ type: 'connected' });
}

process.on('message', async (msg: ToCallers) => {
  switch (msg.type) {
    case 'grow':
      await grow(msg.n);
      return;
    case 'answer':
      answers.get(msg.id)?.(msg.sdp);
      return;
    case 'stats': {
      let pitchOk = 0;
      for (const h of heard) {
        const ordered = new Int16Array(PITCH_WINDOW);
        ordered.set(h.ring.subarray(h.at));
        ordered.set(h.ring.subarray(0, h.at), PITCH_WINDOW - h.at);
        if (Math.abs(estimatePitchHz(ordered, 48000) - TONE_HZ) < 2) pitchOk++;
      }
      send({ type: 'stats', framesReceived, pitchOk, peers: heard.length });
      return;
    }
    case 'stop':
      for (const c of closers) await c();
      process.exit(0);
  }
});
