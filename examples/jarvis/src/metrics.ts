import { LatencyWindow } from '@voxwire/core';

/** Running count, last, mean and max of a latency, plus p50/p95 over the most recent samples, in ms. */
export class LatencyStat {
  count = 0;
  last = 0;
  max = 0;
  private total = 0;
  /** The recent samples the percentiles are taken over. */
  private readonly recent = new LatencyWindow(256);

  add(ms: number): void {
    this.count++;
    this.last = ms;
    this.total += ms;
    if (ms > this.max) this.max = ms;
    this.recent.add(ms);
  }

  get mean(): number {
    return this.count ? this.total / this.count : 0;
  }

  toJSON(): {
    count: number;
    last_ms: number;
    mean_ms: number;
    max_ms: number;
    p50_ms: number | null;
    p95_ms: number | null;
  } {
    const r = (v: number) => Math.round(v * 100) / 100;
    const [p50, p95] = this.recent.percentiles([0.5, 0.95]);
    return {
      count: this.count,
      last_ms: r(this.last),
      mean_ms: r(this.mean),
      max_ms: r(this.max),
      p50_ms: p50 === undefined ? null : r(p50),
      p95_ms: p95 === undefined ? null : r(p95),
    };
  }
}

/** What `GET /api/v2/audio/session/metrics` reports for one session. */
export interface SessionMetrics {
  session_id: string;
  user_id: string;
  created_at: string;
  connected: boolean;
  streaming: boolean;
  sample_rate: number;
  audio_in_ms: number;
  chunks_in: number;
  utterances: number;
  audio_out_ms: number;
  errors: number;
  stt: ReturnType<LatencyStat['toJSON']>;
  tts: ReturnType<LatencyStat['toJSON']>;
  /** Time to score each received chunk. */
  vad: ReturnType<LatencyStat['toJSON']>;
  /** Core service round trip per utterance. */
  core: ReturnType<LatencyStat['toJSON']>;
}
