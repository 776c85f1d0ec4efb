// An OpenClaw for tests: ephemeral ports, the null audio backend, the embedded model answering in a tone.
import { NullTranscriber } from '@voxwire/realtime-server';
import { configFromEnv } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { type OpenClaw, type OpenClawOptions, startOpenClaw } from '../../src/openclaw.js';
import { FixedResponder, ToneSynthesizer } from './engines.js';

/** The agent's fixed answer (spoken as a ~2.4 s tone). */
export const ANSWER = 'OpenClaw here. I heard you, how can I help you today?';

export async function startTestOpenClaw(
  extra: Partial<OpenClawOptions> = {},
  env: Record<string, string> = {},
): Promise<{ app: OpenClaw; logs: Record<string, unknown>[] }> {
  const logs: Record<string, unknown>[] = [];
  const config = configFromEnv({
    SIGNALING_PORT: '0',
    TWILIO_PORT: '0',
    AUDIO_BACKEND: 'null',
    MONITOR_INTERVAL_MS: '0',
    LOG_LEVEL: 'debug',
    ...env,
  });
  const app = await startOpenClaw({
    config,
    log: createLogger('debug', (line) => {
      if (logs.length < 5000) logs.push(JSON.parse(line) as Record<string, unknown>);
    }),
    localModel: {
      pacing: 'realtime',
      engines: {
        transcriber: new NullTranscriber(),
        synthesizer: new ToneSynthesizer(),
        responder: new FixedResponder(ANSWER),
      },
    },
    ...extra,
  });
  return { app, logs };
}
