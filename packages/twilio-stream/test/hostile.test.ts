import { connect } from 'node:net';
import { encodedFrame, mulaw } from '@voxwire/codecs';
import {
  clientFrame,
  handleCounts,
  heapAfterGcMiB,
  openFds,
  rawHttpStatus,
  rawUpgrade,
  rssMiB,
  settleLeaks,
  tone,
  upgradeRequest,
  waitUntil,
} from '@voxwire/test-support';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MediaStreamRejection,
  type MediaStreamServer,
  type TwilioCall,
  TwilioSimulator,
  type TwilioStreamError,
} from '../src/index.js';
import { startServer } from './helpers.js';

// Each attack comes from outside over loopback sockets while one healthy call runs beside it (a simulator
// in real time whose audio the server echoes back). After each: the healthy call still carries audio
// bit-exact with no error, the attacker got a clear error or close code, and fds come back to baseline.

const LIMITS = {
  startTimeoutMs: 600,
  idleTimeoutMs: 600,
  handshakeTimeoutMs: 600,
  closeTimeoutMs: 300,
  maxConnections: 12,
};

let server: MediaStreamServer;
let url: string;
let healthy: TwilioSimulator;
let healthyCall: TwilioCall;
let errors: Map<TwilioCall, TwilioStreamError[]>;
let calls: TwilioCall[];
let rejections: MediaStreamRejection[];
let fdBaseline: number;
let handleBaseline: Record<string, number>;
let heapBaseline: number;

function errorsOf(sim: TwilioSimulator): string[] {
  const call = calls.find((c) => c.callSid === sim.callSid);
  return (call && errors.get(call)?.map((e) => e.code)) ?? [];
}

function attacker(options: Partial<ConstructorParameters<typeof TwilioSimulator>[0]> = {}): TwilioSimulator {
  return new TwilioSimulator({ url, speed: Number.POSITIVE_INFINITY, idleSilence: false, ...options });
}

/** The healthy call: what it sent so far comes back bit-exact, it is active, and it saw no error. */
async function healthyStillWorks(): Promise<void> {
  await healthy.streamAudio(encodedFrame('pcmu', mulaw.encode(tone(440, 8000, 1600, 0.25))));
  const sent = healthy.sentMulaw().length;
  await healthy.until(() => healthy.heardMulaw().length >= sent, healthy.clockMs + 20_000);
  const heard = healthy.heardMulaw();
  expect(
    Buffer.compare(Buffer.from(heard.subarray(0, sent)), Buffer.from(healthy.sentMulaw().subarray(0, sent))),
  ).toBe(0);
  expect(errors.get(healthyCall)).toEqual([]);
  expect(healthyCall.active).toBe(true);
}

async function backToBaseline(): Promise<void> {
  await waitUntil(() => server.calls.size === 1, 'only the healthy call is left');
  await waitUntil(() => openFds() <= fdBaseline + 1, `fds back to ${fdBaseline} (now ${openFds()})`);
  expect(await settleLeaks(handleBaseline)).toEqual({});
  // What the attack made the server allocate is released (slack for the healthy session's own churn).
  expect(heapAfterGcMiB() - heapBaseline).toBeLessThan(16);
}

beforeEach(async () => {
  errors = new Map();
  calls = [];
  rejections = [];
  ({ server, url } = await startServer(LIMITS));
  server.on('rejected', (r) => rejections.push(r));
  server.on('call', (call) => {
    calls.push(call);
    errors.set(call, []);
    call.on('error', (e) => errors.get(call)?.push(e));
    call.on('audio', (f) => call.sendAudio(f)); // echo
  });
  healthy = new TwilioSimulator({ url, speed: 1 }); // real time, idle silence like a live line
  await healthy.connect();
  await waitUntil(() => calls.length === 1 && calls[0].active, 'the healthy call started');
  healthyCall = calls[0];
  fdBaseline = openFds();
  handleBaseline = handleCounts();
  heapBaseline = heapAfterGcMiB();
});

afterEach(async () => {
  await healthy.stop();
  await server.close();
});

describe('twilio-stream under attack (a healthy call beside each attack)', { timeout: 60_000 }, () => {
  it('malformed and oversized input for every message type: typed errors, 1009 for oversized, call goes on', async () => {
    const bad = attacker();
    await bad.connect();
    const sid = bad.streamSid;
    const media = (m: Record<string, unknown>) => ({
      event: 'media',
      sequenceNumber: '2',
      streamSid: sid,
      media: m,
    });
    const inputs: unknown[] = [
      '{"event":"media", not json',
      '[]',
      'null',
      { event: 42 },
      { event: 'connected', protocol: { toString: 1 } }, // harmless: connected carries nothing we read
      { event: 'start', sequenceNumber: '1', streamSid: sid, start: null },
      media({ payload: 5 }),
      media({ payload: '%%%%' }),
      media({ payload: Buffer.alloc(100).toString('base64') }),
      media({ payload: '' }),
      media({ payload: Buffer.alloc(160, 0xff).toString('base64'), timestamp: { toString: 1 } }),
      { event: 'dtmf', streamSid: sid, dtmf: { digit: { toString: 1 } } },
      { event: 'dtmf', streamSid: sid, dtmf: { digit: 'x'.repeat(5000) } },
      { event: 'mark', streamSid: sid, mark: 'not an object' },
      { event: 'mark', streamSid: sid, mark: { name: 'never-sent' } },
      { event: 'stop', streamSid: 'MZ-someone-else' },
      { event: 'clear', streamSid: sid },
    ];
    for (const input of inputs) {
      if (typeof input === 'string') bad.sendRaw(input);
      else bad.sendJson(input);
    }
    await waitUntil(() => errorsOf(bad).length === inputs.length - 2, 'every bad message was reported');
    expect(errorsOf(bad)).toEqual([
      'MALFORMED_JSON',
      'MALFORMED_JSON',
      'MALFORMED_JSON',
      'MALFORMED_JSON',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'BAD_BASE64',
      'BAD_FRAME_SIZE',
      'BAD_FRAME_SIZE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'BAD_MESSAGE',
      'UNKNOWN_MARK',
      'WRONG_STREAM',
      'UNKNOWN_EVENT',
    ]);
    // The timestamp that was an object is only unknown, so that frame was still delivered (echoed).
    await bad.until(() => bad.report().receivedFrames === 1);
    // Oversized: more than maxMessageBytes (64 KiB) in one message closes the stream with 1009.
    const closed = new Promise<number>((resolve) => bad.once('close', resolve));
    bad.sendRaw(JSON.stringify({ event: 'media', media: { payload: 'A'.repeat(70_000) } }));
    expect(await closed).toBe(1009);
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a timestamp jump of 4 hours is not allocated: gap_too_large, at most maxGapMs filled, memory flat', async () => {
    const bad = attacker();
    await bad.connect();
    const call = calls[calls.length - 1];
    let filledSamples = 0;
    let biggestChunk = 0;
    let filledPcm = 0;
    call.on('audio', (f, info) => {
      if (info.filled) {
        filledSamples += f.samples;
        biggestChunk = Math.max(biggestChunk, f.data.length);
      }
    });
    call.on('pcm', (f, info) => {
      if (info.filled) {
        filledPcm += f.data.length;
        biggestChunk = Math.max(biggestChunk, f.data.length);
      }
    });
    const rss = rssMiB();
    const frame = Buffer.alloc(160, 0xff).toString('base64');
    const send = (ts: number, seq: number) =>
      bad.sendJson({
        event: 'media',
        sequenceNumber: String(seq),
        streamSid: bad.streamSid,
        media: { track: 'inbound', chunk: String(seq), timestamp: String(ts), payload: frame },
      });
    send(0, 2);
    send(4 * 3600 * 1000, 3); // 4 h later: refused as a gap, the timeline resyncs
    send(4 * 3600 * 1000 + 20, 4);
    send(4 * 3600 * 1000 + 40 + 3000, 5); // 3 s gap: within maxGapMs, filled
    send(99_999_999_999_999, 6); // ~3000 years
    await waitUntil(() => call.inboundStats.frames === 5, 'all five frames arrived');
    expect(errorsOf(bad)).toEqual(['GAP_TOO_LARGE', 'GAP_TOO_LARGE']);
    expect(call.inboundStats).toMatchObject({ gaps: 3, resyncs: 2, filledMs: 3000 });
    expect(filledSamples).toBe(3000 * 8);
    expect(filledPcm).toBe(3000 * 8);
    expect(biggestChunk).toBeLessThanOrEqual(200 * 8); // delivered in pieces, not one allocation
    expect(rssMiB() - rss).toBeLessThan(64); // before the fix: +900 MB for 1 h
    await bad.stop();
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a 60 KB mark name and a 60 KB streamSid are reported shortened', async () => {
    const bad = attacker();
    await bad.connect();
    bad.sendJson({ event: 'mark', streamSid: bad.streamSid, mark: { name: 'm'.repeat(60_000) } });
    bad.sendJson({ event: 'dtmf', streamSid: 's'.repeat(60_000), dtmf: { digit: '1' } });
    await waitUntil(() => errorsOf(bad).length === 2, 'both reported');
    const call = calls[calls.length - 1];
    const reported = errors.get(call) ?? [];
    expect(reported.map((e) => e.code)).toEqual(['UNKNOWN_MARK', 'WRONG_STREAM']);
    for (const e of reported) expect(e.message.length).toBeLessThan(200);
    await bad.stop();
    await healthyStillWorks();
    await backToBaseline();
  });

  it('late and out-of-order messages, with nobody listening for errors any more, never crash', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const bad = attacker({ autoStart: false });
      await bad.connect();
      const frame = Buffer.alloc(160, 0xff).toString('base64');
      bad.sendJson({ event: 'media', streamSid: bad.streamSid, media: { payload: frame } });
      bad.sendJson({ event: 'mark', streamSid: bad.streamSid, mark: { name: 'x' } });
      bad.start();
      bad.start.call(Object.assign(Object.create(bad), { started: false })); // a second start
      await waitUntil(() => errorsOf(bad).length === 3, 'early and duplicate messages reported');
      expect(errorsOf(bad)).toEqual(['MEDIA_BEFORE_START', 'MEDIA_BEFORE_START', 'DUPLICATE_START']);
      const call = calls[calls.length - 1];
      bad.sendJson({ event: 'stop', streamSid: bad.streamSid });
      call.on('error', () => {}); // keep reporting until the listeners go below
      await waitUntil(() => !call.active, 'the call stopped');
      // Like an application that forgets a call once it ended: no listener on it, none on the server.
      call.removeAllListeners();
      const serverErrorListeners = server.listeners('error');
      server.removeAllListeners('error');
      bad.sendRaw('not json');
      bad.sendJson({ event: 'media', streamSid: bad.streamSid, media: { payload: frame } });
      bad.sendJson({ event: 'teleport' });
      await waitUntil(() => warnings.length >= 3, 'late messages reported as process warnings');
      for (const l of serverErrorListeners) server.on('error', l as (e: Error) => void);
      expect(warnings.map((w) => (w as TwilioStreamError).code)).toEqual([
        'MALFORMED_JSON',
        'BAD_MESSAGE',
        'UNKNOWN_EVENT',
      ]);
      // Its socket stayed open after `stop`; late messages do not keep it alive: closed at the idle timeout.
      const closed = new Promise<number>((resolve) => bad.once('close', resolve));
      expect(await closed).toBe(1008);
    } finally {
      process.off('warning', onWarning);
    }
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a client that never reads: the local queue stays under maxQueueMs', async () => {
    const raw = await rawUpgrade(url);
    raw.socket.write(clientFrame(JSON.stringify({ event: 'connected' })));
    raw.socket.write(
      clientFrame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ1', callSid: 'CA-noread' } })),
    );
    raw.socket.pause(); // never reads what the server sends
    await waitUntil(() => calls.some((c) => c.callSid === 'CA-noread'), 'the call started');
    const call = calls.find((c) => c.callSid === 'CA-noread') as TwilioCall;
    const tenMinutes = new Uint8Array(8 * 600_000).fill(0x7f);
    for (let i = 0; i < 3; i++) call.sendAudio(encodedFrame('pcmu', tenMinutes)); // 30 min of audio, no echo ever comes back
    expect(call.bufferedMs()).toBeLessThanOrEqual(120_000 + 500);
    expect(call.outboundStats.overflowDroppedMs).toBeGreaterThanOrEqual(30 * 60_000 - 120_500);
    raw.socket.destroy();
    await healthyStillWorks();
    await backToBaseline();
  });

  it('a request target that is no URL (//x:abc) gets 400, and the server goes on', async () => {
    expect(await rawHttpStatus(server.port, upgradeRequest('//x:abc'))).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawHttpStatus(server.port, upgradeRequest('/elsewhere'))).toBe('HTTP/1.1 404 Not Found');
    await healthyStillWorks();
    await backToBaseline();
  });

  it('stalled sockets time out: no start (1008), half a frame (1008), half an upgrade request, silence', async () => {
    const noStart = await rawUpgrade(url);
    const midFrame = await rawUpgrade(url);
    midFrame.socket.write(
      clientFrame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ2', callSid: 'CA-stall' } })),
    );
    midFrame.socket.write(clientFrame(JSON.stringify({ event: 'connected' })).subarray(0, 9)); // and stalls
    const halfUpgrade = connect(server.port, '127.0.0.1');
    halfUpgrade.on('error', () => {});
    const halfClosed = new Promise<void>((resolve) => halfUpgrade.once('close', () => resolve()));
    halfUpgrade.write('GET /media HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n'); // never finished
    const silent = connect(server.port, '127.0.0.1'); // connects and says nothing
    silent.on('error', () => {});
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));
    await Promise.all([noStart.ended, midFrame.ended, halfClosed, silentClosed]);
    expect(noStart.closeCode()).toBe(1008);
    expect(midFrame.closeCode()).toBe(1008);
    await waitUntil(
      () => calls.filter((c) => errors.get(c)?.some((e) => e.code === 'TIMEOUT')).length === 2,
      'timeouts reported',
    );
    await healthyStillWorks();
    await backToBaseline();
  });

  it('connection flood and churn: over maxConnections refused with 503, abrupt destroys cleaned up', async () => {
    const opened = await Promise.allSettled(Array.from({ length: 20 }, () => rawUpgrade(url)));
    const ok = opened.filter((r) => r.status === 'fulfilled');
    const refused = opened.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(LIMITS.maxConnections - 1); // the healthy call holds one slot
    for (const r of refused) expect(String((r as PromiseRejectedResult).reason)).toMatch(/503/);
    expect(rejections.filter((r) => r.reason === 'too_many_connections')).toHaveLength(refused.length);
    for (const r of ok)
      (r as PromiseFulfilledResult<Awaited<ReturnType<typeof rawUpgrade>>>).value.socket.destroy();
    await waitUntil(() => server.calls.size === 1, 'the flood is gone');
    // Churn: connect, start, stream a frame, vanish without a close frame.
    for (let i = 0; i < 150; i++) {
      const raw = await rawUpgrade(url);
      raw.socket.write(
        clientFrame(
          JSON.stringify({ event: 'start', start: { streamSid: `MZ${i}`, callSid: `CA-churn-${i}` } }),
        ),
      );
      if (i % 2 === 0)
        raw.socket.write(clientFrame(JSON.stringify({ event: 'media', media: { payload: 'AAAA' } })));
      raw.socket.destroy();
    }
    await healthyStillWorks();
    await backToBaseline();
  });
});
