import type { ChatReply } from './chat.js';
import { JarvisError } from './errors.js';

/** How the audio service talks to the core service: chat on behalf of a user, and the voice grammar. */
export class CoreClient {
  constructor(
    private readonly baseUrl: () => string | undefined,
    private readonly timeoutMs = 15000,
  ) {}

  /** Sends a transcript to `POST /api/v2/chat` with the user's own token (so the core sees that user). */
  async chat(token: string, message: string, signal: AbortSignal): Promise<ChatReply> {
    const res = await this.request('/api/v2/chat', token, signal, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message, source: 'voice' }),
    });
    return (await res.json()) as ChatReply;
  }

  /** The JSGF grammar of what the core's enabled plugins understand aloud. */
  async grammar(token: string, signal: AbortSignal): Promise<string> {
    const res = await this.request('/api/v2/voice/grammar', token, signal, { method: 'GET' });
    return res.text();
  }

  private async request(
    path: string,
    token: string,
    signal: AbortSignal,
    init: RequestInit,
  ): Promise<Response> {
    const base = this.baseUrl();
    if (!base) throw new JarvisError('CORE_UNAVAILABLE', 'no core service is configured');
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new JarvisError('CORE_UNAVAILABLE', `core service unreachable: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const body = await res.text().catch(() => '');
      throw new JarvisError('CORE_UNAVAILABLE', `core service answered ${res.status}: ${body.slice(0, 200)}`);
    }
    return res;
  }
}
