// Configuration, the start script, /metrics and Twilio call control, with real processes and sockets.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audioFrame } from '@voxwire/codecs';
import { isVoxwireError } from '@voxwire/core';
import { rawHttpStatus, selfSignedCert, tone } from '@voxwire/test-support';
import { TwilioSimulator } from '@voxwire/twilio-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_PRESETS, ConfigError, configFromEnv, parseDotenv } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { TwilioVoiceManager, VoiceManagerError } from '../src/voice-manager.js';
import { blockLevels, CALL_HZ } from './helpers/audio.js';
import { httpsGet } from './helpers/https.js';
import { waitFor } from './helpers/wait.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('configuration', () => {
  it('parses .env text and applies the design variables, presets and defaults', () => {
    const env = parseDotenv(
      [
        '# Twilio',
        'TWILIO_ACCOUNT_SID=AC123',
        'export TWILIO_AUTH_TOKEN="tok en"  ',
        "TWILIO_PHONE_NUMBER='+1234567890'",
        'AUDIO_SAMPLE_RATE=48000 # inline comment',
        'AUDIO_BLOCK_SIZE=480',
        'ICE_SERVER_2=stun:two.example:3478',
        'ICE_SERVER_1=stun:one.example:19302',
        'not a line',
      ].join('\n'),
    );
    expect(env.TWILIO_AUTH_TOKEN).toBe('tok en');
    expect(env.TWILIO_PHONE_NUMBER).toBe('+1234567890');
    expect(env.AUDIO_SAMPLE_RATE).toBe('48000');
    const config = configFromEnv(env);
    expect(config.audio).toMatchObject({ sampleRate: 48000, channels: 1, blockSize: 480, latency: 'low' });
    expect(config.iceServers).toEqual([
      { urls: 'stun:one.example:19302' },
      { urls: 'stun:two.example:3478' },
    ]);
    expect(config.signalingPort).toBe(8765);
    expect(config.twilioPort).toBe(8766);
    expect(config.twilio.accountSid).toBe('AC123');
    if (process.platform !== 'win32') expect(config.audio.backend).toBe('null');
    expect(configFromEnv({ AUDIO_PRESET: 'music' }).audio).toMatchObject(AUDIO_PRESETS.MUSIC);
    expect(configFromEnv({ AUDIO_PRESET: 'VOICE' }).audio.blockSize).toBe(480);
  });

  it('accepts the shipped .env.example as is', () => {
    const config = configFromEnv(parseDotenv(readFileSync(join(ROOT, '.env.example'), 'utf8')));
    expect(config.audio).toMatchObject(AUDIO_PRESETS.STANDARD);
    expect(config.iceServers).toEqual([]);
    expect(config.twilio.accountSid).toBeUndefined();
  });

  it('refuses unusable values with a ConfigError naming the variable', () => {
    const bad: Record<string, string>[] = [
      { AUDIO_SAMPLE_RATE: 'fast' },
      { AUDIO_BLOCK_SIZE: '1000' }, // 20.83 ms
      { AUDIO_CHANNELS: '6' },
      { AUDIO_LATENCY: 'ultra' },
      { AUDIO_BACKEND: 'coreaudio' },
      { AUDIO_PRESET: 'LOUD' },
      { SIGNALING_PORT: '70000' },
      { LOG_LEVEL: 'chatty' },
    ];
    for (const env of bad) {
      const name = Object.keys(env)[0] as string;
      expect(() => configFromEnv(env), name).toThrow(ConfigError);
      expect(() => configFromEnv(env), name).toThrow(name);
    }
  });
});

/** Runs `src/main.ts` in `cwd` (its .env) as a user would; `records` fills with its JSON log lines. */
function startScript(cwd: string): { child: ChildProcess; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'src/main.ts')], {
    cwd,
    env: { ...process.env, AUDIO_BACKEND: '', VOXWIRE_AUDIO_BACKEND: '', OPENAI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buf = '';
  child.stdout?.on('data', (d) => {
    buf += String(d);
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      records.push(JSON.parse(buf.slice(0, i)) as Record<string, unknown>);
      buf = buf.slice(i + 1);
    }
  });
  return { child, records };
}

/** SIGINT, then the exit code. */
function interrupt(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

describe('the start script', () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs with .env on the null backend, reports performance, serves /metrics and the webhook, stops on SIGINT', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-start-'));
    writeFileSync(
      join(dir, '.env'),
      'SIGNALING_PORT=0\nTWILIO_PORT=0\nAUDIO_PRESET=VOICE\nMONITOR_INTERVAL_MS=300\nMEDIA_STREAM_URL=wss://claw.example/media-stream\n',
    );
    let records: Record<string, unknown>[];
    ({ child, records } = startScript(dir));
    await waitFor(() => records.some((r) => r.msg === 'performance'), 'a performance report', 90_000);
    const ready = records.find((r) => r.msg === 'OpenClaw ready') as Record<string, string>;
    const device = records.find((r) => r.msg === 'audio device started') as Record<string, unknown>;
    expect(device).toMatchObject({ backend: 'null', periodFrames: 480 });
    const perf = records.find((r) => r.msg === 'performance') as {
      cpuPercent: number;
      audio: { participants: number };
    };
    expect(typeof perf.cpuPercent).toBe('number');
    expect(perf.audio.participants).toBe(2); // mic_input and agent
    expect(records.every((r) => typeof r.time === 'string' && typeof r.level === 'string')).toBe(true);

    const metrics = (await (await fetch(ready.metrics as string)).json()) as {
      performance: { memory: { rssMb: number } };
      participants: string[];
      deviceLatency: { avgMs: number } | null;
    };
    expect(metrics.participants.sort()).toEqual(['agent', 'mic_input']);
    expect(metrics.performance.memory.rssMb).toBeGreaterThan(0);
    expect(metrics.deviceLatency).not.toBeNull();
    const base = (ready.metrics as string).replace('/metrics', '');
    const twimlBody = await (await fetch(`${base}/voice-webhook`, { method: 'POST' })).text();
    expect(twimlBody).toContain('<Stream url="wss://claw.example/media-stream"');
    const missing = await fetch(`${base}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    // A request target that is no URL once crashed the process from its request handler.
    const port = Number(new URL(base).port);
    expect(await rawHttpStatus(port, 'GET //x:abc HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(
      'HTTP/1.1 400 Bad Request',
    );
    expect((await fetch(`${base}/health`)).status).toBe(200);

    expect(await interrupt(child)).toBe(0);
  }, 120_000);

  it('runs as the README\'s "use it for real" says: TLS, every interface, TURN for the page, high latency', async () => {
    dir = mkdtempSync(join(tmpdir(), 'openclaw-real-'));
    const cert = selfSignedCert();
    try {
      writeFileSync(
        join(dir, '.env'),
        [
          'HOST=0.0.0.0',
          'SIGNALING_PORT=0',
          'TWILIO_PORT=0',
          `TLS_CERT=${cert.certPath}`,
          `TLS_KEY=${cert.keyPath}`,
          'ICE_SERVER_1=turn:turn.claw.example:3478',
          'ICE_USERNAME_1=claw',
          'ICE_CREDENTIAL_1=claw-pw',
          'AUDIO_LATENCY=high',
          'MONITOR_INTERVAL_MS=0',
        ].join('\n'),
      );
      let records: Record<string, unknown>[];
      ({ child, records } = startScript(dir));
      await waitFor(() => records.some((r) => r.msg === 'OpenClaw ready'), 'the ready line', 90_000);
      const ready = records.find((r) => r.msg === 'OpenClaw ready') as Record<string, string>;
      expect(ready.page).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/webrtc\/$/);
      expect(ready.signaling).toMatch(/^wss:/);
      expect(ready.mediaStream).toMatch(/^wss:/);
      expect(records.find((r) => r.msg === 'audio device started')).toMatchObject({
        latency: 'high',
        periodFrames: 960,
      });
      // The page carries the TURN server with its credentials for the browser.
      const { body: page } = await httpsGet(ready.page as string, cert.cert);
      expect(page).toContain('"urls":"turn:turn.claw.example:3478","username":"claw","credential":"claw-pw"');
      expect(await interrupt(child)).toBe(0);
    } finally {
      cert.dispose();
    }
  }, 120_000);
});

describe('TwilioVoiceManager call control', () => {
  const closers: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('places and ends calls over REST, plays audio to a streaming call, refuses unknown calls', async () => {
    // A local stand-in for api.twilio.com: records the form posts.
    const posts: { path: string; body: URLSearchParams; auth: string | undefined }[] = [];
    const rest: Server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d) => {
        body += String(d);
      });
      req.on('end', () => {
        posts.push({ path: req.url ?? '', body: new URLSearchParams(body), auth: req.headers.authorization });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ sid: 'CA00000000000000000000000000000001', status: 'queued' }));
      });
    });
    await new Promise<void>((r) => rest.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => rest.close(() => r())));
    const restUrl = `http://127.0.0.1:${(rest.address() as AddressInfo).port}`;

    const log = createLogger('error', () => {});
    const unconfigured = new TwilioVoiceManager({ log });
    const unconfiguredCall = unconfigured.makeCall('+15550001');
    await expect(unconfiguredCall).rejects.toThrow(VoiceManagerError);
    await expect(unconfiguredCall).rejects.toSatisfy((err) => isVoxwireError(err, 'NOT_CONFIGURED'));

    const voice = new TwilioVoiceManager({
      accountSid: 'AC1',
      authToken: 'secret',
      phoneNumber: '+15550000',
      mediaStreamUrl: 'wss://claw.example/media-stream',
      restBaseUrl: restUrl,
      log,
    });
    const sid = await voice.makeCall('+15550001');
    expect(sid).toBe('CA00000000000000000000000000000001');
    expect(posts[0]?.path).toBe('/Accounts/AC1/Calls.json');
    expect(posts[0]?.body.get('To')).toBe('+15550001');
    expect(posts[0]?.body.get('From')).toBe('+15550000');
    expect(posts[0]?.body.get('Twiml')).toContain('wss://claw.example/media-stream');
    expect(posts[0]?.auth).toBe(`Basic ${Buffer.from('AC1:secret').toString('base64')}`);
    await voice.hangupCall(sid); // not streaming here: REST only
    expect(posts[1]?.path).toBe(`/Accounts/AC1/Calls/${sid}.json`);
    expect(posts[1]?.body.get('Status')).toBe('completed');
    expect(() => voice.sendAudioToCall('CAnope', new Int16Array(160), 8000)).toThrow(VoiceManagerError);
    expect(() => voice.sendAudioToCall('CAnope', new Int16Array(160), 8000)).toThrow(
      expect.toSatisfy((err) => isVoxwireError(err, 'UNKNOWN_CALL')),
    );

    // A streaming call (signed, as Twilio would): audio routed to onCallAudio, audio played to it, hang-up.
    const http = createServer();
    await voice.startMediaStreamServer(http, '/media-stream');
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    closers.push(() => new Promise<void>((r) => http.close(() => r())));
    closers.push(() => voice.close());
    const heardFromCall: Int16Array[] = [];
    voice.onCallAudio = (_sid, pcm) => heardFromCall.push(pcm);
    const sim = new TwilioSimulator({
      url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/media-stream`,
      authToken: 'secret',
      signatureUrl: 'wss://claw.example/media-stream',
      speed: Number.POSITIVE_INFINITY,
    });
    closers.push(() => sim.stop().catch(() => {}));
    await sim.connect();
    await waitFor(() => voice.calls.has(sim.callSid), 'the call to start');
    await sim.streamAudio(audioFrame(tone(440, 8000, 4000, 0.25), 8000));
    await waitFor(() => heardFromCall.length >= 20, 'caller audio');
    voice.sendAudioToCall(sim.callSid, tone(CALL_HZ, 24000, 24000, 0.25), 24000);
    await sim.until(() => sim.playedMs() >= 900);
    const heard = blockLevels(sim.heardPcm(), 8000);
    expect(heard.filter((b) => (b.tones[2] as number) > -20).length).toBeGreaterThanOrEqual(8);
    const ended = new Promise<string>((r) => voice.once('call-end', (s) => r(s)));
    await voice.hangupCall(sim.callSid); // REST Status=completed, then the stream closes
    expect(await ended).toBe(sim.callSid);
    expect(posts.at(-1)?.path).toBe(`/Accounts/AC1/Calls/${sim.callSid}.json`);
    expect(voice.calls.size).toBe(0);
  }, 60_000);
});
