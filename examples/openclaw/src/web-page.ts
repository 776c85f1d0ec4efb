// OpenClaw's call page: the webrtc package's browser client, told where to signal (SIGNALING_URL, or this
// page's own origin) and which STUN/TURN servers to use (the ICE_* variables), which the package's generic
// demo page cannot know.
import type { IceServer } from '@voxwire/webrtc';

/** What the page receives from the server. */
export interface PageConfig {
  /** Signaling URL; `undefined`: the page's own origin, path `/webrtc` (ws or wss like the page). */
  signalingUrl?: string;
  iceServers: IceServer[];
}

/** A JSON value that is also safe inside an HTML `<script>` element. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v).replace(/</g, '\\u003c');
}

/**
 * The page: `window.openclaw` holds the configuration and `window.voxwire` the client; "Call" connects the
 * microphone and plays what OpenClaw sends back.
 */
export function openClawPage(config: PageConfig): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>OpenClaw</title></head>
<body>
<h1>OpenClaw</h1>
<p><button id="call">Call</button> <span id="status">idle</span></p>
<script type="module">
import * as voxwire from '/webrtc/client.js';
const config = ${scriptJson(config)};
config.signalingUrl ??= (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/webrtc';
window.openclaw = config;
window.voxwire = voxwire;
// One button: Call, then Hang up.
const [button, status] = ['call', 'status'].map((id) => document.getElementById(id));
const show = (text) => { status.textContent = text; };
let call;
button.onclick = async () => {
  if (call) return void (call.close(), (call = undefined), (button.textContent = 'Call'));
  button.disabled = true;
  try {
    if (!window.isSecureContext) throw new Error('no microphone on an insecure origin: serve this page over https');
    // The client asks for the microphone and plays the answer through an audio element of its own.
    call = await voxwire.connect({ url: config.signalingUrl, iceServers: config.iceServers, onState: show });
    button.textContent = 'Hang up';
  } catch (err) {
    show('error: ' + err.message);
  }
  button.disabled = false;
};
</script>
</body>
</html>
`;
}
