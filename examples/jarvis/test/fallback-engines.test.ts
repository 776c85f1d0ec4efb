import { FormantSynthesizer, NO_TRANSCRIBER_TEXT, NullTranscriber } from '@voxwire/speech';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Jarvis, type SpeechEngines, startJarvis } from '../src/index.js';
import { Client, pcmOf, rmsDb, speech, testTokens } from './helpers.js';

// A machine without pocketsphinx and espeak-ng: the engines @voxwire/speech falls back to.
const engines: SpeechEngines = {
  kind: 'offline',
  transcriber: () => new NullTranscriber(),
  synthesizer: new FormantSynthesizer(),
  voice: (v) => v,
  describe: () => ({ stt: 'none', tts: 'formant' }),
  close() {},
};

const { tokens, tokenOf } = testTokens(1);
let jarvis: Jarvis;

beforeAll(async () => {
  jarvis = await startJarvis({ tokens, corePort: 0, audioPort: 0, audio: { engines } });
}, 60000);
afterAll(async () => {
  await jarvis?.close();
});

describe('fallback engines (no pocketsphinx, no espeak-ng)', () => {
  it('reports that no recogniser is installed instead of answering it, and speaks text turns with the formant voice', async () => {
    const c = await Client.open(`${jarvis.audio.url.replace('http', 'ws')}/ws/audio/user0`, tokenOf('user0'));
    c.send({ type: 'start_streaming', config: { sample_rate: 24000 } });
    await c.waitFor((m) => m.type === 'streaming_started');
    await c.stream(speech('hello jarvis', 24000), 24000);
    const err = await c.waitFor((m) => m.type === 'error', 60000);
    expect(err.data).toEqual({ code: 'stt_failed', message: NO_TRANSCRIBER_TEXT });
    expect(c.of('stt_result')).toEqual([]);
    expect(c.of('response')).toEqual([]);

    c.send({ type: 'text', text: '/weather Cairo' });
    expect(String((await c.waitFor((m) => m.type === 'response')).data.text)).toContain('Cairo');
    const tts = await c.waitFor((m) => m.type === 'tts_result');
    expect(tts.data).toMatchObject({ engine: 'formant', sample_rate: 24000 });
    await c.waitFor((m) => m.type === 'tts_end');
    expect(rmsDb(pcmOf(c.binary))).toBeGreaterThan(-40);
    c.close();
  }, 60000);
});
