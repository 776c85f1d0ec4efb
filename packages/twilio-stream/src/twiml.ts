import { TwilioStreamError } from './errors.js';

/** Options of {@link twiml.connectStream}. */
export interface ConnectStreamOptions {
  /** The `wss://` URL of your media-stream server; Twilio does not allow a query string. */
  url: string;
  /** Values delivered to your server in `start.customParameters`. */
  parameters?: Record<string, string>;
  /** Optional stream name. */
  name?: string;
  /** Optional URL for stream status callbacks. */
  statusCallback?: string;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** TwiML builders. */
export const twiml = {
  /**
   * `<Response><Connect><Stream url="…"><Parameter …/></Stream></Connect></Response>`: connects the call to a
   * bidirectional media stream.
   * @throws TwilioStreamError `INVALID_ARGUMENT` when `url` is not `wss://` or carries a query string
   */
  connectStream(options: ConnectStreamOptions): string {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `stream url is not a URL: ${JSON.stringify(options.url)}`,
      );
    }
    if (parsed.protocol !== 'wss:') {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        `stream url must be wss:// (Twilio only connects over TLS), got ${parsed.protocol}//`,
      );
    }
    if (parsed.search !== '' || options.url.includes('?')) {
      throw new TwilioStreamError(
        'INVALID_ARGUMENT',
        'stream url must not carry a query string (Twilio drops it); pass values as parameters',
      );
    }
    const attrs = [`url="${escapeXml(options.url)}"`];
    if (options.name !== undefined) attrs.push(`name="${escapeXml(options.name)}"`);
    if (options.statusCallback !== undefined)
      attrs.push(`statusCallback="${escapeXml(options.statusCallback)}"`);
    const params = Object.entries(options.parameters ?? {})
      .map(([k, v]) => `<Parameter name="${escapeXml(k)}" value="${escapeXml(String(v))}"/>`)
      .join('');
    const stream = params ? `<Stream ${attrs.join(' ')}>${params}</Stream>` : `<Stream ${attrs.join(' ')}/>`;
    return `<?xml version="1.0" encoding="UTF-8"?><Response><Connect>${stream}</Connect></Response>`;
  },
};
