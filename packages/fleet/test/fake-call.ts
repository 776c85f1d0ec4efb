// A FleetCall made of plain fields: it records what the fleet asked of it.
import type { FleetCall } from '../src/index.js';

export class FakeCall implements FleetCall {
  readonly startedAt = Date.now();
  lastActivityAt = Date.now();
  state = 'active';
  readonly said: string[] = [];
  readonly injected: string[] = [];
  muted = false;
  hungUp: string | undefined;
  /** What hangup() does besides recording (the call server would end the call and unregister it). */
  onHangup: (reason: string) => void = () => {};
  /** Make hangup hang forever (a stuck call). */
  stuck = false;

  constructor(
    readonly id: string,
    readonly platform: string = 'twilio',
    readonly caller?: string,
    readonly agent?: string,
  ) {}

  async hangup(reason: string): Promise<void> {
    this.hungUp = reason;
    if (this.stuck) return new Promise(() => {});
    this.onHangup(reason);
  }

  async say(text: string): Promise<void> {
    if (text === 'explode') throw new Error('the model session is closed');
    this.said.push(text);
  }

  async injectText(text: string): Promise<void> {
    this.injected.push(text);
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
  }

  metrics(): Record<string, number> {
    return { turns: this.said.length + this.injected.length, turnLatencyP50Ms: 420, bogus: Number.NaN };
  }
}
