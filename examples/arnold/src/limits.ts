// Arnold's limits on what clients may ask for: every size, count and duration taken from the wire is
// bounded here (documented in the README's "Limits" section; each is an option of `startArnold`).

/** Limits of one Arnold server. */
export interface ArnoldLimits {
  /** Realtime stream sessions open at once; one more upgrade gets HTTP 503. Default 64. */
  maxSessions: number;
  /** One-shot `/audio/*` requests running at once; one more gets HTTP 429. Default 4. */
  maxAudioJobs: number;
  /** Longest `POST /audio/tts` text, in characters; longer gets HTTP 413. Default 4000. */
  maxTtsChars: number;
  /** Largest `/audio/*` request body, in bytes; larger gets HTTP 413. Default 16 MiB. */
  maxBodyBytes: number;
  /** Longest `/audio/*` clip, in ms; longer gets HTTP 413. Default 120 000 (2 minutes). */
  maxClipMs: number;
  /** Shortest `/audio/*` clip, in ms (the backend cannot commit less); shorter gets HTTP 400. Default 100. */
  minClipMs: number;
  /** How long an `/audio/*` request may wait for the backend, in ms; then HTTP 504. Default 60 000. */
  audioJobTimeoutMs: number;
  /** Text turns waiting behind a busy agent per session; one more gets a `busy` error. Default 8. */
  maxQueuedTexts: number;
  /** Time to receive a request's headers, in ms (stalled clients are cut off). Default 10 000. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, in ms. Default 60 000. */
  requestTimeoutMs: number;
}

/** The defaults. */
export const DEFAULT_LIMITS: Readonly<ArnoldLimits> = Object.freeze({
  maxSessions: 64,
  maxAudioJobs: 4,
  maxTtsChars: 4000,
  maxBodyBytes: 16 * 1024 * 1024,
  maxClipMs: 120_000,
  minClipMs: 100,
  audioJobTimeoutMs: 60_000,
  maxQueuedTexts: 8,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
});
