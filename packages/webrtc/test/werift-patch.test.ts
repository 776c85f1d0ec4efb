// The behaviours changed by patches/werift@0.25.2.patch (docs: packages/webrtc/README.md, "werift patch"),
// each checked bit-exactly against the unpatched algorithm written out here or against RFC test vectors.
// werift ships two builds and the patch changes both the same way: lib/index.mjs (what `import 'werift'`
// loads) and the CommonJS files lib/<pkg>/src/**/*.js (what `require('werift')` loads: a CommonJS app, and
// this package's dist/index.cjs). Every check below runs against each build.
import { createCipheriv, createHmac } from 'node:crypto';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import type { RTCPeerConnection, RtpPacket } from 'werift';
import * as esmWerift from 'werift';
import { isWeriftPatched } from '../src/index.js';

/** One build of werift: both have the same exports (and the same type declarations). */
type Werift = typeof esmWerift;
const require = createRequire(import.meta.url);
const cjsWerift = require('werift') as Werift;
const BUILDS: Array<[string, Werift]> = [
  ['ESM', esmWerift],
  ['CommonJS', cjsWerift],
];

/** werift 0.25.2's getBit, through binary strings. */
function referenceGetBit(bits: number, startIndex: number, length = 1): number {
  let bin = bits.toString(2).split('');
  bin = [...Array(8 - bin.length).fill('0'), ...bin];
  return Number.parseInt(bin.slice(startIndex, startIndex + length).join(''), 2);
}

// RFC 3711 Appendix B.3: key derivation test vectors.
const MASTER_KEY = Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex');
const MASTER_SALT = Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex');

/** RFC 3711 §4.3.1 AES-CM key derivation (key derivation rate 0). */
function derive(label: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  MASTER_SALT.copy(iv);
  iv[7] ^= label;
  return createCipheriv('aes-128-ctr', MASTER_KEY, iv).update(Buffer.alloc(bytes));
}

/** RFC 3711 AES_CM_128_HMAC_SHA1_80 protection of one RTP packet, a fresh cipher per packet (unpatched werift). */
function referenceProtect(rtp: Buffer, headerBytes: number, roc: number): Buffer {
  const key = derive(0, 16);
  const auth = derive(1, 20);
  const salt = derive(2, 14);
  const iv = Buffer.alloc(16);
  salt.copy(iv);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ rtp.readUInt32BE(8)) >>> 0, 4);
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
  iv.writeUInt16BE(iv.readUInt16BE(12) ^ rtp.readUInt16BE(2), 12);
  const enc = Buffer.concat([
    rtp.subarray(0, headerBytes),
    createCipheriv('aes-128-ctr', key, iv).update(rtp.subarray(headerBytes)),
  ]);
  const rocBytes = Buffer.alloc(4);
  rocBytes.writeUInt32BE(roc);
  const tag = createHmac('sha1', auth).update(enc).update(rocBytes).digest().subarray(0, 10);
  return Buffer.concat([enc, tag]);
}

/** The same master key both ways: one session's output is another's input. */
const keys = {
  localMasterKey: MASTER_KEY,
  localMasterSalt: MASTER_SALT,
  remoteMasterKey: MASTER_KEY,
  remoteMasterSalt: MASTER_SALT,
};

interface PatchedSender {
  sendRtpNow(packet: RtpPacket): Promise<void> | undefined;
}
interface NominatedPair {
  nominated: { packetsSent: number; protocol: { transport: unknown } };
}

/** Two werift ends of one build with one audio transceiver each, connected. */
async function connectedPair(werift: Werift): Promise<[RTCPeerConnection, RTCPeerConnection]> {
  const a = new werift.RTCPeerConnection();
  const b = new werift.RTCPeerConnection();
  a.addTransceiver('audio', { direction: 'sendrecv' });
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  b.getTransceivers()[0].setDirection('sendrecv');
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  const connected = (pc: RTCPeerConnection) =>
    new Promise<void>((resolve) => {
      if (pc.connectionState === 'connected') resolve();
      pc.connectionStateChange.subscribe((s) => s === 'connected' && resolve());
    });
  await Promise.all([connected(a), connected(b)]);
  return [a, b];
}

describe('isWeriftPatched', () => {
  it('sees the patch pnpm applies in this workspace (the consumer test sees werift as npm installs it: unpatched)', () => {
    expect(isWeriftPatched()).toBe(true);
  });

  it('require loads the CommonJS files, not lib/index.mjs: another set of classes than import', () => {
    expect(require.resolve('werift')).toMatch(/[\\/]lib[\\/]webrtc[\\/]src[\\/]index\.js$/);
    expect(cjsWerift.RTCRtpSender).not.toBe(esmWerift.RTCRtpSender);
  });

  it("is true in this package's CommonJS build (dist/index.cjs, which requires werift's CommonJS files)", () => {
    const dist = fileURLToPath(new URL('../dist/index.cjs', import.meta.url));
    expect(existsSync(dist), 'build it first: pnpm --filter @voxwire/webrtc build').toBe(true);
    expect((require(dist) as { isWeriftPatched(): boolean }).isWeriftPatched()).toBe(true);
  });
});

describe.each(BUILDS)('werift, %s build', (_build, werift) => {
  const {
    getBit,
    MediaStreamTrack,
    ntpTime,
    ntpTimeToEpochMs,
    ProtectionProfileAes128CmHmacSha1_80,
    RTCPeerConnection,
    RTCRtpCodecParameters,
    RtpHeader,
    RtpPacket,
    SrtpSession,
    UdpTransport,
    useNACK,
    useTWCC,
  } = werift;

  it("has the patch's marker, the synchronous send path (RTCRtpSender.prototype.sendRtpNow)", () => {
    const prototype = werift.RTCRtpSender.prototype as unknown as Partial<PatchedSender>;
    expect(typeof prototype.sendRtpNow).toBe('function');
  });

  describe('RTP header bits without binary strings', () => {
    it('getBit gives the string-based result for every byte, offset and width', () => {
      for (let b = 0; b < 256; b++)
        for (let start = 0; start < 8; start++)
          for (let len = 1; start + len <= 8; len++)
            expect(getBit(b, start, len)).toBe(referenceGetBit(b, start, len));
    });

    it('serializes and parses headers with marker, CSRCs and one- and two-byte extensions byte for byte', () => {
      const payload = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
      const oneByte = new RtpHeader({
        marker: true,
        payloadType: 111,
        sequenceNumber: 0xfffe,
        timestamp: 0xfedcba98,
        ssrc: 0x12345678,
        csrc: [0xaabbccdd],
        extensionProfile: 0xbede,
        extensions: [{ id: 3, payload: Buffer.from([0x01, 0x02, 0x03]) }],
      });
      const wire = new RtpPacket(oneByte, payload).serialize();
      // RFC 3550 §5.1 / RFC 8285 §4.2, assembled by hand.
      expect(wire.toString('hex')).toBe(
        '91effffe' + 'fedcba98' + '12345678' + 'aabbccdd' + 'bede0001' + '32010203' + 'deadbeef',
      );
      const parsed = RtpPacket.deSerialize(wire);
      expect(parsed.header).toMatchObject({
        version: 2,
        marker: true,
        padding: false,
        payloadType: 111,
        sequenceNumber: 0xfffe,
        timestamp: 0xfedcba98,
        ssrc: 0x12345678,
        csrc: [0xaabbccdd],
      });
      expect(parsed.header.extensions.map((e) => [e.id, e.payload.toString('hex')])).toEqual([[3, '010203']]);
      expect(parsed.payload.toString('hex')).toBe('deadbeef');

      const twoByte = Buffer.from('90000001000000020000000310000002' + '0502aabb' + '0601cc00' + '77', 'hex');
      const p2 = RtpPacket.deSerialize(twoByte);
      expect(p2.header.extensions.map((e) => [e.id, e.payload.toString('hex')])).toEqual([
        [5, 'aabb'],
        [6, 'cc'],
      ]);
      expect(p2.payload.toString('hex')).toBe('77');
      expect(new RtpPacket(p2.header, p2.payload).serialize().equals(twoByte)).toBe(true);
    });
  });

  describe('ntpTime without strings', () => {
    it('is RFC 3550 NTP: seconds since 1900 and a 32-bit binary fraction', () => {
      const before = Date.now();
      const ntp = ntpTime();
      const after = Date.now();
      const ms =
        Number(ntp >> 32n) * 1000 + (Number(ntp & 0xffffffffn) / 2 ** 32) * 1000 + Date.UTC(1900, 0, 1);
      // performance.timeOrigin + now() and Date.now() may disagree by a few ms (clock adjustments).
      expect(ms).toBeGreaterThan(before - 50);
      expect(ms).toBeLessThan(after + 50);
      expect(ntp & 0xffffffffn).toBeLessThan(2n ** 32n);
    });

    it('ntpTimeToEpochMs reads the low word as a binary fraction of a second, not as milliseconds', () => {
      const unixEpoch = 2208988800n << 32n; // 1970-01-01 in NTP seconds (RFC 868)
      expect(ntpTimeToEpochMs(unixEpoch)).toBe(0);
      expect(ntpTimeToEpochMs(unixEpoch | 0x80000000n)).toBe(500);
      expect(ntpTimeToEpochMs(unixEpoch | 0x40000000n)).toBe(250);
      expect(ntpTimeToEpochMs((2208988801n << 32n) | 0xc0000000n)).toBe(1750);
    });

    it("a receiver's remote-outbound-rtp stat dates the far end's sender report to now, not days off", async () => {
      const [a, b] = await connectedPair(werift);
      try {
        const sender = a.getTransceivers()[0].sender as unknown as PatchedSender;
        const header = new RtpHeader({ payloadType: 111 });
        const packet = new RtpPacket(header, Buffer.from([0xf8, 0xff, 0xfe]));
        let remoteTimestamp: number | undefined;
        // The sender's RTCP loop starts with its first packet and reports every 0.5-1.5 s.
        await waitUntil(async () => {
          header.sequenceNumber = (header.sequenceNumber + 1) & 0xffff;
          header.timestamp += 960;
          sender.sendRtpNow(packet);
          const stats = [...(await b.getTransceivers()[0].receiver.getStats()).values()];
          const remote = stats.find((s) => s.type === 'remote-outbound-rtp') as
            | { remoteTimestamp?: number }
            | undefined;
          remoteTimestamp = remote?.remoteTimestamp;
          return remoteTimestamp !== undefined;
        }, 'a sender report reaching the receiver');
        // Both ends share this process's clock; the unpatched reader put it up to 2^32 ms (50 days) off.
        expect(Math.abs((remoteTimestamp ?? 0) - Date.now())).toBeLessThan(60_000);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('SRTP AES-CM with one keystream cipher per session', () => {
    it('derives the RFC 3711 B.3 session keys (the reference below is right)', () => {
      expect(derive(0, 16).toString('hex')).toBe('c61e7a93744f39ee10734afe3ff7a087');
      expect(derive(2, 14).toString('hex')).toBe('30cbbc08863d8c85d49db34a9ae1');
      expect(derive(1, 20).toString('hex')).toBe('cebe321f6ff7716b6fd4ab49af256a156d38baa4');
    });

    it('protects bit-exactly like a fresh AES-CTR cipher per packet, over many packets and multi-block payloads', () => {
      const sender = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
      const receiver = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
      // Sizes across block boundaries (16 bytes) up to a large frame; sequence numbers keep the ROC at 0.
      for (const [i, size] of [1, 15, 16, 17, 80, 160, 1000].entries()) {
        const payload = Buffer.alloc(size);
        for (let k = 0; k < size; k++) payload[k] = (k * 7 + i) & 0xff;
        const header = new RtpHeader({
          payloadType: 111,
          sequenceNumber: 1000 + i,
          timestamp: 960 * i,
          ssrc: 0xcafebabe,
        });
        const plain = new RtpPacket(header, payload).serialize();
        const protectedPacket = sender.encrypt(payload, new RtpHeader({ ...header }));
        expect(protectedPacket.toString('hex')).toBe(referenceProtect(plain, 12, 0).toString('hex'));
        expect(receiver.decrypt(protectedPacket).equals(plain)).toBe(true);
      }
    });

    it('rejects a packet whose tag does not match', () => {
      const s = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
      const header = new RtpHeader({ payloadType: 111, sequenceNumber: 7, timestamp: 0, ssrc: 1 });
      const p = s.encrypt(Buffer.alloc(40, 1), header);
      p[20] ^= 1;
      expect(() =>
        new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 }).decrypt(p),
      ).toThrow();
    });
  });

  describe('SRTP profile preference', () => {
    it('two werift ends agree on AES_CM_128_HMAC_SHA1_80 when both offer it', async () => {
      const [a, b] = await connectedPair(werift);
      try {
        for (const pc of [a, b]) {
          const dtls = pc.getTransceivers()[0].sender.dtlsTransport as unknown as {
            dtls: { srtp: { srtpProfile: number } };
          };
          expect(dtls.dtls.srtp.srtpProfile).toBe(ProtectionProfileAes128CmHmacSha1_80);
        }
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('events without a promise per packet', () => {
    it('delivers to plain subscribers synchronously and still runs queued (async) subscribers in order', async () => {
      const track = new MediaStreamTrack({ kind: 'audio' });
      const plain: number[] = [];
      const queued: number[] = [];
      track.onReceiveRtp.subscribe((p) => plain.push(p.header.sequenceNumber));
      const packet = (seq: number) => new RtpPacket(new RtpHeader({ sequenceNumber: seq }), Buffer.alloc(1));
      track.onReceiveRtp.execute(packet(1));
      expect(plain).toEqual([1]);
      track.onReceiveRtp.queuingSubscribe(async (p) => {
        await Promise.resolve();
        queued.push(p.header.sequenceNumber);
      });
      track.onReceiveRtp.execute(packet(2));
      track.onReceiveRtp.execute(packet(3));
      expect(plain).toEqual([1, 2, 3]);
      await new Promise((r) => setImmediate(r));
      expect(queued).toEqual([2, 3]);
    });
  });

  describe('RTP sent without a promise per packet, received without a clone', () => {
    it('sendRtpNow hands each packet to the socket before it returns; the far end gets every payload in order', async () => {
      const [a, b] = await connectedPair(werift);
      try {
        const sender = a.getTransceivers()[0].sender as unknown as PatchedSender;
        const pair = (
          a.getTransceivers()[0].sender.dtlsTransport.iceTransport as unknown as {
            connection: NominatedPair;
          }
        ).connection;
        // End to end in this build: its peer connection, ICE socket and packets, none from the other build.
        expect(sender).toBeInstanceOf(werift.RTCRtpSender);
        expect(pair.nominated.protocol.transport).toBeInstanceOf(UdpTransport);
        const received: RtpPacket[] = [];
        b.getTransceivers()[0].receiver.track.onReceiveRtp.subscribe((rtp) => received.push(rtp));
        const header = new RtpHeader({ payloadType: 111, timestamp: 0 });
        const packet = new RtpPacket(header, Buffer.alloc(0));
        for (let i = 0; i < 20; i++) {
          const before = pair.nominated.packetsSent;
          header.sequenceNumber = 1000 + i;
          header.timestamp = i * 960;
          // The sender clones the packet before it returns, so one packet object can carry every send.
          packet.payload = Buffer.from([0xf8, i, 0xff - i, 0x55]);
          expect(sender.sendRtpNow(packet)).toBeUndefined();
          expect(pair.nominated.packetsSent).toBe(before + 1);
        }
        await waitUntil(() => received.length >= 20, 'the far end receiving 20 packets');
        expect(received.map((rtp) => rtp.payload.toString('hex'))).toEqual(
          Array.from({ length: 20 }, (_, i) => Buffer.from([0xf8, i, 0xff - i, 0x55]).toString('hex')),
        );
        for (const rtp of received) expect(rtp).toBeInstanceOf(RtpPacket);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it("an audio track's listeners get the packet the transport decrypted, not a copy", async () => {
      const [a, b] = await connectedPair(werift);
      try {
        const fromTransport: RtpPacket[] = [];
        const toTrack: RtpPacket[] = [];
        b.getTransceivers()[0].receiver.dtlsTransport.onRtp.subscribe((rtp) => fromTransport.push(rtp));
        b.getTransceivers()[0].receiver.track.onReceiveRtp.subscribe((rtp) => toTrack.push(rtp));
        const sender = a.getTransceivers()[0].sender as unknown as PatchedSender;
        sender.sendRtpNow(new RtpPacket(new RtpHeader({ payloadType: 111 }), Buffer.from([0xf8, 1])));
        await waitUntil(() => toTrack.length > 0, 'the packet reaching the track');
        expect(toTrack[0]).toBe(fromTransport[0]);
        expect(toTrack[0].payload).toEqual(Buffer.from([0xf8, 1]));
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    it('the receiver finds TWCC and NACK on the lowest payload type, as the sorted codec list did', () => {
      const pc = new RTCPeerConnection();
      try {
        // The codec table and the feedback checks are werift internals (private in its types).
        const receiver = pc.addTransceiver('audio').receiver as unknown as {
          codecs: Record<number, InstanceType<typeof RTCRtpCodecParameters>>;
          twccEnabled: unknown;
          nackEnabled: unknown;
        };
        const codec = (payloadType: number, feedback: ReturnType<typeof useTWCC>[]) =>
          new RTCRtpCodecParameters({
            mimeType: 'audio/opus',
            clockRate: 48000,
            channels: 2,
            payloadType,
            rtcpFeedback: feedback,
          });
        receiver.codecs = {};
        receiver.codecs[111] = codec(111, []);
        receiver.codecs[96] = codec(96, [useTWCC(), useNACK()]);
        expect(receiver.twccEnabled).toBeTruthy();
        expect(receiver.nackEnabled).toBeTruthy();
        delete receiver.codecs[96];
        receiver.codecs[120] = codec(120, [useTWCC()]);
        expect(receiver.twccEnabled).toBeFalsy();
        expect(receiver.nackEnabled).toBeFalsy();
      } finally {
        void pc.close();
      }
    });
  });

  describe('UDP sends without a DNS lookup per packet', () => {
    it('sends to an IP literal at once and to a host name through the resolver', async () => {
      const sink = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
      const port = sink.address().port;
      const got: string[] = [];
      sink.on('message', (m) => got.push(m.toString()));
      const transport = await UdpTransport.init('udp4');
      try {
        const now = transport as unknown as {
          sendNow(d: Buffer, a: [string, number]): Promise<void> | undefined;
        };
        expect(now.sendNow(Buffer.from('literal'), ['127.0.0.1', port])).toBeUndefined();
        await now.sendNow(Buffer.from('name'), ['localhost', port]);
        await waitUntil(() => got.length >= 2, 'both datagrams arriving');
        expect(got.sort()).toEqual(['literal', 'name']);
      } finally {
        await transport.close();
        sink.close();
      }
    });

    it('rejects init() when the port is taken, instead of an unhandled socket error', async () => {
      const holder = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => holder.bind(0, resolve));
      try {
        await expect(UdpTransport.init('udp4', { port: holder.address().port })).rejects.toMatchObject({
          code: 'EADDRINUSE',
        });
        // The transport that did bind still works beside it.
        const other = await UdpTransport.init('udp4');
        await other.close();
      } finally {
        holder.close();
      }
    });
  });
});
