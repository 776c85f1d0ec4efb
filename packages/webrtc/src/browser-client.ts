import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the browser client (`browser/voxwire-webrtc.js`, an ES module), for apps that serve it
 * themselves. The signaling server serves it at `<path>/client.js`.
 */
export const browserClientPath: string = fileURLToPath(
  new URL('../browser/voxwire-webrtc.js', import.meta.url),
);

/** A JS string literal that is also safe inside an HTML `<script>` element. */
function scriptString(s: string): string {
  return JSON.stringify(s).replace(/</g, '\\u003c');
}

/**
 * A minimal page that loads the browser client and exposes it as `window.voxwire`; a "Call" button connects
 * the microphone to the signaling endpoint at `signalingPath` and plays the remote audio.
 * @param clientUrl - URL of the client module, relative to the page
 * @param signalingPath - path of the signaling WebSocket on the same host
 */
export function browserDemoPage(clientUrl: string, signalingPath: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>voxwire WebRTC</title></head>
<body>
<button id="call">Call</button> <button id="hangup" disabled>Hang up</button> <span id="status">idle</span>
<script type="module">
import * as voxwire from ${scriptString(clientUrl)};
window.voxwire = voxwire;
const status = document.getElementById('status');
const callButton = document.getElementById('call');
const hangupButton = document.getElementById('hangup');
let call;
callButton.onclick = async () => {
  callButton.disabled = true;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + ${scriptString(signalingPath)};
  try {
    call = await voxwire.connect({ url, onState: (s) => { status.textContent = s; } });
    hangupButton.disabled = false;
  } catch (err) {
    status.textContent = 'error: ' + err.message;
    callButton.disabled = false;
  }
};
hangupButton.onclick = () => { call?.close(); hangupButton.disabled = true; callButton.disabled = false; };
window.dispatchEvent(new Event('voxwire-ready'));
</script>
</body>
</html>
`;
}
