import { encodedFrame } from '@voxwire/codecs';
import { clientFrame, rawUpgrade, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_QUEUE_MS, type TwilioCall, type TwilioStreamError } from '../src/index.js';
import { simulator, startServer } from './helpers.js';

describe('limits and shutdown', () => {
  it('close() sends 1001 going away to every call and waits for the sockets; hangup() sends 1000', async () => {
    const { server, url } = await startServer();
    const calls: TwilioCall[] = [];
    server.on('call', (c) => calls.push(c));
    const a = simulator(url);
    const b = simulator(url);
    const c = simulator(url);
    await Promise.all([a.connect(), b.connect(), c.connect()]);
    await waitUntil(() => calls.length === 3 && calls.every((x) => x.active), 'three calls started');
    const codes = new Map<string, number>();
    for (const sim of [a, b, c]) sim.on('close', (code) => codes.set(sim.callSid, code));
    // c says `stop` but keeps its socket open: it is no call any more, yet close() still closes it.
    c.sendJson({ event: 'stop', streamSid: c.streamSid });
    await waitUntil(() => server.calls.size === 2, 'c stopped');
    await calls.find((x) => x.callSid === a.callSid)?.hangup();
    await waitUntil(() => codes.has(a.callSid), 'the hung-up call closed');
    await server.close();
    // close() resolved: the other two already saw the close frame.
    expect(Object.fromEntries(codes)).toEqual({ [a.callSid]: 1000, [b.callSid]: 1001, [c.callSid]: 1001 });
    expect(server.calls.size).toBe(0);
    // New upgrades after close are not accepted.
    await expect(simulator(url).connect()).rejects.toThrow();
  });

  it('close() cuts off a peer that does not answer the close frame after closeTimeoutMs', async () => {
    const { server, url } = await startServer({ closeTimeoutMs: 200 });
    const raw = await rawUpgrade(url);
    raw.socket.write(
      clientFrame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ', callSid: 'CA' } })),
    );
    await waitUntil(() => server.calls.size === 1, 'the call is there');
    raw.socket.pause(); // never reads, never answers
    await server.close(); // resolves although the peer never answered
    raw.socket.resume();
    await raw.ended;
    expect(raw.closeCode()).toBe(1001);
  });

  it('keepalive: a stream whose peer stops answering pings is dropped, a healthy one goes on', async () => {
    const { server, url } = await startServer({ keepaliveIntervalMs: 100, keepaliveTimeoutMs: 100 });
    const errors: TwilioStreamError[] = [];
    server.on('error', (e) => errors.push(e));
    const healthy = simulator(url);
    await healthy.connect();
    // A peer gone without a word: the TCP connection is open and reads, but nothing answers a ping.
    const raw = await rawUpgrade(url);
    raw.socket.write(
      clientFrame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ-dead', callSid: 'CA-dead' } })),
    );
    await raw.ended;
    // Dropped without a close frame (a dead peer would not answer one either).
    expect(raw.closeCode()).toBeUndefined();
    expect(errors.map((e) => e.code)).toContain('TIMEOUT');
    await waitUntil(() => server.calls.size === 1, 'the dead call to end');
    expect([...server.calls][0].callSid).toBe(healthy.callSid);
    await healthy.stop();
    await server.close();
  });

  it('closes a stream whose far end stops reading (slow_consumer, 1008) once maxBufferedBytes wait', async () => {
    const { server, url } = await startServer({
      progressMarks: false,
      maxBufferedBytes: 64 * 1024,
      closeTimeoutMs: 200,
    });
    const errors: TwilioStreamError[] = [];
    const got = new Promise<TwilioCall>((resolve) => server.once('call', resolve));
    const raw = await rawUpgrade(url);
    raw.socket.write(
      clientFrame(JSON.stringify({ event: 'start', start: { streamSid: 'MZ', callSid: 'CA' } })),
    );
    const call = await got;
    call.on('error', (e) => errors.push(e));
    await call.whenStarted();
    raw.socket.pause();
    // Without pacing everything goes to the socket: an hour of audio, far more than the kernel buffers hold.
    const minute = new Uint8Array(8 * 60_000).fill(0x7f);
    for (let i = 0; i < 60 && errors.length === 0; i++) {
      call.sendAudio(encodedFrame('pcmu', minute));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => errors.length > 0, 'the stalled reader was noticed');
    raw.socket.resume();
    await raw.ended; // cut off after closeTimeoutMs
    expect(errors.map((e) => e.code)).toEqual(['SLOW_CONSUMER']);
    await server.close();
  });

  it('a two-minute burst without pacing to a far end that reads is not mistaken for a slow consumer', async () => {
    const { server, url } = await startServer({ progressMarks: false });
    const got = new Promise<TwilioCall>((resolve) => server.once('call', resolve));
    const sim = simulator(url, { idleSilence: false });
    await sim.connect();
    const call = await got;
    const errors: TwilioStreamError[] = [];
    call.on('error', (e) => errors.push(e));
    await call.whenStarted();
    call.sendAudio(encodedFrame('pcmu', new Uint8Array(8 * 120_000).fill(0x7f)));
    void call.endUtterance('burst');
    await sim.until(() => sim.marks.some((m) => m.name === 'burst'));
    expect(sim.playedMs()).toBe(120_000);
    expect(errors).toEqual([]);
    await sim.stop();
    await server.close();
  });

  it('has a default bound on the local outbound queue and validates the limits', async () => {
    expect(DEFAULT_MAX_QUEUE_MS).toBe(120_000);
    await expect(startServer({ maxConnections: 0 })).rejects.toThrow(/maxConnections must be > 0/);
  });
});
