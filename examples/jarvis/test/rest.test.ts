import { wav } from '@voxwire/codecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Jarvis } from '../src/index.js';
import { rmsDb, startTestJarvis, testTokens } from './helpers.js';

const { tokens, tokenOf, admin } = testTokens(3);
let jarvis: Jarvis;

beforeAll(async () => {
  jarvis = await startTestJarvis(tokens);
}, 60000);
afterAll(async () => {
  await jarvis?.close();
});

function call(
  base: string,
  path: string,
  token: string | undefined,
  init: RequestInit = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  return fetch(`${base}${path}`, { ...init, headers });
}

describe('audio service REST', () => {
  it('health answers without a token and names the engines', async () => {
    const res = await call(jarvis.audio.url, '/api/v2/audio/health', undefined);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; engines: { stt: string; tts: string } };
    expect(body.status).toBe('healthy');
    expect(body.engines).toEqual({ stt: 'pocketsphinx', tts: 'espeak-ng' });
  });

  it('session/start: good token → session with merged config; bad, missing and malformed → 401; bad config → 400', async () => {
    const ok = await call(jarvis.audio.url, '/api/v2/audio/session/start', tokenOf('user0'), {
      method: 'POST',
      body: JSON.stringify({ sample_rate: 24000, stt_model: 'base', tts_voice: 'en-US-AriaNeural' }),
    });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as {
      user_id: string;
      session_id: string;
      config: Record<string, unknown>;
    };
    expect(body.user_id).toBe('user0');
    expect(body.session_id).toMatch(/^sess_/);
    expect(body.config).toMatchObject({
      sample_rate: 24000,
      enable_vad: true,
      streaming_chunk_ms: 100,
      max_silence_ms: 1000,
      min_speech_ms: 300,
      enable_noise_reduction: true,
    });

    for (const token of ['not-a-real-token-1234567', undefined, 'user0']) {
      const res = await call(jarvis.audio.url, '/api/v2/audio/session/start', token, {
        method: 'POST',
        body: '{}',
      });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const raw = await fetch(`${jarvis.audio.url}/api/v2/audio/session/start`, {
      method: 'POST',
      headers: { authorization: `Basic ${tokenOf('user0')}` },
    });
    expect(raw.status).toBe(401);

    const bad = await call(jarvis.audio.url, '/api/v2/audio/session/start', tokenOf('user0'), {
      method: 'POST',
      body: JSON.stringify({ sample_rate: 7 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_config');
    const notJson = await call(jarvis.audio.url, '/api/v2/audio/session/start', tokenOf('user0'), {
      method: 'POST',
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('tts returns a WAV of speech; bad token → 401; empty text → 400', async () => {
    const res = await call(jarvis.audio.url, '/api/v2/audio/tts', tokenOf('user1'), {
      method: 'POST',
      body: JSON.stringify({ text: 'Hello, this is Jarvis speaking!', voice: 'en-US-AriaNeural' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('x-jarvis-voice')).toBe('en-us+f3');
    const file = wav.read(Buffer.from(await res.arrayBuffer()));
    expect(file.sampleRate).toBe(16000);
    expect(file.channels).toBe(1);
    const seconds = file.data.length / file.sampleRate;
    expect(seconds).toBeGreaterThan(1);
    expect(seconds).toBeLessThan(5);
    expect(rmsDb(file.data as Int16Array)).toBeGreaterThan(-35);

    expect(
      (
        await call(jarvis.audio.url, '/api/v2/audio/tts', 'wrong-token-abcdefghijkl', {
          method: 'POST',
          body: JSON.stringify({ text: 'hi' }),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(jarvis.audio.url, '/api/v2/audio/tts', tokenOf('user1'), {
          method: 'POST',
          body: JSON.stringify({ text: '' }),
        })
      ).status,
    ).toBe(400);
  });

  it('metrics show only the caller’s own session', async () => {
    const res = await call(jarvis.audio.url, '/api/v2/audio/session/metrics', tokenOf('user0'));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user_id: string; session: { user_id: string; sample_rate: number } };
    expect(body.user_id).toBe('user0');
    expect(body.session).toMatchObject({ user_id: 'user0', sample_rate: 24000 });
    const other = (await (
      await call(jarvis.audio.url, '/api/v2/audio/session/metrics', tokenOf('user2'))
    ).json()) as { session: unknown };
    expect(other.session).toBeNull();
    expect((await call(jarvis.audio.url, '/api/v2/audio/session/metrics', undefined)).status).toBe(401);
  });
});

describe('core service REST', () => {
  it('health reports the audio service', async () => {
    const res = await call(jarvis.core.url, '/api/v2/health', undefined);
    const body = (await res.json()) as { status: string; audio_service: { status: string } };
    expect(body.status).toBe('healthy');
    expect(body.audio_service.status).toBe('healthy');
  });

  it('chat: /weather Bangkok is answered by the weather plugin; bad token → 401; another user_id → 403', async () => {
    const res = await call(jarvis.core.url, '/api/v2/chat', tokenOf('user0'), {
      method: 'POST',
      body: JSON.stringify({ message: '/weather Bangkok', user_id: 'user0' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response: string; plugin: string; command: string };
    expect(body.plugin).toBe('weather');
    expect(body.command).toBe('weather');
    expect(body.response).toContain('Bangkok');
    expect(body.response).toContain('29 degrees');

    expect(
      (
        await call(jarvis.core.url, '/api/v2/chat', 'nope-nope-nope-nope-nope', {
          method: 'POST',
          body: JSON.stringify({ message: 'hi' }),
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(jarvis.core.url, '/api/v2/chat', undefined, {
          method: 'POST',
          body: JSON.stringify({ message: 'hi', user_id: 'user0' }),
        })
      ).status,
    ).toBe(401);
    const spoof = await call(jarvis.core.url, '/api/v2/chat', tokenOf('user1'), {
      method: 'POST',
      body: JSON.stringify({ message: 'hi', user_id: 'user0' }),
    });
    expect(spoof.status).toBe(403);
    const empty = await call(jarvis.core.url, '/api/v2/chat', tokenOf('user1'), {
      method: 'POST',
      body: JSON.stringify({ message: '' }),
    });
    expect(empty.status).toBe(400);
  });

  it('routes plain language to plugins, other commands and small talk', async () => {
    const ask = async (message: string) =>
      (await (
        await call(jarvis.core.url, '/api/v2/chat', tokenOf('user2'), {
          method: 'POST',
          body: JSON.stringify({ message }),
        })
      ).json()) as { response: string; plugin: string | null };
    expect(await ask('what is the weather in Paris?')).toMatchObject({ plugin: 'weather' });
    expect((await ask('/calc (2 + 3) * 4')).response).toBe('(2 + 3) * 4 = 20');
    expect((await ask('/time Asia/Bangkok')).response).toMatch(/^It is \d\d:\d\d in Asia\/Bangkok\.$/);
    expect((await ask('/nosuch thing')).response).toContain('Unknown command /nosuch');
    expect((await ask('/help')).response).toContain('/weather');
    expect(await ask('hello')).toMatchObject({ plugin: null, response: 'Hello! How can I help you?' });
  });

  it('plugins: list for any user; enable/disable with an admin token only; disabled commands say so', async () => {
    const list = await call(jarvis.core.url, '/api/v2/plugins', tokenOf('user0'));
    expect(list.status).toBe(200);
    const { plugins } = (await list.json()) as {
      plugins: { name: string; enabled: boolean; commands: string[] }[];
    };
    expect(plugins.map((p) => p.name)).toEqual(['weather', 'time', 'calc', 'notes']);
    expect(plugins.every((p) => p.enabled)).toBe(true);
    expect((await call(jarvis.core.url, '/api/v2/plugins', undefined)).status).toBe(401);

    expect(
      (await call(jarvis.core.url, '/api/v2/plugins/weather/disable', tokenOf('user0'), { method: 'POST' }))
        .status,
    ).toBe(403);
    expect(
      (await call(jarvis.core.url, '/api/v2/plugins/nosuch/disable', admin, { method: 'POST' })).status,
    ).toBe(404);
    const off = await call(jarvis.core.url, '/api/v2/plugins/weather/disable', admin, { method: 'POST' });
    expect(await off.json()).toMatchObject({ name: 'weather', enabled: false });
    const reply = (await (
      await call(jarvis.core.url, '/api/v2/chat', tokenOf('user0'), {
        method: 'POST',
        body: JSON.stringify({ message: '/weather Bangkok' }),
      })
    ).json()) as { response: string };
    expect(reply.response).toBe('The weather plugin is disabled.');
    const grammar = await (await call(jarvis.core.url, '/api/v2/voice/grammar', tokenOf('user0'))).text();
    expect(grammar).not.toContain('weather');

    const on = await call(jarvis.core.url, '/api/v2/plugins/weather/enable', admin, { method: 'POST' });
    expect(await on.json()).toMatchObject({ name: 'weather', enabled: true });
    const again = (await (
      await call(jarvis.core.url, '/api/v2/chat', tokenOf('user0'), {
        method: 'POST',
        body: JSON.stringify({ message: '/weather Bangkok' }),
      })
    ).json()) as { plugin: string };
    expect(again.plugin).toBe('weather');
  });

  it('serves the web UI', async () => {
    const res = await fetch(`${jarvis.core.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="talk"');
  });
});
