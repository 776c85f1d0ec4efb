// Engines for the embedded realtime server in tests: the model answers with a fixed sentence spoken as a
// 660 Hz tone (one pitch nobody else uses, so each far end's spectrum shows whether it hears the agent).
import { type AudioFrame, audioFrame } from '@voxwire/codecs';
import type { Responder, ResponderReply, Synthesizer } from '@voxwire/realtime-server';
import { tone } from '@voxwire/test-support';
import { AGENT_HZ } from './audio.js';

/** Speaks any text as a tone, 45 ms per character (at most 4 s). */
export class ToneSynthesizer implements Synthesizer {
  readonly name = 'tone';
  async synthesize(text: string): Promise<AudioFrame> {
    const seconds = Math.min(4, Math.max(0.5, text.length * 0.045));
    return audioFrame(tone(AGENT_HZ, 24000, 24000 * seconds, 0.3), 24000);
  }
}

/** Always says the same thing. */
export class FixedResponder implements Responder {
  readonly name = 'fixed';
  readonly needsTranscripts = false;
  constructor(private readonly text: string) {}
  respond(): ResponderReply {
    return { text: this.text };
  }
}
