import { EventEmitter } from 'node:events';
import type { AudioFrame } from '@voxwire/codecs';
import { VadError } from './errors.js';
import {
  analyzeSignal,
  DEFAULT_QUALITY_THRESHOLDS,
  type QualityThresholds,
  type SignalMetrics,
} from './signal-metrics.js';

/** Options of {@link QualityMonitor}. */
export interface QualityMonitorOptions {
  /** Sample rate of the pushed frames in Hz. */
  sampleRate: number;
  /** Limits that raise alerts; missing fields take {@link DEFAULT_QUALITY_THRESHOLDS}. */
  thresholds?: Partial<QualityThresholds>;
  /** Length of audio each analysis looks at, in ms. Default 2000 (long enough for an SNR estimate). */
  windowMs?: number;
  /** How often an analysis runs, in ms of audio. Default 1000. */
  intervalMs?: number;
}

/** Which limit an alert is about. */
export type QualityAlertKind = 'low-snr' | 'high-thd' | 'clipping' | 'low-score';

/** A breached threshold. */
export interface QualityAlert {
  kind: QualityAlertKind;
  /** The measured value (dB, % or score). */
  value: number;
  /** The limit it broke. */
  threshold: number;
  /** Sample (from the start of the stream) at which the analysed window ends. */
  atSample: number;
  /** Human-readable, e.g. `Low SNR detected: 12.3 dB (min 20 dB)`. */
  message: string;
}

/** Metrics of one analysis window, with the window's end position. */
export interface QualityReport extends SignalMetrics {
  /** Sample (from the start of the stream) at which the analysed window ends. */
  atSample: number;
  /** Alerts raised for this window. */
  alerts: QualityAlert[];
}

/** Aggregate over all analyses since the start or the last `reset()`. */
export interface QualitySummary {
  analyses: number;
  meanScore: number;
  minScore: number;
  meanSnrDb: number;
  maxClippingPercent: number;
  maxThdPercent: number;
  alerts: Record<QualityAlertKind, number>;
}

/** Events of {@link QualityMonitor}. */
export interface QualityMonitorEvents {
  /** After each analysis window. */
  metrics: [report: QualityReport];
  /** For each threshold a window breaks. */
  alert: [alert: QualityAlert];
}

/**
 * Streaming audio quality monitor (like the OpusAgent design's `AudioQualityMonitor`): push mono
 * {@link AudioFrame}s of any size; every `intervalMs` of audio it analyses the last `windowMs` with {@link analyzeSignal}, emits
 * `metrics`, and emits an `alert` for each threshold broken. Analyses happen at fixed sample positions, so
 * results do not depend on how the input is chunked.
 */
export class QualityMonitor extends EventEmitter<QualityMonitorEvents> {
  readonly sampleRate: number;
  readonly thresholds: Readonly<QualityThresholds>;
  private readonly window: Float32Array;
  private readonly linear: Float32Array;
  private readonly interval: number;
  private writePos = 0;
  private filled = 0;
  private total = 0;
  private sinceLast = 0;
  private latest: QualityReport | undefined;
  private stats = emptyStats();

  constructor(options: QualityMonitorOptions) {
    super();
    const rate = options?.sampleRate;
    if (!Number.isFinite(rate) || rate < 1000 || rate > 384000) {
      throw new VadError('SAMPLE_RATE', `QualityMonitor needs sampleRate in Hz (1000..384000), got ${rate}`);
    }
    this.sampleRate = rate;
    this.thresholds = Object.freeze({ ...DEFAULT_QUALITY_THRESHOLDS, ...options.thresholds });
    const windowMs = options.windowMs ?? 2000;
    const intervalMs = options.intervalMs ?? 1000;
    if (!(windowMs >= 100) || !(intervalMs >= 10)) {
      throw new VadError('INVALID_ARGUMENT', `QualityMonitor windowMs must be ≥ 100 and intervalMs ≥ 10`);
    }
    this.window = new Float32Array(Math.round((rate * windowMs) / 1000));
    this.linear = new Float32Array(this.window.length);
    this.interval = Math.max(1, Math.round((rate * intervalMs) / 1000));
  }

  /** The most recent report, if any analysis has run. */
  get last(): QualityReport | undefined {
    return this.latest;
  }

  /**
   * Adds a mono frame at `sampleRate` (it may be borrowed: its samples are copied before `push` returns).
   * Returns the reports of the analyses this frame completed (usually none or one).
   * @throws {VadError} `INVALID_ARGUMENT` for anything but a mono {@link AudioFrame} of Int16 PCM,
   * `SAMPLE_RATE` for a frame at another rate.
   */
  push(frame: AudioFrame): QualityReport[] {
    const chunk = (frame as Partial<AudioFrame> | null)?.data;
    if (!(chunk instanceof Int16Array) || frame.channels !== 1) {
      throw new VadError('INVALID_ARGUMENT', 'QualityMonitor.push expects a mono AudioFrame of Int16 PCM');
    }
    if (frame.sampleRate !== this.sampleRate) {
      throw new VadError(
        'SAMPLE_RATE',
        `QualityMonitor.push: got a ${frame.sampleRate} Hz frame, the monitor was created for ${this.sampleRate} Hz`,
      );
    }
    const reports: QualityReport[] = [];
    const scale = 1 / 32768;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.interval - this.sinceLast);
      this.append(chunk, offset, take, scale);
      offset += take;
      this.sinceLast += take;
      if (this.sinceLast === this.interval) {
        this.sinceLast = 0;
        reports.push(this.analyze());
      }
    }
    return reports;
  }

  /** Analyses what arrived since the last analysis (if anything did). */
  flush(): QualityReport | undefined {
    if (this.sinceLast === 0) return undefined;
    this.sinceLast = 0;
    return this.analyze();
  }

  /** Aggregate of all analyses so far. */
  summary(): QualitySummary {
    const s = this.stats;
    return {
      analyses: s.analyses,
      meanScore: s.analyses ? s.scoreSum / s.analyses : Number.NaN,
      minScore: s.analyses ? s.minScore : Number.NaN,
      meanSnrDb: s.snrCount ? s.snrSum / s.snrCount : Number.NaN,
      maxClippingPercent: s.maxClipping,
      maxThdPercent: s.maxThd,
      alerts: { ...s.alerts },
    };
  }

  /** Forgets all audio and statistics. */
  reset(): void {
    this.writePos = 0;
    this.filled = 0;
    this.total = 0;
    this.sinceLast = 0;
    this.latest = undefined;
    this.stats = emptyStats();
  }

  private append(chunk: Int16Array | Float32Array, offset: number, count: number, scale: number): void {
    const w = this.window;
    for (let i = 0; i < count; i++) {
      w[this.writePos] = chunk[offset + i] * scale;
      this.writePos = this.writePos + 1 === w.length ? 0 : this.writePos + 1;
    }
    this.filled = Math.min(w.length, this.filled + count);
    this.total += count;
  }

  private analyze(): QualityReport {
    const w = this.window;
    const n = this.filled;
    // Unroll the ring, oldest first, into the reused linear buffer.
    const start = (this.writePos - n + w.length) % w.length;
    const firstPart = Math.min(n, w.length - start);
    this.linear.set(w.subarray(start, start + firstPart), 0);
    this.linear.set(w.subarray(0, n - firstPart), firstPart);
    const metrics = analyzeSignal(this.linear.subarray(0, n), { sampleRate: this.sampleRate });
    const alerts = this.alertsFor(metrics);
    const report: QualityReport = { ...metrics, atSample: this.total, alerts };
    this.latest = report;
    this.record(report);
    this.emit('metrics', report);
    for (const alert of alerts) this.emit('alert', alert);
    return report;
  }

  private alertsFor(m: SignalMetrics): QualityAlert[] {
    const t = this.thresholds;
    const at = this.total;
    const alerts: QualityAlert[] = [];
    if (m.snrDb < t.minSnrDb) {
      alerts.push({
        kind: 'low-snr',
        value: m.snrDb,
        threshold: t.minSnrDb,
        atSample: at,
        message: `Low SNR detected: ${m.snrDb.toFixed(1)} dB (min ${t.minSnrDb} dB)`,
      });
    }
    if (m.thdPercent > t.maxThdPercent) {
      alerts.push({
        kind: 'high-thd',
        value: m.thdPercent,
        threshold: t.maxThdPercent,
        atSample: at,
        message: `High THD detected: ${m.thdPercent.toFixed(2)} % (max ${t.maxThdPercent} %)`,
      });
    }
    if (m.clippingPercent > t.maxClippingPercent) {
      alerts.push({
        kind: 'clipping',
        value: m.clippingPercent,
        threshold: t.maxClippingPercent,
        atSample: at,
        message: `Audio clipping detected: ${m.clippingPercent.toFixed(2)} % (max ${t.maxClippingPercent} %)`,
      });
    }
    if (m.qualityScore < t.minQualityScore) {
      alerts.push({
        kind: 'low-score',
        value: m.qualityScore,
        threshold: t.minQualityScore,
        atSample: at,
        message: `Low audio quality score: ${m.qualityScore.toFixed(1)} (min ${t.minQualityScore})`,
      });
    }
    return alerts;
  }

  private record(r: QualityReport): void {
    const s = this.stats;
    s.analyses++;
    s.scoreSum += r.qualityScore;
    s.minScore = Math.min(s.minScore, r.qualityScore);
    if (Number.isFinite(r.snrDb)) {
      s.snrSum += r.snrDb;
      s.snrCount++;
    }
    s.maxClipping = Math.max(s.maxClipping, r.clippingPercent);
    if (Number.isFinite(r.thdPercent)) s.maxThd = Math.max(s.maxThd, r.thdPercent);
    for (const a of r.alerts) s.alerts[a.kind]++;
  }
}

function emptyStats() {
  return {
    analyses: 0,
    scoreSum: 0,
    minScore: Number.POSITIVE_INFINITY,
    snrSum: 0,
    snrCount: 0,
    maxClipping: 0,
    maxThd: 0,
    alerts: { 'low-snr': 0, 'high-thd': 0, clipping: 0, 'low-score': 0 } as Record<QualityAlertKind, number>,
  };
}
