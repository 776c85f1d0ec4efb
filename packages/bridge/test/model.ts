// The model side of the bridge tests: a RealtimeClient to the local realtime server, with server VAD (or
// none) and, when asked, an `order_status` tool whose calls are recorded.
import { RealtimeClient } from '@voxwire/realtime-client';

export interface TestModelOptions {
  instructions?: string;
  /** Server VAD as the tests use it (default), or no turn detection. */
  turnDetection?: 'server' | 'off';
  /** Register `order_status`; each call's arguments are pushed here and it answers "shipped". */
  toolCalls?: unknown[];
}

export function testModel(url: string, options: TestModelOptions = {}): RealtimeClient {
  const realtime = new RealtimeClient({
    url,
    reconnect: false,
    session: {
      ...(options.instructions ? { instructions: options.instructions } : {}),
      audio: {
        input: {
          turn_detection:
            options.turnDetection === 'off'
              ? null
              : { type: 'server_vad', silence_duration_ms: 400, interrupt_response: true },
        },
      },
    },
  });
  const calls = options.toolCalls;
  if (calls) {
    realtime.addTool(
      {
        name: 'order_status',
        description: 'Status of an order',
        parameters: { type: 'object', properties: { order: { type: 'string' } } },
      },
      (args) => {
        calls.push(args);
        return { status: 'shipped' };
      },
    );
  }
  return realtime;
}
