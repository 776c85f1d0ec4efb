// The environment table of the README, variable by variable: what each one becomes in the model session
// and the bridge options, and the typed error for a value that cannot mean what its name says (the fleet's
// variables included).
import { describe, expect, it } from 'vitest';
import { bridgeOptionsFor, type CallSettings, callSummary, sessionFor } from '../src/call.js';
import { configFromEnv, OpusAgentConfigError } from '../src/config.js';
import { agentFleetOptionsFromEnv } from '../src/fleet.js';
import { createLogger } from '../src/log.js';

function settings(env: Record<string, string>): CallSettings {
  const c = configFromEnv(env);
  return {
    model: {},
    instructions: 'x',
    modelRetries: 0,
    vad: c.vad,
    modelAudio: c.modelAudio,
    qualityMonitoring: c.qualityMonitoring,
    latencyAlertMs: c.latencyAlertMs,
    chunkAlertBytes: c.chunkAlertBytes,
    recordingDir: c.recordingDir,
    inputBatchMs: undefined,
  };
}

describe('configFromEnv', () => {
  it('has the documented defaults', () => {
    expect(configFromEnv({})).toEqual({
      port: 8080,
      host: '127.0.0.1',
      publicUrl: undefined,
      twilioAuthToken: undefined,
      audiocodesToken: undefined,
      openaiApiKey: undefined,
      openaiUrl: undefined,
      openaiModel: undefined,
      modelUrl: undefined,
      instructions: undefined,
      maxConnections: undefined,
      vad: { enabled: true, speechStartChunks: 2, speechStopChunks: 3, silenceDurationMs: 500 },
      modelAudio: 'passthrough',
      audiocodesDefaultFormat: 'raw/lpcm16',
      qualityMonitoring: true,
      latencyAlertMs: 500,
      chunkAlertBytes: 3000,
      recordingDir: undefined,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const c = configFromEnv({
      PORT: '9000',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://voice.example.com/agent/',
      TWILIO_AUTH_TOKEN: 'tw',
      VAIC_TOKEN: 'vaic',
      OPENAI_API_KEY: 'sk-x',
      OPENAI_REALTIME_URL: 'wss://proxy.example.com/v1/realtime',
      OPENAI_MODEL: 'gpt-realtime-mini',
      INSTRUCTIONS: 'Be terse.',
      MAX_CONNECTIONS: '10',
      VAD_ENABLED: 'false',
      SPEECH_START_THRESHOLD: '4',
      SPEECH_STOP_THRESHOLD: '8',
      SILENCE_DURATION_MS: '700',
      MODEL_AUDIO_FORMAT: 'pcm24',
      AUDIOCODES_DEFAULT_FORMAT: 'raw/mulaw',
      AUDIO_QUALITY_MONITORING: 'off',
      LATENCY_ALERT_THRESHOLD: '800',
      CHUNK_SIZE_ALERT_THRESHOLD: '6400',
      RECORDING_ENABLED: 'true',
      RECORDING_DIR: '/var/rec',
      LOG_LEVEL: 'DEBUG',
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      // An https:// address is taken as its wss:// twin, without the trailing slash.
      publicUrl: 'wss://voice.example.com/agent',
      twilioAuthToken: 'tw',
      audiocodesToken: 'vaic',
      openaiApiKey: 'sk-x',
      openaiUrl: 'wss://proxy.example.com/v1/realtime',
      openaiModel: 'gpt-realtime-mini',
      instructions: 'Be terse.',
      maxConnections: 10,
      vad: { enabled: false, speechStartChunks: 4, speechStopChunks: 8, silenceDurationMs: 700 },
      modelAudio: 'pcm24',
      audiocodesDefaultFormat: 'raw/mulaw',
      qualityMonitoring: false,
      latencyAlertMs: 800,
      chunkAlertBytes: 6400,
      recordingDir: '/var/rec',
      logLevel: 'debug',
    });
    expect(configFromEnv({ RECORDING_ENABLED: '1' }).recordingDir).toBe('recordings');
  });

  it('refuses values that cannot mean what the variable says, naming it', () => {
    for (const [name, value] of [
      ['PORT', 'eighty'],
      ['VAD_ENABLED', 'maybe'],
      ['SPEECH_START_THRESHOLD', '0'],
      ['SILENCE_DURATION_MS', '1.5'],
      ['MODEL_AUDIO_FORMAT', 'opus'],
      ['AUDIOCODES_DEFAULT_FORMAT', 'raw/opus'],
      ['LOG_LEVEL', 'verbose'],
      ['PUBLIC_URL', 'http://voice.example.com'],
      ['PUBLIC_URL', 'wss://voice.example.com/?x=1'],
    ]) {
      let err: unknown;
      try {
        configFromEnv({ [name]: value });
      } catch (e) {
        err = e;
      }
      expect(err, `${name}=${value}`).toBeInstanceOf(OpusAgentConfigError);
      expect((err as OpusAgentConfigError).code).toBe('INVALID_CONFIG');
      expect((err as Error).message).toContain(name);
    }
  });

  it('refuses TWILIO_AUTH_TOKEN without PUBLIC_URL, saying what to set', () => {
    expect(() => configFromEnv({ TWILIO_AUTH_TOKEN: 'tw' })).toThrow(OpusAgentConfigError);
    expect(() => configFromEnv({ TWILIO_AUTH_TOKEN: 'tw' })).toThrow(/PUBLIC_URL.*wss:\/\//);
  });

  it('refuses a fleet duration that is not a non-negative number, naming it', () => {
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', DRAIN_TIMEOUT_MS: '-5' };
    expect(() => agentFleetOptionsFromEnv(env)).toThrow(OpusAgentConfigError);
    expect(() => agentFleetOptionsFromEnv(env)).toThrow(/^DRAIN_TIMEOUT_MS must be a non-negative number/);
  });
});

describe('what the configuration does to a call', () => {
  it('VAD on: the model detects turns with SILENCE_DURATION_MS; the agent runs no VAD of its own', () => {
    const s = settings({ SILENCE_DURATION_MS: '700' });
    expect(sessionFor(s).audio?.input?.turn_detection).toEqual({
      type: 'server_vad',
      silence_duration_ms: 700,
    });
    expect(bridgeOptionsFor(s).localVad).toBeUndefined();
  });

  it('VAD off: no model turn detection; the agent VAD commits turns with the start/stop thresholds', () => {
    const s = settings({ VAD_ENABLED: 'false', SPEECH_START_THRESHOLD: '3', SPEECH_STOP_THRESHOLD: '5' });
    expect(sessionFor(s).audio?.input?.turn_detection).toBeNull();
    expect(bridgeOptionsFor(s).localVad).toEqual({ minSpeechMs: 300, minSilenceMs: 500, commitTurns: true });
  });

  it('formats, quality monitoring and alert thresholds reach the bridge', () => {
    expect(bridgeOptionsFor(settings({}))).toMatchObject({
      passThrough: true,
      quality: true,
      latencyAlertMs: 500,
      chunkAlertBytes: 3000,
    });
    expect(
      bridgeOptionsFor(
        settings({
          MODEL_AUDIO_FORMAT: 'pcm24',
          AUDIO_QUALITY_MONITORING: 'false',
          LATENCY_ALERT_THRESHOLD: '900',
          CHUNK_SIZE_ALERT_THRESHOLD: '100',
        }),
      ),
    ).toMatchObject({ passThrough: false, quality: false, latencyAlertMs: 900, chunkAlertBytes: 100 });
  });

  it('logs at the configured level and above', () => {
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines).toEqual(['warn c', 'error d']);
    expect(log.enabled('info')).toBe(false);
  });

  it('summarises a call in one line', () => {
    const line = callSummary('CA1', 12_345, {
      turns: 2,
      bargeIns: 1,
      dtmf: 0,
      errors: 0,
      turnLatencyMs: { count: 2, last: 610, mean: 515, p50: 420, p95: 610 },
      bargeInReactionMs: { count: 1, last: 300, mean: 300, p50: 300, p95: 300 },
      chunksIn: 615,
      chunksOut: 300,
      bytesIn: 98_400,
      bytesOut: 48_000,
      droppedInputMs: 0,
      alerts: { 'turn-latency': 1, 'chunk-size': 0 },
    });
    expect(line).toBe(
      'call CA1 summary: 12.3 s, frames in 615 out 300, turns 2, turn latency p50 420 ms p95 610 ms, ' +
        'barge-ins 1, errors 0, alerts turn-latency 1',
    );
  });
});
