// One call's model session and bridge, configured from the agent's options, and what the agent reports
// about it: alerts as they happen, what was said (debug), a summary at hang-up, the recording.
import { join } from 'node:path';
import {
  type BridgeCallOptions,
  type BridgeMetrics,
  bridgeCall,
  type CallBridge,
  CallRecorder,
  type CallSession,
} from '@voxwire/bridge';
import { RealtimeClient, type SessionUpdate } from '@voxwire/realtime-client';
import type { VadConfig } from './config.js';
import type { Logger } from './log.js';

/** The length of one VAD "chunk" the speech thresholds count, as the design's 100 ms audio chunks. */
export const VAD_CHUNK_MS = 100;

/** What a call needs from the agent's configuration. */
export interface CallSettings {
  /** Where the model is: OpenAI (`apiKey`, optional `url`/`model`) or a realtime server `url` without key. */
  model: { url?: string; apiKey?: string; model?: string };
  instructions: string;
  modelRetries: number;
  vad: VadConfig;
  modelAudio: 'passthrough' | 'pcm24';
  qualityMonitoring: boolean;
  latencyAlertMs: number;
  chunkAlertBytes: number;
  recordingDir: string | undefined;
  inputBatchMs: number | undefined;
}

/** The model's turn detection: its server VAD, or none (the agent's VAD commits turns instead). */
export function sessionFor(settings: CallSettings): SessionUpdate {
  const { vad } = settings;
  return {
    instructions: settings.instructions,
    audio: {
      input: {
        turn_detection: vad.enabled
          ? { type: 'server_vad', silence_duration_ms: vad.silenceDurationMs }
          : null,
      },
    },
  };
}

/** The bridge options a call gets (without recorder and log, which are per call). */
export function bridgeOptionsFor(settings: CallSettings): BridgeCallOptions {
  const { vad } = settings;
  return {
    passThrough: settings.modelAudio === 'passthrough',
    quality: settings.qualityMonitoring,
    latencyAlertMs: settings.latencyAlertMs,
    chunkAlertBytes: settings.chunkAlertBytes,
    ...(settings.inputBatchMs !== undefined ? { inputBatchMs: settings.inputBatchMs } : {}),
    // With the model's VAD off, the agent's own VAD hears the caller: barge-in and the end of each turn.
    ...(vad.enabled
      ? {}
      : {
          localVad: {
            minSpeechMs: vad.speechStartChunks * VAD_CHUNK_MS,
            minSilenceMs: vad.speechStopChunks * VAD_CHUNK_MS,
            commitTurns: true,
          },
        }),
  };
}

const ms = (v: number | undefined): string => (v === undefined ? '-' : `${v.toFixed(0)} ms`);

/** The one line logged when a call ends. */
export function callSummary(id: string, durationMs: number, m: BridgeMetrics): string {
  const alerts = { ...m.alerts, ...(m.quality?.alerts ?? {}) };
  const raised = Object.entries(alerts)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}`);
  return (
    `call ${id} summary: ${(durationMs / 1000).toFixed(1)} s, frames in ${m.chunksIn} out ${m.chunksOut}, ` +
    `turns ${m.turns}, turn latency p50 ${ms(m.turnLatencyMs.p50)} p95 ${ms(m.turnLatencyMs.p95)}, ` +
    `barge-ins ${m.bargeIns}, errors ${m.errors}, alerts ${raised.length ? raised.join(', ') : 'none'}`
  );
}

/** A file-system-safe directory name for a call id. */
function dirName(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128) || 'call';
}

/**
 * Joins `call` to a new model session and reports on it through `log`. `done` of the returned bridge
 * resolves when the call ends; the summary and the recording follow it (`reported` resolves after both).
 */
export function startCall(
  call: CallSession,
  settings: CallSettings,
  log: Logger,
): { bridge: CallBridge; reported: Promise<void> } {
  const { model, modelRetries } = settings;
  const realtime = new RealtimeClient({
    ...model,
    // A model that died is not waited for long: the caller would hear dead air.
    reconnect: modelRetries > 0 ? { maxRetries: modelRetries, initialDelayMs: 250, maxDelayMs: 1000 } : false,
    session: sessionFor(settings),
  });
  const recorder = settings.recordingDir ? new CallRecorder() : undefined;
  const started = performance.now();
  const bridge = bridgeCall(call, realtime, {
    ...bridgeOptionsFor(settings),
    recorder,
    // The bridge writes a line for its end (the agent logs its own, with the summary: debug) and one per
    // problem (errors of either side, late input after the end, a failed release): warnings, so that
    // LOG_LEVEL=warn still shows them.
    log: (line) => (line.startsWith(`bridge ${call.id}: ended: `) ? log.debug(line) : log.warn(line)),
  });
  // Every bridge error is already written through `log`; a listener keeps them from becoming warnings too.
  bridge.on('error', () => {});
  bridge.on('qualityAlert', (a) => log.warn(`call ${call.id}: audio quality: ${a.message}`));
  bridge.on('alert', (a) => log.warn(`call ${call.id}: ${a.message}`));
  if (log.enabled('debug')) {
    bridge.on('bargeIn', (b) => log.debug(`call ${call.id}: barge-in after ${b.playedMs} ms of agent audio`));
    realtime.on('userTranscript', (t) => {
      if (t.done) log.debug(`call ${call.id}: caller said: ${t.text}`);
    });
    realtime.on('transcript', (t) => {
      if (t.done) log.debug(`call ${call.id}: agent said: ${t.text}`);
    });
  }
  const reported = bridge.done.then(async ({ reason, metrics }) => {
    const durationMs = performance.now() - started;
    log.info(`call ${call.id} ended: ${reason}`);
    log.info(callSummary(call.id, durationMs, metrics));
    if (!recorder || !settings.recordingDir) return;
    const dir = join(settings.recordingDir, dirName(call.id));
    try {
      await recorder.save(dir, { stereo: true, summary: { callId: call.id, reason, metrics } });
      log.info(`call ${call.id}: recording saved to ${dir}`);
    } catch (err) {
      log.error(`call ${call.id}: recording not saved: ${(err as Error).message}`);
    }
  });
  return { bridge, reported };
}
