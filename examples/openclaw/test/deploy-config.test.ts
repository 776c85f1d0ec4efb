// The deployment variables: TURN credentials (numbered or JSON), TLS files, SIGNALING_URL, ROOM, and how
// AUDIO_LATENCY and AUDIO_BLOCK_SIZE act together on a real (null-backend) device.
import { isVoxwireError } from '@voxwire/core';
import { selfSignedCert } from '@voxwire/test-support';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, deviceTiming } from '../src/config.js';
import { startTestOpenClaw } from './helpers/app.js';

function refused(env: Record<string, string>, variable: string): void {
  let err: unknown;
  try {
    configFromEnv(env);
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(env)).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).variable, JSON.stringify(env)).toBe(variable);
  expect(isVoxwireError(err, 'INVALID_CONFIG'), JSON.stringify(env)).toBe(true);
}

describe('deployment configuration', () => {
  it('reads TURN credentials beside numbered servers and from ICE_SERVERS, JSON first', () => {
    const config = configFromEnv({
      ICE_SERVER_2: 'turn:turn.example:3478?transport=udp',
      ICE_USERNAME_2: 'alice',
      ICE_CREDENTIAL_2: 's3cret',
      ICE_SERVER_1: 'stun:stun.example:19302',
      ICE_SERVERS: '[{"urls":["turns:edge.example:5349"],"username":"bob","credential":"pw"}]',
      ICE_TRANSPORT_POLICY: 'relay',
    });
    expect(config.iceServers).toEqual([
      { urls: ['turns:edge.example:5349'], username: 'bob', credential: 'pw' },
      { urls: 'stun:stun.example:19302' },
      { urls: 'turn:turn.example:3478?transport=udp', username: 'alice', credential: 's3cret' },
    ]);
    expect(config.iceTransportPolicy).toBe('relay');
  });

  it('refuses unusable deployment values, naming the variable', () => {
    refused({ ICE_SERVER_1: 'turn:turn.example:3478' }, 'ICE_SERVER_1'); // TURN without credentials
    refused({ ICE_SERVER_1: 'http://turn.example' }, 'ICE_SERVER_1');
    refused({ ICE_USERNAME_3: 'alice' }, 'ICE_USERNAME_3'); // credentials for no server
    refused({ ICE_SERVERS: '{"urls":"stun:x"}' }, 'ICE_SERVERS');
    refused({ ICE_SERVERS: '[{"urls":5}]' }, 'ICE_SERVERS');
    refused({ ICE_SERVERS: `[${Array(17).fill('{"urls":"stun:x:1"}').join(',')}]` }, 'ICE_SERVERS');
    refused({ ICE_SERVERS: 'x'.repeat(20_000) }, 'ICE_SERVERS');
    refused({ ICE_TRANSPORT_POLICY: 'relay', ICE_SERVER_1: 'stun:x:1' }, 'ICE_TRANSPORT_POLICY');
    refused({ TLS_CERT: '/nonexistent/cert.pem', TLS_KEY: '/nonexistent/key.pem' }, 'TLS_CERT');
    refused({ TLS_KEY: '/tmp/key.pem' }, 'TLS_CERT');
    refused({ SIGNALING_URL: 'https://example.com/signaling' }, 'SIGNALING_URL');
    refused({ ROOM: 'sfu' }, 'ROOM');
    refused({ ROOM: 'janus' }, 'JANUS_URL');
    refused({ ROOM: 'janus', JANUS_URL: 'ws://j:8188', JANUS_ROOM: 'lobby' }, 'JANUS_ROOM');
  });

  it('takes TLS files that exist, SIGNALING_URL and a Janus room', () => {
    const cert = selfSignedCert();
    try {
      const config = configFromEnv({
        TLS_CERT: cert.certPath,
        TLS_KEY: cert.keyPath,
        SIGNALING_URL: 'wss://claw.example/signaling',
        ROOM: 'janus',
        JANUS_URL: 'wss://janus.example/ws',
        JANUS_ROOM: '42',
      });
      expect(config.tls).toEqual({ certPath: cert.certPath, keyPath: cert.keyPath });
      expect(config.signalingUrl).toBe('wss://claw.example/signaling');
      expect(config.room).toMatchObject({ kind: 'janus', url: 'wss://janus.example/ws', roomId: 42 });
    } finally {
      cert.dispose();
    }
  });

  it('AUDIO_LATENCY drives the device while AUDIO_BLOCK_SIZE sets the mix frame: both are honoured', async () => {
    // The precedence: the block size never changes the device period; only AUDIO_LATENCY does.
    expect(deviceTiming('low', 20)).toEqual({ periodMs: 10, playbackBufferMs: 60, captureBufferMs: 200 });
    expect(deviceTiming('high', 10)).toEqual({ periodMs: 20, playbackBufferMs: 200, captureBufferMs: 400 });
    expect(deviceTiming('low', 5).periodMs).toBe(5);
    expect(deviceTiming('high', 40).periodMs).toBe(40);
    const periods: Record<string, number> = {};
    for (const latency of ['low', 'high']) {
      const { app } = await startTestOpenClaw({}, { AUDIO_BLOCK_SIZE: '960', AUDIO_LATENCY: latency });
      try {
        expect(app.router.frameMs).toBe(20);
        periods[latency] = app.device?.core.capture.stats().periodFrames ?? 0;
        expect(app.device?.core.playback.stats().periodFrames).toBe(periods[latency]);
      } finally {
        await app.close();
      }
    }
    // 48 kHz: low = 10 ms periods, high = 20 ms, with the same 20 ms block.
    expect(periods).toEqual({ low: 480, high: 960 });
  });
});
