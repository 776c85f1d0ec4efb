import { RealtimeServerConfigError } from '../errors.js';
import type { Responder, ResponderContext, ResponderReply } from './types.js';

/** One step of a script: a fixed reply or a function of the context. */
export type ScriptStep =
  | ResponderReply
  | ((context: ResponderContext) => ResponderReply | Promise<ResponderReply>);

/** Options of {@link ScriptedResponder}. */
export interface ScriptedResponderOptions {
  /** After the last step: `cycle` starts over (default), `last` repeats the last step. */
  after?: 'cycle' | 'last';
  /** Set when steps read user words from the context, so user audio gets transcribed. Default false. */
  needsTranscripts?: boolean;
}

/**
 * Replies from a fixed script, for tests: the n-th response of each session gets step n. Sessions do not
 * share a position, so concurrent sessions each see the script from the start.
 */
export class ScriptedResponder implements Responder {
  readonly name = 'scripted';
  readonly needsTranscripts: boolean;
  private readonly steps: ScriptStep[];
  private readonly after: 'cycle' | 'last';

  constructor(steps: ScriptStep[], options: ScriptedResponderOptions = {}) {
    if (steps.length === 0)
      throw new RealtimeServerConfigError('INVALID_ARGUMENT', 'ScriptedResponder needs at least one step');
    this.steps = steps;
    this.after = options.after ?? 'cycle';
    this.needsTranscripts = options.needsTranscripts ?? false;
  }

  respond(context: ResponderContext): ResponderReply | Promise<ResponderReply> {
    const n = this.steps.length;
    const i = this.after === 'cycle' ? context.responseIndex % n : Math.min(context.responseIndex, n - 1);
    const step = this.steps[i];
    return typeof step === 'function' ? step(context) : step;
  }
}
