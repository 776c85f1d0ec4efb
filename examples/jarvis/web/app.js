// Jarvis web UI: microphone (getUserMedia + AudioWorklet) → WebSocket to the audio service, transcripts,
// spoken replies played with Web Audio, a live waveform, session status, and a text chat.
const $ = (id) => document.getElementById(id);
const CHUNK_MS = 100;

/** What the page saw, for people (the status line) and for the browser test. */
const stats = {
  sttResults: [],
  responses: [],
  ttsResults: [],
  errors: [],
  replySamples: 0,
  /** Loudest level measured on the playback path (analyser after the reply audio), dBFS. */
  playedPeakDb: -Infinity,
  micPeakDb: -Infinity,
  /** Rate the microphone is captured and streamed at (the AudioContext's). */
  micRate: 0,
};
window.jarvisStats = stats;

const hash = new URLSearchParams(location.hash.slice(1));
let token = hash.get('token') || sessionStorage.getItem('jarvis-token');
// Echo cancellation keeps Jarvis from hearing its own replies through the speakers; `#raw=1` turns the
// browser's processing off (a fake microphone file, a headset).
const rawMic = hash.get('raw') === '1';
let userId = null;
let audioWsUrl = null;
let coreWs = null;
let audioWs = null;
let mic = null; // { stream, ctx, node, analyser }
let player = null; // { ctx, analyser, playhead, rate }

function setBadge(id, state, text) {
  const el = $(id);
  el.dataset.state = state;
  el.textContent = text;
}

function addLine(kind, text) {
  const li = document.createElement('li');
  li.className = kind;
  li.textContent = `${kind === 'user' ? 'You' : kind === 'jarvis' ? 'Jarvis' : 'Error'}: ${text}`;
  $('transcript').append(li);
  li.scrollIntoView({ block: 'end' });
}

async function api(path) {
  const res = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

function openSocket(url) {
  // Browsers cannot set headers on WebSockets: the token travels as a subprotocol.
  return new WebSocket(url, ['jarvis', `bearer.${token}`]);
}

async function connect() {
  const me = await api('/api/v2/me');
  userId = me.user_id;
  sessionStorage.setItem('jarvis-token', token);
  $('user').textContent = `Signed in as ${userId}`;
  audioWsUrl = (await api('/api/v2/config')).audio_ws_url;

  coreWs = openSocket(`${location.origin.replace(/^http/, 'ws')}/ws/${encodeURIComponent(userId)}`);
  coreWs.onopen = () => setBadge('core-state', 'connected', 'core: connected');
  coreWs.onclose = () => setBadge('core-state', 'offline', 'core: offline');
  coreWs.onmessage = (ev) => {
    const msg = JSON.parse(ev.data);
    if (msg.type === 'chat_response') {
      stats.responses.push(msg.data.response);
      addLine('jarvis', msg.data.response);
    } else if (msg.type === 'error') addLine('error', msg.data.message);
  };

  $('talk').disabled = false;
  $('chat-input').disabled = false;
  $('send').disabled = false;
}

function ensurePlayer(rate) {
  if (player && player.rate === rate) return player;
  const ctx = new AudioContext({ sampleRate: rate });
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 2048;
  analyser.connect(ctx.destination);
  player = { ctx, analyser, playhead: 0, rate, sources: new Set() };
  const buf = new Float32Array(analyser.fftSize);
  const meter = () => {
    analyser.getFloatTimeDomainData(buf);
    let s = 0;
    for (const v of buf) s += v * v;
    const db = 10 * Math.log10(s / buf.length + 1e-20);
    if (db > stats.playedPeakDb) stats.playedPeakDb = db;
  };
  setInterval(meter, 50);
  return player;
}

function playChunk(bytes) {
  if (!player) return;
  const pcm = new Int16Array(bytes);
  stats.replySamples += pcm.length;
  const buffer = player.ctx.createBuffer(1, pcm.length, player.rate);
  const ch = buffer.getChannelData(0);
  for (let i = 0; i < pcm.length; i++) ch[i] = pcm[i] / 32768;
  const src = player.ctx.createBufferSource();
  src.buffer = buffer;
  src.connect(player.analyser);
  player.sources.add(src);
  src.onended = () => player?.sources.delete(src);
  const at = Math.max(player.ctx.currentTime + 0.05, player.playhead);
  src.start(at);
  player.playhead = at + buffer.duration;
}

/** Barge-in: the user started speaking, so stop the reply that is playing. */
function stopPlayback() {
  if (!player) return;
  for (const src of player.sources) src.stop();
  player.sources.clear();
  player.playhead = 0;
}

function openAudioSocket(sampleRate) {
  return new Promise((resolve, reject) => {
    const ws = openSocket(`${audioWsUrl}/ws/audio/${encodeURIComponent(userId)}`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => {
      ws.send(
        JSON.stringify({ type: 'start_streaming', config: { sample_rate: sampleRate, enable_vad: true } }),
      );
    };
    ws.onerror = () => reject(new Error('audio socket failed'));
    ws.onclose = () => {
      setBadge('audio-state', 'offline', 'audio: offline');
      if (audioWs === ws) audioWs = null;
    };
    ws.onmessage = (ev) => {
      if (typeof ev.data !== 'string') {
        playChunk(ev.data);
        return;
      }
      const msg = JSON.parse(ev.data);
      switch (msg.type) {
        case 'streaming_started':
          setBadge('audio-state', 'streaming', 'audio: streaming');
          resolve(ws);
          break;
        case 'streaming_stopped':
          setBadge('audio-state', 'idle', 'audio: idle');
          break;
        case 'vad':
          if (msg.data.event === 'speech_start') stopPlayback();
          setBadge(
            'vad-state',
            msg.data.event === 'speech_start' ? 'speech' : 'idle',
            msg.data.event === 'speech_start' ? 'speech' : 'silence',
          );
          break;
        case 'stt_result':
          stats.sttResults.push(msg.data.text);
          addLine('user', msg.data.text || '(nothing recognised)');
          break;
        case 'response':
          stats.responses.push(msg.data.text);
          addLine('jarvis', msg.data.text);
          break;
        case 'tts_result':
          stats.ttsResults.push(msg.data);
          ensurePlayer(msg.data.sample_rate);
          break;
        case 'error':
          stats.errors.push(msg.data);
          addLine('error', msg.data.message);
          break;
      }
    };
  });
}

function drawWaveform(analyser) {
  const canvas = $('waveform');
  const g = canvas.getContext('2d');
  const data = new Float32Array(analyser.fftSize);
  const draw = () => {
    if (!mic) return;
    analyser.getFloatTimeDomainData(data);
    let s = 0;
    for (const v of data) s += v * v;
    const db = 10 * Math.log10(s / data.length + 1e-20);
    if (db > stats.micPeakDb) stats.micPeakDb = db;
    g.fillStyle = '#0b0e12';
    g.fillRect(0, 0, canvas.width, canvas.height);
    g.strokeStyle = '#4fc3f7';
    g.beginPath();
    for (let i = 0; i < data.length; i++) {
      const x = (i / data.length) * canvas.width;
      const y = (0.5 - data[i] / 2) * canvas.height;
      if (i === 0) g.moveTo(x, y);
      else g.lineTo(x, y);
    }
    g.stroke();
    requestAnimationFrame(draw);
  };
  requestAnimationFrame(draw);
}

async function startTalking() {
  // Browsers expose no microphone outside a secure context (https, or http on localhost / 127.0.0.1).
  if (!window.isSecureContext || !navigator.mediaDevices) {
    throw new Error(
      'no microphone on plain http from another machine: open Jarvis over https or on localhost (README, "Use it for real")',
    );
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    audio: {
      echoCancellation: !rawMic,
      noiseSuppression: !rawMic,
      autoGainControl: !rawMic,
      channelCount: 1,
    },
  });
  const ctx = new AudioContext();
  stats.micRate = ctx.sampleRate;
  await ctx.audioWorklet.addModule('/capture-worklet.js');
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 1024;
  const node = new AudioWorkletNode(ctx, 'jarvis-capture', {
    processorOptions: { chunkSamples: Math.round((ctx.sampleRate * CHUNK_MS) / 1000) },
  });
  const sink = ctx.createGain();
  sink.gain.value = 0;
  source.connect(analyser);
  source.connect(node);
  node.connect(sink).connect(ctx.destination);
  audioWs = await openAudioSocket(ctx.sampleRate);
  ensurePlayer(ctx.sampleRate);
  node.port.onmessage = (ev) => {
    if (audioWs && audioWs.readyState === WebSocket.OPEN) audioWs.send(ev.data);
  };
  mic = { stream, ctx, node, analyser };
  drawWaveform(analyser);
  $('talk').setAttribute('aria-pressed', 'true');
  $('talk').textContent = 'Stop';
}

function stopTalking() {
  if (audioWs && audioWs.readyState === WebSocket.OPEN)
    audioWs.send(JSON.stringify({ type: 'stop_streaming' }));
  if (mic) {
    for (const t of mic.stream.getTracks()) t.stop();
    void mic.ctx.close();
  }
  mic = null;
  $('talk').setAttribute('aria-pressed', 'false');
  $('talk').textContent = 'Talk';
}

$('talk').addEventListener('click', () => {
  if (mic) stopTalking();
  else startTalking().catch((err) => addLine('error', err.message));
});

$('chat').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text) return;
  $('chat-input').value = '';
  addLine('user', text);
  // With a live audio session the reply is also spoken; otherwise the core socket answers in text.
  if (audioWs && audioWs.readyState === WebSocket.OPEN) audioWs.send(JSON.stringify({ type: 'text', text }));
  else if (coreWs && coreWs.readyState === WebSocket.OPEN)
    coreWs.send(JSON.stringify({ type: 'chat', message: text }));
});

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  token = $('token').value.trim();
  $('login').hidden = true;
  connect().catch((err) => addLine('error', err.message));
});

if (token) connect().catch((err) => addLine('error', err.message));
else $('login').hidden = false;
