import { RealtimeClientError } from './errors.js';
import type { ToolCallEvent, ToolResultEvent } from './events.js';
import type { ClientEvent, FunctionCallArgumentsDoneEvent, FunctionToolDefinition } from './protocol.js';
import { runTool, type ToolDefinition, type ToolHandler, type ToolOptions } from './tools.js';

interface PendingCall {
  responseId: string;
  manual: boolean;
}

/** What the tool registry needs from the client. */
export interface ToolHost {
  send(event: ClientEvent): void;
  toolCall(event: ToolCallEvent): void;
  toolResult(event: ToolResultEvent): void;
  error(err: RealtimeClientError): void;
  /** Whether the client was closed (late handler results are dropped). */
  closed(): boolean;
  /** Aborted when the client closes: handlers get it as their signal. */
  readonly signal: AbortSignal;
  readonly defaultTimeoutMs: number;
}

/**
 * The client's function tools: registered handlers, the calls in flight, and the rule that the model
 * continues (`response.create`) once a response is done and every call it made is answered.
 */
export class ToolRegistry {
  private readonly tools = new Map<
    string,
    { definition: FunctionToolDefinition; handler: ToolHandler; timeoutMs: number }
  >();
  private readonly pendingCalls = new Map<string, PendingCall>();
  private readonly doneResponses = new Set<string>();
  private readonly responsesWithOutputs = new Set<string>();
  /** Tool calls seen. */
  calls = 0;

  constructor(private readonly host: ToolHost) {}

  /**
   * Registers a tool and its handler; returns its wire definition.
   * @throws RealtimeClientError `INVALID_ARGUMENT` for a bad name or a missing handler
   */
  add(definition: ToolDefinition, handler: ToolHandler, options: ToolOptions): FunctionToolDefinition {
    if (
      !definition ||
      typeof definition.name !== 'string' ||
      !/^[a-zA-Z0-9_-]{1,64}$/.test(definition.name)
    ) {
      throw new RealtimeClientError(
        'INVALID_ARGUMENT',
        `tool name must match [a-zA-Z0-9_-]{1,64}, got ${JSON.stringify(definition?.name)}`,
      );
    }
    if (typeof handler !== 'function')
      throw new RealtimeClientError('INVALID_ARGUMENT', 'addTool needs a handler function');
    const fn: FunctionToolDefinition = { type: 'function', name: definition.name };
    if (definition.description !== undefined) fn.description = definition.description;
    if (definition.parameters !== undefined) fn.parameters = definition.parameters;
    this.tools.set(definition.name, {
      definition: fn,
      handler,
      timeoutMs: options.timeoutMs ?? this.host.defaultTimeoutMs,
    });
    return fn;
  }

  remove(name: string): void {
    this.tools.delete(name);
  }

  /** Calls not answered yet (their items are restored after a reconnect only once answered). */
  pendingIds(): Set<string> {
    return new Set(this.pendingCalls.keys());
  }

  /** Whether any call is waiting for its output. */
  get busy(): boolean {
    return this.pendingCalls.size > 0;
  }

  /** Answers a call by hand (one with no registered handler). */
  sendOutput(callId: string, output: string): void {
    const pending = this.pendingCalls.get(callId);
    this.sendFunctionOutput(callId, output);
    if (pending) {
      this.pendingCalls.delete(callId);
      this.responsesWithOutputs.add(pending.responseId);
      this.maybeContinue(pending.responseId);
    }
  }

  /** `response.function_call_arguments.done`: runs the handler, if there is one. */
  functionCall(ev: FunctionCallArgumentsDoneEvent): void {
    if (this.pendingCalls.has(ev.call_id)) return;
    this.calls++;
    const tool = this.tools.get(ev.name);
    this.pendingCalls.set(ev.call_id, { responseId: ev.response_id, manual: !tool });
    this.host.toolCall({
      callId: ev.call_id,
      name: ev.name,
      itemId: ev.item_id,
      responseId: ev.response_id,
      rawArguments: ev.arguments,
      handled: tool !== undefined,
    });
    if (!tool) return;
    void runTool(
      tool.handler,
      ev.arguments,
      { callId: ev.call_id, name: ev.name },
      tool.timeoutMs,
      this.host.signal,
    ).then((outcome) => {
      if (this.host.closed() || !this.pendingCalls.has(ev.call_id)) return;
      this.pendingCalls.delete(ev.call_id);
      if (outcome.error) this.host.error(outcome.error);
      this.sendFunctionOutput(ev.call_id, outcome.output);
      this.responsesWithOutputs.add(ev.response_id);
      this.host.toolResult({
        callId: ev.call_id,
        name: ev.name,
        output: outcome.output,
        error: outcome.error,
      });
      this.maybeContinue(ev.response_id);
    });
  }

  /** `response.done`: the model continues if this response's calls are all answered. */
  responseDone(responseId: string): void {
    this.doneResponses.add(responseId);
    this.maybeContinue(responseId);
    if (
      !this.responsesWithOutputs.has(responseId) &&
      ![...this.pendingCalls.values()].some((c) => c.responseId === responseId)
    ) {
      this.doneResponses.delete(responseId);
    }
  }

  /** The session was replaced: its responses are over; calls still running get a new response once answered. */
  sessionEnded(): void {
    this.doneResponses.clear();
    this.responsesWithOutputs.clear();
    for (const call of this.pendingCalls.values()) this.doneResponses.add(call.responseId);
  }

  private sendFunctionOutput(callId: string, output: string): void {
    this.host.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: callId, output },
    });
  }

  /** After a response with tool calls is done and all its calls are answered, the model continues. */
  private maybeContinue(responseId: string): void {
    if (!this.doneResponses.has(responseId) || !this.responsesWithOutputs.has(responseId)) return;
    for (const call of this.pendingCalls.values()) if (call.responseId === responseId) return;
    this.responsesWithOutputs.delete(responseId);
    this.doneResponses.delete(responseId);
    this.host.send({ type: 'response.create' });
  }
}
