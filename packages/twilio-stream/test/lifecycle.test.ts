import { alaw, encodedFrame, mulaw } from '@voxwire/codecs';
import { tone, waitUntil } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import {
  createMediaStreamServer,
  SimulatorConnectError,
  type TwilioCall,
  TwilioSimulator,
  TwilioStreamError,
  VoxwireError,
} from '../src/index.js';
import { simulator } from './helpers.js';

describe('lifecycle', () => {
  it('a server started with await is listening, and await using closes it and its calls', async () => {
    let url = '';
    let call: TwilioCall | undefined;
    let closed: Promise<number> | undefined;
    {
      await using server = await createMediaStreamServer({ path: '/media' });
      url = server.url;
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/media$/);
      expect(server.port).toBeGreaterThan(0);
      const got = new Promise<TwilioCall>((resolve) => server.once('call', resolve));
      const live = new TwilioSimulator({ url, speed: Number.POSITIVE_INFINITY });
      await live.connect();
      call = await got;
      await call.whenStarted();
      closed = new Promise<number>((resolve) => live.once('close', resolve));
    }
    // Leaving the scope closed the server, which sent 1001 (going away) to every call and waited for it.
    expect(await closed).toBe(1001);
    expect(call?.active).toBe(false);
    const late = new TwilioSimulator({ url });
    const refused = await late.connect().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SimulatorConnectError);
    expect(refused).toBeInstanceOf(VoxwireError);
    expect((refused as SimulatorConnectError).code).toBe('CONNECT_FAILED');
  });

  it('rejects unusable options before listening, with INVALID_CONFIG', async () => {
    for (const sampleRate of [0, 8000.5, Number.NaN]) {
      await expect(createMediaStreamServer({ sampleRate })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    }
    await expect(createMediaStreamServer({ maxConnections: 0 })).rejects.toBeInstanceOf(TwilioStreamError);
  });

  it('rejects with the listen error when the port is taken', async () => {
    await using first = await createMediaStreamServer({});
    await expect(createMediaStreamServer({ port: first.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('call.close() and sim.close() are idempotent and await using works on both', async () => {
    await using server = await createMediaStreamServer({ path: '/media' });
    const got = new Promise<TwilioCall>((resolve) => server.once('call', resolve));
    await using sim = new TwilioSimulator({ url: server.url, speed: Number.POSITIVE_INFINITY });
    await sim.connect();
    const call = await got;
    await call.whenStarted();
    const codes: number[] = [];
    sim.on('close', (code) => codes.push(code));
    await Promise.all([call.close(), call.close()]);
    await call[Symbol.asyncDispose]();
    await waitUntil(() => codes.length === 1, 'the simulator saw the close');
    expect(codes).toEqual([1000]);
    expect(call.active).toBe(false);
    await Promise.all([sim.close(), sim.close()]);
  });

  it('plays a pcma frame transcoded to mu-law, and refuses a bad simulator speed with a typed error', async () => {
    await using server = await createMediaStreamServer({ path: '/media' });
    const got = new Promise<TwilioCall>((resolve) => server.once('call', resolve));
    await using sim = simulator(server.url, { idleSilence: false });
    await sim.connect();
    const call = await got;
    await call.whenStarted();
    const a = alaw.encode(tone(500, 8000, 1600, 0.25));
    call.sendAudio(encodedFrame('pcma', a));
    await call.endUtterance('a-law');
    expect(Buffer.compare(Buffer.from(sim.heardMulaw()), Buffer.from(mulaw.encode(alaw.decode(a))))).toBe(0);
    expect(() => new TwilioSimulator({ url: server.url, speed: 0 })).toThrow(TwilioStreamError);
  });
});
