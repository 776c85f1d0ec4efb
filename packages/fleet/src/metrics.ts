import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Options of {@link FleetMetrics}. */
export interface FleetMetricsOptions {
  /**
   * A prom-client registry to add the metrics to (yours, to merge with other metrics); a new one by
   * default. One fleet per registry: prom-client refuses a second metric of the same name.
   */
  registry?: Registry;
  /** Labels added to every series (e.g. `{ instance: 'a' }`). */
  defaultLabels?: Record<string, string>;
  /** Buckets of the turn-latency histogram, in seconds. */
  turnLatencyBuckets?: number[];
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5];
const HOP_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2];

/**
 * The Prometheus metrics of one instance (prom-client). The fleet counts calls started and ended itself;
 * the call server reports the rest (`observeTurnLatency`, `countFrames`…). Every method is O(1) and never
 * throws, so it can sit on a call's path; count frames in batches, not one `inc` per 20 ms frame.
 */
export class FleetMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: Registry;
  private readonly active: Gauge;
  private readonly started: Counter;
  private readonly ended: Counter;
  private readonly turnLatency: Histogram;
  private readonly hopLatency: Histogram;
  private readonly frames: Counter;
  private readonly underruns: Counter;
  private readonly errors: Counter;
  private readonly loopDelay: IntervalHistogram;

  constructor(options: FleetMetricsOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    this.active = new Gauge({ name: 'voxwire_active_calls', help: 'Live calls on this instance', registers });
    this.started = new Counter({
      name: 'voxwire_calls_started_total',
      help: 'Calls started on this instance',
      labelNames: ['platform'],
      registers,
    });
    this.ended = new Counter({
      name: 'voxwire_calls_ended_total',
      help: 'Calls ended on this instance, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.turnLatency = new Histogram({
      name: 'voxwire_turn_latency_seconds',
      help: 'From the end of the caller speaking to the first agent audio',
      buckets: options.turnLatencyBuckets ?? LATENCY_BUCKETS,
      registers,
    });
    this.hopLatency = new Histogram({
      name: 'voxwire_hop_latency_seconds',
      help: 'Latency of one hop of the audio path (e.g. model, network, playout)',
      labelNames: ['hop'],
      buckets: HOP_BUCKETS,
      registers,
    });
    this.frames = new Counter({
      name: 'voxwire_frames_total',
      help: 'Audio frames received from callers (in) and sent to them (out)',
      labelNames: ['direction'],
      registers,
    });
    this.underruns = new Counter({
      name: 'voxwire_underruns_total',
      help: 'Playout underruns (the caller heard a gap)',
      registers,
    });
    this.errors = new Counter({
      name: 'voxwire_errors_total',
      help: 'Errors by VoxwireError code',
      labelNames: ['code'],
      registers,
    });
    // Node's own event-loop delay sampler: no timer of ours, read at scrape time.
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();
    const loopDelay = this.loopDelay;
    new Gauge({
      name: 'voxwire_event_loop_lag_seconds',
      help: 'Event-loop delay since the previous scrape, by quantile',
      labelNames: ['quantile'],
      registers,
      collect() {
        const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: '0.5' }, s(loopDelay.percentile(50)));
        this.set({ quantile: '0.99' }, s(loopDelay.percentile(99)));
        this.set({ quantile: '1' }, s(loopDelay.max));
        loopDelay.reset();
      },
    });
  }

  /** Counted by the fleet when a call registers. */
  callStarted(platform: string): void {
    this.started.inc({ platform });
    this.active.inc();
  }

  /** Counted by the fleet when a call unregisters. */
  callEnded(reason: string): void {
    this.ended.inc({ reason });
    this.active.dec();
  }

  /** One turn's latency, in milliseconds. */
  observeTurnLatency(ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.turnLatency.observe(ms / 1000);
  }

  /** One hop's latency (`hop` is a small fixed set of names), in milliseconds. */
  observeHopLatency(hop: string, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) this.hopLatency.observe({ hop }, ms / 1000);
  }

  /** Adds frames received (`inbound`) and sent (`outbound`) since the last call. */
  countFrames(inbound: number, outbound: number): void {
    if (inbound > 0) this.frames.inc({ direction: 'in' }, inbound);
    if (outbound > 0) this.frames.inc({ direction: 'out' }, outbound);
  }

  /** Adds playout underruns. */
  countUnderruns(n = 1): void {
    if (n > 0) this.underruns.inc(n);
  }

  /** Counts one error by its code (`VoxwireError.code`). */
  countError(code: string): void {
    this.errors.inc({ code });
  }

  /** The Prometheus text exposition of every metric in {@link registry}. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** The content type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops the event-loop sampler. */
  close(): void {
    this.loopDelay.disable();
  }
}
