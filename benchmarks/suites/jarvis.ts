// Jarvis (examples/jarvis): latency of its offline STT, TTS and VAD stages against the design document's
// targets (STT < 500 ms per 1 s chunk, TTS < 200 ms for short sentences, VAD < 50 ms), and the whole
// turn through the running services (utterance end → transcript → plugin answer → first reply audio).
import { loadavg } from 'node:os';
import { audioFrame } from '@voxwire/codecs';
import { LatencyWindow } from '@voxwire/core';
import { EspeakSynthesizer, FormantSynthesizer } from '@voxwire/speech';
import { concat, RecordingWsClient, silence, speech, voicedSpan } from '@voxwire/test-support';
import { EnergyVad, VadSegmenter } from '@voxwire/vad';
import {
  createSpeechEngines,
  defaultPlugins,
  HighPassFilter,
  SMALL_TALK_PHRASES,
  startJarvis,
  TokenStore,
} from '../../examples/jarvis/src/index.js';
import { type Suite, table } from '../suite.js';

const RATE = 16000;
const RUNS = Number(process.env.JARVIS_BENCH_RUNS ?? 7);

function quantiles(ms: number[]): { p50: number; p95: number; max: number } {
  const window = new LatencyWindow(Math.max(1, ms.length));
  for (const v of ms) window.add(v);
  const [p50 = Number.NaN, p95 = Number.NaN, max = Number.NaN] = window.percentiles([0.5, 0.95, 1]);
  return { p50, p95, max };
}

/** Exactly `ms` of audio: the speech, cut or padded with silence. */
function fit(pcm: Int16Array, ms: number, rate = RATE): Int16Array {
  const out = new Int16Array((rate * ms) / 1000);
  out.set(pcm.subarray(0, out.length));
  return out;
}

/** A table row from samples in ms; `unit` µs shows them ×1000. `target` undefined: no target. */
function row(
  name: string,
  ms: number[],
  target: number | undefined,
  unit: 'ms' | 'µs' = 'ms',
  note = '',
): string[] {
  const q = quantiles(ms);
  const f = (v: number) => (unit === 'µs' ? (v * 1000).toFixed(1) : v.toFixed(1));
  const verdict = target === undefined ? '—' : q.p50 < target ? 'met' : '**missed**';
  return [
    name,
    String(ms.length),
    unit,
    f(q.p50),
    f(q.p95),
    f(q.max),
    target === undefined ? '—' : `< ${target} ms`,
    `${verdict}${note}`,
  ];
}

async function sttRows(): Promise<string[][]> {
  const engines = createSpeechEngines();
  const grammar = defaultPlugins().grammar(SMALL_TALK_PHRASES);
  const phrases = ['what time is it', 'hello jarvis', 'weather in paris', 'help'];
  const chunks = phrases.map((p) => fit(speech(p, RATE), 1000));
  const ac = new AbortController();
  const measureModel = async (model: string) => {
    const t = engines.transcriber(model, grammar);
    await t.transcribe(audioFrame(chunks[0], RATE), { signal: ac.signal }); // warm the page cache
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await t.transcribe(audioFrame(chunks[i % chunks.length], RATE), { language: 'en', signal: ac.signal });
      times.push(performance.now() - t0);
    }
    return times;
  };
  const rows = [
    row('STT pocketsphinx, command grammar (default), 1 s chunk', await measureModel('base'), 500),
    row('STT pocketsphinx, open dictation, 1 s chunk', await measureModel('dictation'), 500),
  ];
  engines.close();
  return rows;
}

async function ttsRows(): Promise<string[][]> {
  const sentences = [
    'Hello! How can I help you?',
    'It is 14:05 in UTC.',
    'You are welcome.',
    'Your notes are cleared.',
  ];
  const ac = new AbortController();
  const options = { voice: 'en-us+f3', speed: 1, signal: ac.signal };
  const time = async (synth: { synthesize: EspeakSynthesizer['synthesize'] }) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      // A different sentence every run (and a fresh run for the uncached engine).
      const text = `${sentences[i % sentences.length]}${i >= sentences.length ? ' Again.' : ''}`;
      const t0 = performance.now();
      await synth.synthesize(text, options);
      times.push(performance.now() - t0);
    }
    return times;
  };
  const fresh = await time(new EspeakSynthesizer({ cacheSize: 0 }));
  const cached = new EspeakSynthesizer();
  for (const s of sentences) await cached.synthesize(s, options);
  const hits: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await cached.synthesize(sentences[i % sentences.length], options);
    hits.push(performance.now() - t0);
  }
  return [
    row('TTS espeak-ng, short sentence (uncached)', fresh, 200),
    row('TTS espeak-ng, repeated sentence (LRU cache hit)', hits, 200),
    row('TTS formant fallback (no espeak-ng)', await time(new FormantSynthesizer()), 200),
  ];
}

/** Per 100 ms chunk: high-pass + segmenter scoring; and how long after the true speech edges the events fire. */
function vadRows(): string[][] {
  const voice = speech('what is the weather in bangkok', RATE);
  const lead = RATE; // 1 s silence, speech, 2 s silence
  const stream = concat(silence(lead), voice, silence(2 * RATE));
  // True edges: the first and last samples above -40 dBFS.
  const { first, last } = voicedSpan(voice);
  const perChunk: number[] = [];
  const startDelay: number[] = [];
  const endDelay: number[] = [];
  const chunk = RATE / 10;
  for (let run = 0; run < RUNS; run++) {
    const filter = new HighPassFilter(RATE);
    const seg = new VadSegmenter({
      vad: new EnergyVad({ sampleRate: RATE }),
      sampleRate: RATE,
      minSpeechMs: 300,
      minSilenceMs: 1000,
    });
    let pushed = 0;
    seg.on('speechStart', () => startDelay.push(((pushed - (lead + first)) * 1000) / RATE));
    seg.on('speechEnd', () => endDelay.push(((pushed - (lead + last)) * 1000) / RATE));
    const buf = new Int16Array(chunk);
    for (let o = 0; o + chunk <= stream.length; o += chunk) {
      buf.set(stream.subarray(o, o + chunk));
      const t0 = performance.now();
      filter.process(buf);
      pushed = o + chunk;
      void seg.push({ data: buf, sampleRate: RATE, channels: 1, position: o });
      perChunk.push(performance.now() - t0);
    }
  }
  return [
    row('VAD compute per 100 ms chunk (high-pass + energy VAD + segmenter)', perChunk, 50, 'µs'),
    row(
      'VAD speech_start event after the true onset (min_speech_ms 300)',
      startDelay,
      50,
      'ms',
      ' (the 300 ms min_speech_ms wait, by design)',
    ),
    row('VAD speech_end event after the last speech sample (max_silence_ms 1000)', endDelay, undefined),
  ];
}

/** A Jarvis socket message. */
interface Message {
  type: string;
  data: Record<string, unknown>;
}

/** Whole turns through both services over WebSocket: speech_end → stt_result → response → first audio. */
async function turnRows(): Promise<string[][]> {
  const tokens = new TokenStore();
  const token = tokens.issue('bench');
  const jarvis = await startJarvis({ tokens, corePort: 0, audioPort: 0 });
  const client = await RecordingWsClient.connect<Message>(
    `${jarvis.audio.url.replace('http', 'ws')}/ws/audio/bench`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  const at = (i: number) => client.messageTimes[i] as number;
  client.send({ type: 'start_streaming', config: { sample_rate: RATE } });
  await client.indexOf((m) => m.type === 'streaming_started');
  const phrases = ['what time is it', 'what is the weather in paris', 'hello jarvis'];
  const stt: number[] = [];
  const reply: number[] = [];
  const firstAudio: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // 0.5 s of silence, the phrase, silence up to 3.5 s (enough for max_silence_ms to end it).
    const pcm = new Int16Array(RATE / 2 + RATE * 3);
    pcm.set(speech(phrases[i % phrases.length] as string, RATE).subarray(0, RATE * 3), RATE / 2);
    const from = client.messages.length;
    const audioFrom = client.binaryTimes.length;
    for (let o = 0; o < pcm.length; o += RATE / 10) client.ws.send(pcm.subarray(o, o + RATE / 10));
    const end = await client.indexOf((m) => m.type === 'vad' && m.data.event === 'speech_end', from);
    const tStt = at(await client.indexOf((m) => m.type === 'stt_result', from));
    const tResp = at(await client.indexOf((m) => m.type === 'response', from));
    const tAudio = await client.until(() => client.binaryTimes[audioFrom], 'the first reply audio chunk');
    await client.indexOf((m) => m.type === 'tts_end', from);
    stt.push(tStt - at(end));
    reply.push(tResp - at(end));
    firstAudio.push(tAudio - at(end));
  }
  await client.close();
  await jarvis.close();
  return [
    row('Turn: speech_end → stt_result (both services, WebSocket)', stt, 500),
    row('Turn: speech_end → plugin answer', reply, undefined),
    row('Turn: speech_end → first reply audio chunk', firstAudio, undefined),
  ];
}

const suite: Suite = {
  id: 'jarvis',
  title: 'Jarvis example: STT / TTS / VAD latency against the design targets',
  async run() {
    const load = loadavg()
      .map((v) => v.toFixed(1))
      .join(' / ');
    const rows = [...(await sttRows()), ...(await ttsRows()), ...vadRows(), ...(await turnRows())];
    return [
      `Offline engines (pocketsphinx 0.8 and espeak-ng via @voxwire/speech, @voxwire/vad EnergyVad), ${RUNS} runs each, one at a time, wall-clock; load average at the start ${load}. The verdict compares the p50 with the Jarvis design's target (the machine is shared, so p95/max carry other people's load).`,
      '',
      table(['stage', 'runs', 'unit', 'p50', 'p95', 'max', 'target', 'p50 vs target'], rows),
      '',
      "STT is one `pocketsphinx_continuous` process per utterance (model load included); the command grammar is Jarvis's default and is what keeps it under 500 ms. espeak-ng synthesises a whole sentence before the first chunk is sent, so TTS latency is time to first audio. The VAD's compute is microseconds; its event delays are the configured `min_speech_ms` / `max_silence_ms` (design defaults), not processing time. The turn rows stream the audio faster than real time over loopback and time from the `speech_end` message; their replies repeat, so TTS is mostly an LRU cache hit there.",
    ].join('\n');
  },
};

export default suite;
