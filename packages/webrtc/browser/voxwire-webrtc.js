// @voxwire/webrtc browser client: connects the microphone to a voxwire signaling server and plays the
// agent's audio. Plain ES module, no dependencies; served by the signaling server at `<path>/client.js`.

/**
 * @typedef {object} ConnectOptions
 * @property {string} url - signaling WebSocket URL, e.g. `ws://127.0.0.1:8765/webrtc`
 * @property {MediaStream} [stream] - audio to send; default: the microphone via getUserMedia
 * @property {boolean | MediaTrackConstraints} [audio] - getUserMedia audio constraints (when no `stream`)
 * @property {RTCIceServer[]} [iceServers] - STUN/TURN servers
 * @property {RTCIceTransportPolicy} [iceTransportPolicy] - `'relay'` sends only through the TURN servers in
 *   `iceServers` (hides the browser's addresses from the server; needs a TURN server); default `'all'`
 * @property {string} [id] - session id; random by default
 * @property {boolean} [trickle] - send ICE candidates as they are found (default true); false waits for
 *   gathering to complete and puts them all in the offer
 * @property {HTMLAudioElement | null} [audioElement] - where to play the agent; default: a new hidden
 *   element; `null` to not play
 * @property {(state: string) => void} [onState] - connection state changes
 * @property {(err: Error) => void} [onError] - errors reported by the server after the call is up
 * @property {number} [timeoutMs] - give up when no answer arrives within this time (default 15000)
 */

/**
 * @typedef {object} Call
 * @property {string} id - session id
 * @property {RTCPeerConnection} pc
 * @property {WebSocket} ws
 * @property {MediaStream} localStream
 * @property {MediaStream} remoteStream - the agent's audio (also playing in `audioElement`)
 * @property {HTMLAudioElement | null} audioElement
 * @property {() => void} close - says `bye`, closes the connection and stops the microphone
 */

function randomId() {
  return (
    globalThis.crypto?.randomUUID?.() ?? `s${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  );
}

function openSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot open signaling WebSocket ${url}`));
  });
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
  });
}

/**
 * Calls the server: sends the microphone (or `stream`) and plays what the server sends back.
 * @param {ConnectOptions} options
 * @returns {Promise<Call>} resolves once the server has answered and remote audio is attached
 */
export async function connect(options) {
  const {
    url,
    iceServers = [],
    iceTransportPolicy = 'all',
    trickle = true,
    onState,
    onError,
    timeoutMs = 15000,
  } = options;
  if (iceTransportPolicy !== 'all' && iceTransportPolicy !== 'relay') {
    throw new TypeError(`iceTransportPolicy must be 'all' or 'relay', got ${String(iceTransportPolicy)}`);
  }
  const id = options.id ?? randomId();
  const localStream =
    options.stream ??
    (await navigator.mediaDevices.getUserMedia({ audio: options.audio ?? true, video: false }));
  const ws = await openSocket(url);
  const pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
  const remoteStream = new MediaStream();
  let audioElement = options.audioElement;
  if (audioElement === undefined) {
    audioElement = document.createElement('audio');
    audioElement.autoplay = true;
    audioElement.style.display = 'none';
    document.body.appendChild(audioElement);
  }
  let closed = false;
  const send = (msg) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
  };

  const close = () => {
    if (closed) return;
    closed = true;
    send({ type: 'bye', id });
    pc.close();
    ws.close();
    if (!options.stream) for (const t of localStream.getTracks()) t.stop();
    onState?.('closed');
  };

  for (const track of localStream.getAudioTracks()) pc.addTrack(track, localStream);
  pc.ontrack = (ev) => {
    remoteStream.addTrack(ev.track);
    // Chromium's WebAudio hears silence from a remote stream that is not also attached to a media element.
    if (audioElement) {
      audioElement.srcObject = remoteStream;
      audioElement.play().catch(() => {});
    }
  };
  pc.onconnectionstatechange = () => onState?.(pc.connectionState);
  if (trickle) {
    pc.onicecandidate = (ev) =>
      send({ type: 'candidate', id, candidate: ev.candidate ? ev.candidate.toJSON() : null });
  }

  const answered = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no answer from ${url} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    ws.onmessage = async (ev) => {
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      if (msg.id !== undefined && msg.id !== id) return;
      if (msg.type === 'answer') {
        clearTimeout(timer);
        try {
          await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
          resolve();
        } catch (err) {
          reject(err);
        }
      } else if (msg.type === 'candidate' && msg.candidate) {
        pc.addIceCandidate(msg.candidate).catch((err) => onError?.(err));
      } else if (msg.type === 'bye') {
        close();
      } else if (msg.type === 'error') {
        const err = new Error(`${msg.code}: ${msg.message}`);
        clearTimeout(timer);
        reject(err);
        onError?.(err);
      }
    };
    ws.onclose = () => {
      clearTimeout(timer);
      reject(new Error('signaling connection closed'));
      if (!closed) {
        closed = true;
        pc.close();
        onState?.('closed');
      }
    };
  });

  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  if (!trickle) await gatheringComplete(pc);
  send({ type: 'offer', id, sdp: pc.localDescription.sdp });
  try {
    await answered;
  } catch (err) {
    close();
    throw err;
  }
  return { id, pc, ws, localStream, remoteStream, audioElement, close };
}
