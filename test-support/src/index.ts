/** Helpers shared by the tests of several workspace packages. Never published. */

export { childProcessCount, type ServerProcess, spawnTsx } from './child-processes.js';
export { CHROMIUM, type LaunchChromiumOptions, launchChromium } from './chromium.js';
export { type AlignedSnrOptions, alignedSnrDb, opusPacketMode } from './codec-quality.js';
export { Haproxy, type HaproxyConfigOptions, haproxyConfig } from './haproxy.js';
export {
  type JanusServer,
  startJanus,
  startTurnServer,
  type TurnAuth,
  type TurnServer,
} from './media-servers.js';
export { estimatePitchHz } from './pitch.js';
export { heapAfterGcMiB, openFds, rssMiB } from './process-probes.js';
export { type PulseServer, type StartPulseOptions, startPulse } from './pulse.js';
export {
  clientFrame,
  type RawWebSocket,
  rawHttpStatus,
  rawUpgrade,
  upgradeRequest,
} from './raw-websocket.js';
export { RawWsClient } from './raw-ws-client.js';
export { RecordingWsClient, type RecordingWsClientOptions } from './recording-ws-client.js';
export { freePort, RedisProcess, requireBinary } from './redis-server.js';
export { handleCounts, leakedSince, settleLeaks } from './resources.js';
export {
  concat,
  dbfs,
  rms,
  type SpanOptions,
  silence,
  type ToneOptions,
  tone,
  toneFloat32,
  voicedSpan,
} from './signals.js';
export {
  type DominantFrequencyOptions,
  dominantFrequencyHz,
  type ToneWindow,
  toneAmplitude,
} from './spectrum.js';
export { type SpeechOptions, speech, writeSpeechWav } from './speech.js';
export { writeStallingEspeak } from './stalling-espeak.js';
export { type SelfSignedCert, selfSignedCert } from './tls.js';
export {
  type Accuracy,
  type AccuracyRow,
  accuracy,
  accuracyTable,
  CONDITIONS,
  CORPUS_RATE,
  type Condition,
  type FixtureFrame,
  type FixtureSegmenterClass,
  type FixtureVad,
  formatAccuracy,
  frameProbabilities,
  frameScores,
  type LabelledSpeech,
  labelledSpeech,
  type NoiseKind,
  noise,
  noisySpeech,
  ReplayVad,
  regions,
  segment,
  summarize,
  timing,
} from './vad-fixtures.js';
export { waitUntil } from './wait.js';
