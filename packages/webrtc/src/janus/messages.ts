/** JSON of the Janus API, as far as the client needs it. Field names are Janus'. */

/** A session description carried next to a Janus message. */
export interface JanusJsep {
  type: 'offer' | 'answer';
  sdp: string;
}

/** Any message Janus sends over the WebSocket. */
export interface JanusIncoming {
  janus: string;
  transaction?: string;
  session_id?: number;
  sender?: number;
  data?: { id?: number; [k: string]: unknown };
  error?: { code: number; reason: string };
  plugindata?: { plugin: string; data: JanusPluginData };
  jsep?: JanusJsep;
  reason?: string;
  [k: string]: unknown;
}

/** A plugin's response or event payload (`plugindata.data`). */
export interface JanusPluginData {
  error_code?: number;
  error?: string;
  [k: string]: unknown;
}

/** A plugin response: its data and, for negotiation, the SDP Janus sent. */
export interface JanusPluginResponse {
  data: JanusPluginData;
  jsep: JanusJsep | undefined;
}
