import type { ResponseUsage } from '@voxwire/realtime-protocol';

/** Rough token count of text (OpenAI's rule of thumb: ~4 characters per token). */
export function textTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Audio tokens as OpenAI counts them: user audio 1 per 100 ms, assistant audio 1 per 50 ms. */
export function audioTokens(ms: number, role: 'user' | 'assistant'): number {
  return Math.ceil(ms / (role === 'user' ? 100 : 50));
}

export function makeUsage(
  input: { text: number; audio: number },
  output: { text: number; audio: number },
): ResponseUsage {
  const inputTokens = input.text + input.audio;
  const outputTokens = output.text + output.audio;
  return {
    total_tokens: inputTokens + outputTokens,
    input_tokens: inputTokens,
    output_tokens: outputTokens,
    input_token_details: {
      text_tokens: input.text,
      audio_tokens: input.audio,
      image_tokens: 0,
      cached_tokens: 0,
      cached_tokens_details: { text_tokens: 0, audio_tokens: 0, image_tokens: 0 },
    },
    output_token_details: { text_tokens: output.text, audio_tokens: output.audio },
  };
}

/** One limit of `rate_limits.updated`. */
export interface RateLimit {
  name: 'requests' | 'tokens';
  limit: number;
  remaining: number;
  reset_seconds: number;
}

/**
 * Per-session sliding one-minute window of requests and tokens, reported after each response like the
 * real service's `rate_limits.updated`. Nothing is refused: the numbers are informational.
 */
export class RateLimitWindow {
  private readonly entries: Array<{ at: number; tokens: number }> = [];

  constructor(
    private readonly requestsPerMinute = 10_000,
    private readonly tokensPerMinute = 2_000_000,
  ) {}

  record(tokens: number, now = Date.now()): RateLimit[] {
    this.entries.push({ at: now, tokens });
    while (this.entries.length && this.entries[0].at <= now - 60_000) this.entries.shift();
    const used = this.entries.reduce((s, e) => s + e.tokens, 0);
    const reset = this.entries.length ? Math.max(0, (this.entries[0].at + 60_000 - now) / 1000) : 0;
    return [
      {
        name: 'requests',
        limit: this.requestsPerMinute,
        remaining: Math.max(0, this.requestsPerMinute - this.entries.length),
        reset_seconds: Number(reset.toFixed(3)),
      },
      {
        name: 'tokens',
        limit: this.tokensPerMinute,
        remaining: Math.max(0, this.tokensPerMinute - used),
        reset_seconds: Number(reset.toFixed(3)),
      },
    ];
  }
}
