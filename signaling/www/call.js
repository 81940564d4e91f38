// Minimal Confab call client: one publish and one subscribe RTCPeerConnection
// per participant, signaled over the JSON protocol in docs/protocol.md, on a
// WebSocket or, when that cannot connect, HTTP long-poll (transport.js;
// `?transport=longpoll` or `?transport=websocket` in the URL forces one).

import { connectTransport } from './transport.js';

const statusEl = document.getElementById('status');
const callEl = document.getElementById('call');
const unmuteBtn = document.getElementById('unmute');

// Tests drive the page through this object; keep its shape stable.
const confab = {
  peerId: null,
  publishPc: null,
  subscribePc: null,
  peers: new Map(), // peer id -> { id, name }
  events: [], // every received event, without its sdp, with `at` (performance.now())
  tracks: [], // the latest track list from an `offer` or `tracks` event
  received: [], // every remote track seen: { track, stream, streamId, mid, at, endedAt, removedAt }
  joinedAt: null,
  errors: [],
  ws: null, // the WebSocket, when that is the transport
  transport: null, // 'websocket' or 'longpoll' once connected
  localStream: null,
};
window.confab = confab;

function setStatus(text, isError = false) {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

function fail(where, err) {
  const text = `${where}: ${err && err.message ? err.message : err}`;
  confab.errors.push(text);
  console.error(text);
  setStatus(text, true);
}

// ---- signaling -------------------------------------------------------------

let nextId = 1;
const pending = new Map(); // request id -> { resolve, reject }
let conn = null; // the transport (transport.js)

function request(type, fields = {}) {
  const id = nextId++;
  const msg = JSON.stringify({ type, id, ...fields });
  return new Promise((resolve, reject) => {
    if (!conn || !conn.open) {
      reject(new Error('not connected'));
      return;
    }
    pending.set(id, { resolve, reject });
    conn.send(msg);
  });
}

function onMessage(msg) {
  if (msg.type === 'reply' || msg.type === 'error') {
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.type === 'reply') p.resolve(msg.data || {});
    else p.reject(Object.assign(new Error(`${msg.code}: ${msg.message}`), { code: msg.code }));
    return;
  }
  const { sdp, ...logged } = msg;
  confab.events.push({ ...logged, at: performance.now() });
  const handler = eventHandlers[msg.type];
  if (handler) handler(msg);
}

function onClosed({ code, reason }) {
  for (const p of pending.values()) p.reject(new Error('connection closed'));
  pending.clear();
  setStatus(`disconnected${reason ? `: ${reason}` : ''}`, code !== 1000);
}

async function connect() {
  const mode = new URLSearchParams(location.search).get('transport');
  const handlers = {
    message: onMessage,
    closed: onClosed,
    invalid: (err) => fail('bad message from server', err),
  };
  conn = await connectTransport(handlers, mode);
  confab.transport = conn.name;
  confab.ws = conn.ws || null;
}

// ---- ICE trickling ---------------------------------------------------------

// Local candidates are held back until the server knows the transport (its
// reply to the first publish / answer), then sent in order.
function trickleLocal(pc, transport) {
  const held = [];
  let open = false;
  const send = (c) =>
    request('candidate', { transport, candidate: c ? c.toJSON() : null }).catch((err) =>
      fail(`${transport} candidate`, err),
    );
  pc.onicecandidate = (e) => (open ? send(e.candidate) : held.push(e.candidate));
  return () => {
    if (open) return;
    open = true;
    held.splice(0).forEach(send);
  };
}

// Work on one connection (negotiations, remote candidates) runs strictly in
// order so that candidates never precede the description they belong to.
function serialQueue() {
  let tail = Promise.resolve();
  return (job, what) => {
    tail = tail.then(job).catch((err) => fail(what, err));
    return tail;
  };
}

const publishQueue = serialQueue();
const subscribeQueue = serialQueue();

function addRemoteCandidate(pc, candidate) {
  // An empty argument means end-of-candidates.
  return candidate ? pc.addIceCandidate(candidate) : pc.addIceCandidate();
}

// ---- tiles -----------------------------------------------------------------

const tiles = new Map(); // publisher peer id -> { el, video, stream }

function peerName(id) {
  const p = confab.peers.get(id);
  return p ? p.name : id;
}

function playVideo(video) {
  video.play().catch(() => {
    // Autoplay with sound was refused: play muted until the user opts in.
    video.muted = true;
    video.play().catch(() => {});
    unmuteBtn.hidden = false;
  });
}

function showTile(stream) {
  let tile = tiles.get(stream.id);
  if (!tile) {
    const el = document.createElement('div');
    el.className = 'tile';
    el.dataset.peer = stream.id;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const label = document.createElement('span');
    label.textContent = peerName(stream.id);
    el.append(video, label);
    callEl.append(el);
    tile = { el, video, label, stream };
    tiles.set(stream.id, tile);
  }
  if (tile.video.srcObject !== stream) {
    tile.stream = stream;
    tile.video.srcObject = stream;
    playVideo(tile.video);
  }
}

function removeTile(peerId) {
  const tile = tiles.get(peerId);
  if (!tile) return;
  tile.video.srcObject = null;
  tile.el.remove();
  tiles.delete(peerId);
}

function dropTileIfEmpty(stream) {
  const live = stream.getTracks().some((t) => t.readyState === 'live');
  if (!live) removeTile(stream.id);
}

function onRemoteTrack(e) {
  const track = e.track;
  const stream = e.streams[0];
  if (!stream) return; // the server always names the publisher's stream
  const entry = {
    track,
    stream,
    streamId: stream.id,
    mid: e.transceiver ? e.transceiver.mid : null,
    at: performance.now(),
    endedAt: null,
    removedAt: null,
  };
  confab.received.push(entry);
  track.addEventListener('ended', () => {
    entry.endedAt = performance.now();
    dropTileIfEmpty(stream);
  });
  stream.onremovetrack = (ev) => {
    const r = confab.received.find((x) => x.track === ev.track);
    if (r && r.removedAt === null) r.removedAt = performance.now();
    dropTileIfEmpty(stream);
  };
  showTile(stream);
}

unmuteBtn.onclick = () => {
  for (const t of tiles.values()) {
    t.video.muted = false;
    t.video.play().catch(() => {});
  }
  unmuteBtn.hidden = true;
};

// ---- events ----------------------------------------------------------------

const eventHandlers = {
  offer(msg) {
    confab.tracks = msg.tracks || [];
    subscribeQueue(() => answerOffer(msg.sdp), 'subscribe offer');
  },
  tracks(msg) {
    confab.tracks = msg.tracks || [];
    const publishing = new Set(confab.tracks.map((t) => t.peer_id));
    for (const id of [...tiles.keys()]) if (!publishing.has(id)) removeTile(id);
  },
  candidate(msg) {
    if (msg.transport === 'publish') {
      publishQueue(() => addRemoteCandidate(confab.publishPc, msg.candidate), 'publish candidate');
    } else if (msg.transport === 'subscribe') {
      subscribeQueue(() => addRemoteCandidate(confab.subscribePc, msg.candidate), 'subscribe candidate');
    }
  },
  peer_joined(msg) {
    confab.peers.set(msg.peer.id, { id: msg.peer.id, name: msg.peer.name });
    const tile = tiles.get(msg.peer.id);
    if (tile) tile.label.textContent = msg.peer.name;
  },
  peer_left(msg) {
    confab.peers.delete(msg.peer_id);
    removeTile(msg.peer_id);
  },
  transport_state(msg) {
    if (msg.state !== 'connected') setStatus(`${msg.transport} connection ${msg.state}`, true);
  },
};

let openSubscribeTrickle = null;

async function answerOffer(sdp) {
  const pc = confab.subscribePc;
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  await request('answer', { sdp: pc.localDescription.sdp });
  openSubscribeTrickle();
}

// ---- join and publish ------------------------------------------------------

function makePc(iceServers) {
  return new RTCPeerConnection({ iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' });
}

async function publish(stream, openTrickle) {
  const pc = confab.publishPc;
  for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
  await pc.setLocalDescription(await pc.createOffer());
  const reply = await request('publish', { sdp: pc.localDescription.sdp });
  await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  openTrickle();
}

// ICE restart after a network change (docs/protocol.md): the publish side
// restarts with a new offer carrying new credentials, the subscribe side by
// asking the server for a new offer. DTLS and the media keys stay.
async function restartIce() {
  await publishQueue(async () => {
    const pc = confab.publishPc;
    await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
    const reply = await request('publish', { sdp: pc.localDescription.sdp });
    await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
  }, 'publish ICE restart');
  await request('restart_ice', { transport: 'subscribe' });
}
confab.restartIce = restartIce;

async function start(room, name) {
  callEl.hidden = false;
  setStatus('connecting…');
  // Ask for the camera while the socket connects; both take a moment.
  const media = navigator.mediaDevices.getUserMedia({
    audio: true,
    video: { width: 320, height: 240, frameRate: 15 },
  });
  media.catch(() => {}); // reported below, after join
  await connect();
  const joined = await request('join', { room, name });
  confab.joinedAt = performance.now();
  confab.peerId = joined.peer_id;
  for (const p of joined.peers || []) confab.peers.set(p.id, { id: p.id, name: p.name });
  const iceServers = joined.ice_servers || [];

  confab.subscribePc = makePc(iceServers);
  confab.subscribePc.ontrack = onRemoteTrack;
  openSubscribeTrickle = trickleLocal(confab.subscribePc, 'subscribe');

  confab.publishPc = makePc(iceServers);
  const openPublishTrickle = trickleLocal(confab.publishPc, 'publish');
  setStatus(`in room ${joined.room} as ${name}`);

  const stream = await media;
  confab.localStream = stream;
  document.getElementById('self').srcObject = stream;
  await publishQueue(() => publish(stream, openPublishTrickle), 'publish');
}

function showForm() {
  const form = document.getElementById('join');
  form.hidden = false;
  setStatus('choose a room');
  const params = new URLSearchParams(location.search);
  form.room.value = params.get('room') || '';
  form.name.value = params.get('name') || '';
}

addEventListener('pagehide', () => {
  if (conn && conn.open) conn.sendOnUnload(JSON.stringify({ type: 'leave', id: nextId++ }));
});

const params = new URLSearchParams(location.search);
const room = params.get('room');
const name = params.get('name');
if (room && name) start(room, name).catch((err) => fail('join', err));
else showForm();
