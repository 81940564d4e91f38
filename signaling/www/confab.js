// The Confab client library: join a room, publish and receive media, chat,
// and stay connected through network trouble and server restarts. App code
// never touches SDP. docs/client.md documents the API; docs/protocol.md the
// messages it speaks.
//
//   import { Confab, listRooms } from '/confab.js';
//
// One Confab is one participant: one signaling connection (WebSocket, or
// HTTP long-poll where that cannot connect; transport.js) and two
// RTCPeerConnections, publish (the browser offers) and subscribe (the
// server offers).

import { connectTransport } from './transport.js';
import { inboundSample, judgeQuality } from './quality.js';

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10000;
const QUALITY_EVERY_MS = 2000;
const LEAVE_WAIT_MS = 2000;
const SOURCE_RE = /^[a-z0-9_-]{1,16}$/;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function codedError(code, message) {
  return Object.assign(new Error(message || code), { code });
}

// Runs jobs strictly one after the other; a failed job does not stop the
// ones behind it. Returns the job's own promise.
function serialQueue() {
  let tail = Promise.resolve();
  return (job) => {
    const run = tail.then(job);
    tail = run.catch(() => {});
    return run;
  };
}

// The public rooms with their member counts: [{name, peers}].
export async function listRooms(base = '') {
  const r = await fetch(`${base}/api/rooms`, { cache: 'no-store' });
  if (!r.ok) throw codedError('http_error', `GET /api/rooms: HTTP ${r.status}`);
  return (await r.json()).rooms || [];
}

export class Confab {
  constructor({ transport = 'auto', base = '', leaveOnUnload = true } = {}) {
    this.options = { transport, base, leaveOnUnload };
    this.state = 'idle';
    this.peerId = null;
    this.room = null;
    this.name = null;
    this.peers = new Map();
    this.chat = [];
    this.publishPc = null;
    this.subscribePc = null;
    this.connection = null; // the transport object (transport.js)
    this._listeners = new Map();
    this._locals = []; // LocalTrack, in publish order
    this._pending = new Map(); // request id -> { resolve, reject }
    this._nextId = 1;
    this._gen = 0; // bumped whenever the peer connections are replaced
    this._token = null;
    this._iceServers = [];
    this._roomTracks = new Map(); // track id -> { muted, source }
    this._chatSeen = new Set();
    this._waiters = []; // { resolve, reject, gen } waiting for 'connected'
    this._holding = false; // events wait in _held until a join/resume reply is applied
    this._held = [];
    this._left = false;
    this._onPageHide = () => this._sayLeaveOnUnload();
  }

  get transportName() {
    return this.connection ? this.connection.name : null;
  }

  // ---- events ----------------------------------------------------------

  on(name, fn) {
    if (!this._listeners.has(name)) this._listeners.set(name, new Set());
    this._listeners.get(name).add(fn);
    return this;
  }

  off(name, fn) {
    const set = this._listeners.get(name);
    if (set) set.delete(fn);
    return this;
  }

  _emit(name, detail) {
    for (const fn of [...(this._listeners.get(name) || [])]) {
      try {
        fn(detail);
      } catch (err) {
        console.error(`confab: a '${name}' listener threw`, err);
      }
    }
  }

  _error(code, err) {
    if (this.state === 'closed') return;
    const message = err && err.message ? err.message : String(err);
    console.warn(`confab: ${code}: ${message}`);
    this._emit('error', { code, message });
  }

  _setState(state, extra = {}) {
    this.state = state;
    this._emit('state', { state, ...extra });
    if (state === 'connected' || state === 'closed') {
      for (const w of this._waiters.splice(0)) {
        if (state === 'connected' && w.gen === this._gen) w.resolve();
        else w.reject(codedError(state === 'closed' ? 'closed' : 'rejoined'));
      }
    }
  }

  // Resolves when signaling is connected again for the same peer
  // connections; rejects when they were replaced (rejoin) or on leave.
  _whenConnected(gen) {
    if (gen !== this._gen) return Promise.reject(codedError('rejoined'));
    if (this.state === 'connected') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(codedError('closed'));
    return new Promise((resolve, reject) => this._waiters.push({ resolve, reject, gen }));
  }

  // ---- signaling -------------------------------------------------------

  async _connect() {
    const me = {};
    this._connId = me;
    // Events that come with or right after the join (or resume) reply wait
    // until the reply is applied: a long-poll answer carries them together.
    this._holding = true;
    this._held = [];
    const handlers = {
      message: (msg) => this._connId === me && this._onMessage(msg),
      closed: (info) => this._connId === me && this._onClosed(info),
      invalid: (err) => this._connId === me && this._error('bad_message', err),
    };
    let conn;
    try {
      conn = await connectTransport(handlers, this.options.transport, this.options.base);
    } catch (err) {
      throw codedError('unreachable', `cannot reach the server: ${err.message}`);
    }
    if (this._connId !== me) {
      conn.close();
      throw codedError('closed');
    }
    this.connection = conn;
    return conn;
  }

  // One request, one answer; rejects with .code 'disconnected' if the
  // connection is lost first.
  _send(type, fields = {}) {
    const conn = this.connection;
    if (!conn || !conn.open) return Promise.reject(codedError('disconnected', 'not connected'));
    const id = this._nextId++;
    return new Promise((resolve, reject) => {
      this._pending.set(id, { resolve, reject });
      conn.send(JSON.stringify({ type, id, ...fields }));
    });
  }

  // Like _send, but a request lost to a dropped connection is sent again
  // once the session is resumed (docs/protocol.md, Resume).
  async _request(type, fields, gen = this._gen) {
    for (;;) {
      await this._whenConnected(gen);
      try {
        return await this._send(type, fields);
      } catch (err) {
        if (err.code !== 'disconnected' || this._left) throw err;
      }
    }
  }

  _onMessage(msg) {
    this._emit('message', { msg });
    if (msg.type === 'reply' || msg.type === 'error') {
      const p = this._pending.get(msg.id);
      if (!p) return;
      this._pending.delete(msg.id);
      if (msg.type === 'reply') p.resolve(msg.data || {});
      else p.reject(codedError(msg.code, msg.message));
      return;
    }
    if (this._holding) {
      this._held.push(msg);
      return;
    }
    const handler = EVENTS[msg.type];
    if (handler) handler.call(this, msg);
  }

  _release() {
    this._holding = false;
    for (const msg of this._held.splice(0)) {
      const handler = EVENTS[msg.type];
      if (handler) handler.call(this, msg);
    }
  }

  _onClosed({ code, reason }) {
    this.connection = null;
    this._connId = null;
    this._rejectPending('disconnected', 'connection closed');
    // While joining, join() itself reports the failure.
    if (this._left || ['closed', 'idle', 'connecting'].includes(this.state)) return;
    if (code === 4002) {
      // Another connection resumed this session: that one is the call now.
      this._error('session_taken', new Error(reason || 'resumed on another connection'));
      this._teardown();
      return;
    }
    this._reconnect();
  }

  // ---- join, reconnect, leave -------------------------------------------

  async join(room, name) {
    if (this.state !== 'idle' && this.state !== 'closed') throw codedError('already_joined', 'already in a call');
    this.room = room;
    this.name = name;
    this._left = false;
    this._setState('connecting');
    let reply;
    try {
      await this._connect();
      reply = await this._send('join', { room, name });
    } catch (err) {
      if (this.connection) this.connection.close();
      this._teardown();
      throw err.code === 'disconnected' ? codedError('unreachable', err.message) : err;
    }
    this._startSession(reply);
    for (const m of reply.chat || []) this._chatSeen.add(chatKey(m));
    this.chat = [...(reply.chat || [])];
    if (this.options.leaveOnUnload) addEventListener('pagehide', this._onPageHide);
    this._qualityTimer = setInterval(() => this._sampleQuality(), QUALITY_EVERY_MS);
    this._setState('connected');
    this._release();
    if (this._locals.length) this._negotiate().catch((err) => this._negotiationFailed(err));
    return { peerId: this.peerId, room: this.room, peers: [...this.peers.values()], chat: [...this.chat] };
  }

  // A join reply: a new peer id and new peer connections.
  _startSession(reply) {
    this.peerId = reply.peer_id;
    this._token = reply.resume_token || null;
    this._iceServers = reply.ice_servers || [];
    this.peers = new Map();
    for (const p of reply.peers || []) this.peers.set(p.id, newPeer(p.id, p.name));
    this._setRoomTracks(reply.room_tracks || [], false);
    this._makePeerConnections();
  }

  _makePeerConnections() {
    const config = { iceServers: this._iceServers, bundlePolicy: 'max-bundle', rtcpMuxPolicy: 'require' };
    const gen = this._gen;
    this.publishPc = new RTCPeerConnection(config);
    this.subscribePc = new RTCPeerConnection(config);
    this._publishQueue = serialQueue();
    this._subscribeQueue = serialQueue();
    this._negQueued = null;
    this._streams = new WeakMap(); // receiver track -> the publisher's MediaStream
    this._qualityPrev = new Map();
    this._publishTrickle = this._trickle(this.publishPc, 'publish', gen);
    this._subscribeTrickle = this._trickle(this.subscribePc, 'subscribe', gen);
    this.subscribePc.ontrack = (e) => {
      if (e.streams[0]) this._streams.set(e.track, e.streams[0]);
    };
    for (const pc of [this.publishPc, this.subscribePc]) {
      pc.onconnectionstatechange = () => {
        if (pc.connectionState === 'failed' && gen === this._gen) this._restartIceSoon();
      };
    }
    for (const local of this._locals) this._attachLocal(local);
  }

  _closePeerConnections() {
    this._gen++;
    for (const pc of [this.publishPc, this.subscribePc]) {
      if (!pc) continue;
      pc.onconnectionstatechange = null;
      pc.ontrack = null;
      pc.onicecandidate = null;
      pc.close();
    }
    for (const w of this._waiters.splice(0)) w.reject(codedError('rejoined'));
  }

  // Exponential backoff with jitter until the session is back: resumed
  // when the server still knows it, joined again otherwise.
  async _reconnect() {
    if (this._reconnecting) return;
    this._reconnecting = true;
    try {
      for (let attempt = 1; !this._left; attempt++) {
        const base = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1));
        const retryInMs = Math.round(base * (0.75 + Math.random() * 0.5));
        this._setState('reconnecting', { attempt, retryInMs });
        await sleep(retryInMs);
        if (this._left) return;
        if (await this._reconnectOnce()) return;
      }
    } finally {
      this._reconnecting = false;
    }
  }

  async _reconnectOnce() {
    try {
      await this._connect();
      if (this._token) {
        try {
          this._resumed(await this._send('resume', { token: this._token }));
          return true;
        } catch (err) {
          if (err.code !== 'resume_failed') throw err;
        }
      }
      await this._rejoin();
      return true;
    } catch (err) {
      if (err.code !== 'unreachable' && err.code !== 'disconnected') this._error(err.code || 'reconnect', err);
      if (this.connection) this.connection.close();
      this.connection = null;
      this._connId = null;
      return false;
    }
  }

  _resumed(reply) {
    this._token = reply.resume_token || this._token;
    const servers = reply.ice_servers || [];
    if (JSON.stringify(servers) !== JSON.stringify(this._iceServers)) {
      this._iceServers = servers;
      for (const pc of [this.publishPc, this.subscribePc]) {
        try {
          pc.setConfiguration({ ...pc.getConfiguration(), iceServers: servers });
        } catch (err) {
          this._error('ice_servers', err); // the old ones stay in use
        }
      }
    }
    const now = new Map((reply.peers || []).map((p) => [p.id, p]));
    for (const id of [...this.peers.keys()]) if (!now.has(id)) this._peerLeft(id, 'disconnected');
    for (const p of now.values()) this._peerJoined(p);
    this._setRoomTracks(reply.room_tracks || [], true);
    this._mergeChat(reply.chat || []);
    this._setState('connected');
    this._release();
    // A path that broke while we were away needs new ICE candidates.
    const broken = [this.publishPc, this.subscribePc].some((pc) =>
      ['disconnected', 'failed'].includes(pc.iceConnectionState),
    );
    if (broken) this._restartIceSoon();
  }

  // The server forgot us (it restarted, or the grace period passed): join
  // the same room under the same name with new peer connections, and
  // publish the same tracks again.
  async _rejoin() {
    const previousPeerId = this.peerId;
    const reply = await this._send('join', { room: this.room, name: this.name });
    this._closePeerConnections();
    for (const id of [...this.peers.keys()]) this._peerLeft(id, 'rejoin');
    this._roomTracks.clear();
    for (const local of this._locals) {
      local.id = null;
      local._transceiver = null;
      local._muteSent = false;
    }
    this._startSession(reply);
    this._setState('connected');
    for (const peer of this.peers.values()) this._emit('peer-joined', { peer });
    this._mergeChat(reply.chat || []);
    this._emit('rejoined', { peerId: this.peerId, previousPeerId });
    this._release();
    if (this._locals.length) this._negotiate().catch((err) => this._negotiationFailed(err));
  }

  async leave() {
    if (this.state === 'idle' || this.state === 'closed') return;
    this._left = true;
    if (this.state === 'connected') {
      await Promise.race([this._send('leave').catch(() => {}), sleep(LEAVE_WAIT_MS)]);
    }
    if (this.connection) this.connection.close();
    this._teardown();
  }

  // Requests nobody will answer any more: their callers get `code`.
  _rejectPending(code, message) {
    for (const p of this._pending.values()) p.reject(codedError(code, message));
    this._pending.clear();
  }

  _teardown() {
    this._left = true;
    this._connId = null;
    this.connection = null;
    // Nothing will answer these now: settle them, so that no caller (join,
    // a resume in flight) waits forever.
    this._rejectPending('closed', 'left the room');
    this._reconnecting = false;
    clearInterval(this._qualityTimer);
    removeEventListener('pagehide', this._onPageHide);
    this._closePeerConnections();
    this._setState('closed');
  }

  _sayLeaveOnUnload() {
    if (this.connection && this.connection.open) {
      this.connection.sendOnUnload(JSON.stringify({ type: 'leave', id: this._nextId++ }));
    }
  }

  // ---- publishing ------------------------------------------------------

  async publish(track, { source } = {}) {
    const src = source || (track.kind === 'video' ? 'camera' : 'microphone');
    if (!SOURCE_RE.test(src)) throw codedError('bad_source', 'source must be 1 to 16 characters from a-z 0-9 _ -');
    const local = { id: null, kind: track.kind, source: src, track, muted: !track.enabled, _transceiver: null };
    this._locals.push(local);
    track.addEventListener('ended', () => {
      if (this._locals.includes(local) && local.track === track) this._emit('local-track-ended', { track: local });
    });
    if (!this.publishPc) return local; // negotiated by join
    this._attachLocal(local);
    await this._negotiate();
    return local;
  }

  async unpublish(local) {
    const i = this._locals.indexOf(local);
    if (i < 0) return;
    this._locals.splice(i, 1);
    const tr = local._transceiver;
    local._transceiver = null;
    if (!tr || !this.publishPc || this.publishPc.signalingState === 'closed') return;
    this.publishPc.removeTrack(tr.sender);
    await this._negotiate();
  }

  async replaceTrack(local, track) {
    if (track.kind !== local.kind) throw codedError('bad_track', `a ${local.kind} track cannot become ${track.kind}`);
    track.enabled = !local.muted;
    if (local._transceiver) await local._transceiver.sender.replaceTrack(track);
    local.track = track;
  }

  async setMuted(local, muted) {
    local.muted = !!muted;
    if (local.track) local.track.enabled = !local.muted;
    if (!local.id) return; // sent once the track has an id
    local._muteSent = true;
    await this._request('mute', { track_id: local.id, muted: local.muted });
  }

  _attachLocal(local) {
    local._transceiver = this.publishPc.addTransceiver(local.track, { direction: 'sendonly' });
  }

  // Asks for a negotiation of the publish connection covering every change
  // made so far; changes made while one waits join it.
  _negotiate({ iceRestart = false } = {}) {
    if (this._negQueued) {
      this._negQueued.iceRestart ||= iceRestart;
      return this._negQueued.promise;
    }
    const job = { iceRestart, gen: this._gen };
    job.promise = this._publishQueue(() => {
      if (this._negQueued === job) this._negQueued = null;
      return this._negotiateNow(job);
    });
    this._negQueued = job;
    return job.promise;
  }

  async _negotiateNow(job) {
    const pc = this.publishPc;
    for (;;) {
      if (job.gen !== this._gen) return;
      if (pc.getTransceivers().length === 0) return;
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: job.iceRestart }));
      this._nameLocalTracks();
      let reply;
      try {
        await this._whenConnected(job.gen);
        reply = await this._send('publish', { sdp: pc.localDescription.sdp, sources: this._sources() });
      } catch (err) {
        if (err.code === 'disconnected' && !this._left) continue; // offer again once back
        if (err.code === 'rejoined' || err.code === 'closed') return;
        throw err;
      }
      if (job.gen !== this._gen) return;
      await pc.setRemoteDescription({ type: 'answer', sdp: reply.sdp });
      this._publishTrickle.open();
      return;
    }
  }

  _negotiationFailed(err) {
    if (err.code !== 'rejoined' && err.code !== 'closed') this._error(err.code || 'publish', err);
  }

  // Track ids are "<peer id>-<mid>": known once the offer is set locally.
  // Mute flags set before that go out now, before the publish itself.
  _nameLocalTracks() {
    for (const local of this._locals) {
      const mid = local._transceiver && local._transceiver.mid;
      if (!mid) continue;
      local.id = `${this.peerId}-${mid}`;
      if (local.muted && !local._muteSent) {
        local._muteSent = true;
        this._request('mute', { track_id: local.id, muted: true }).catch((err) => this._negotiationFailed(err));
      }
    }
  }

  _sources() {
    const out = {};
    for (const local of this._locals) {
      const mid = local._transceiver && local._transceiver.mid;
      if (mid) out[mid] = local.source;
    }
    return out;
  }

  // ---- ICE -------------------------------------------------------------

  // Local candidates wait until the server knows the connection (its first
  // answer), then go out in order, ending with end-of-candidates (null).
  _trickle(pc, transport, gen) {
    const held = [];
    let open = false;
    const send = (c) =>
      this._request('candidate', { transport, candidate: c ? c.toJSON() : null }, gen).catch((err) => {
        if (gen === this._gen) this._negotiationFailed(err);
      });
    pc.onicecandidate = (e) => (open ? send(e.candidate) : held.push(e.candidate));
    return {
      open() {
        if (open) return;
        open = true;
        held.splice(0).forEach(send);
      },
    };
  }

  // New ICE credentials on both connections (after a network change or a
  // failed connection); DTLS and the media keys stay.
  async restartIce() {
    const gen = this._gen;
    await Promise.all([
      this._negotiate({ iceRestart: true }),
      this._request('restart_ice', { transport: 'subscribe' }, gen),
    ]);
  }

  _restartIceSoon() {
    if (this._restarting || this._left) return;
    this._restarting = true;
    this.restartIce()
      .catch((err) => this._negotiationFailed(err))
      .finally(() => {
        this._restarting = false;
      });
  }

  _addRemoteCandidate(msg) {
    const gen = this._gen;
    const publish = msg.transport === 'publish';
    const pc = publish ? this.publishPc : this.subscribePc;
    const queue = publish ? this._publishQueue : this._subscribeQueue;
    if (!pc || (!publish && msg.transport !== 'subscribe')) return;
    queue(async () => {
      if (gen !== this._gen) return;
      // An empty argument is end-of-candidates.
      await (msg.candidate ? pc.addIceCandidate(msg.candidate) : pc.addIceCandidate());
    }).catch((err) => gen === this._gen && this._error('ice_candidate', err));
  }

  // ---- receiving -------------------------------------------------------

  _onOffer(msg) {
    const gen = this._gen;
    const pc = this.subscribePc;
    this._subscribeQueue(async () => {
      if (gen !== this._gen) return;
      await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      this._syncRemoteTracks(msg.tracks || [], true);
      await pc.setLocalDescription(await pc.createAnswer());
      try {
        await this._send('answer', { sdp: pc.localDescription.sdp });
      } catch (err) {
        // The server sends an unanswered offer again after a resume; after
        // a drop, "no_offer" means it had our answer already.
        if (err.code === 'disconnected' || err.code === 'no_offer') return;
        throw err;
      }
      this._subscribeTrickle.open();
    }).catch((err) => gen === this._gen && this._error(err.code || 'subscribe', err));
  }

  // list: what this client receives now (the offer's or tracks event's).
  _syncRemoteTracks(list, add) {
    const want = new Map(list.map((t) => [t.track_id, t]));
    for (const peer of this.peers.values()) {
      for (const rt of [...peer.tracks.values()]) if (!want.has(rt.id)) this._removeRemoteTrack(peer, rt);
    }
    if (!add) return;
    for (const t of want.values()) {
      const tr = this.subscribePc.getTransceivers().find((x) => x.mid === t.mid);
      if (!tr) continue;
      const peer = this.peers.get(t.peer_id) || this._peerJoined({ id: t.peer_id, name: '' });
      const known = peer.tracks.get(t.track_id);
      if (known && known.track === tr.receiver.track) continue;
      if (known) this._removeRemoteTrack(peer, known);
      const room = this._roomTracks.get(t.track_id) || {};
      const track = tr.receiver.track;
      const rt = {
        id: t.track_id,
        peerId: t.peer_id,
        kind: t.kind,
        mid: t.mid,
        source: t.source || room.source || (t.kind === 'video' ? 'camera' : 'microphone'),
        muted: !!room.muted,
        track,
        stream: new MediaStream([track]),
      };
      peer.tracks.set(rt.id, rt);
      const publisherStream = this._streams.get(track);
      if (publisherStream) peer.stream = publisherStream;
      this._emit('track-added', { peer, track: rt });
    }
  }

  _removeRemoteTrack(peer, rt) {
    peer.tracks.delete(rt.id);
    this._qualityPrev.delete(rt.track);
    this._emit('track-removed', { peer, track: rt });
  }

  _setRoomTracks(list, announce) {
    this._roomTracks = new Map(list.map((t) => [t.track_id, { muted: !!t.muted, source: t.source }]));
    if (!announce) return;
    for (const peer of this.peers.values()) {
      for (const rt of peer.tracks.values()) {
        const info = this._roomTracks.get(rt.id);
        if (!info) continue;
        if (info.source) rt.source = info.source;
        if (info.muted !== rt.muted) {
          rt.muted = info.muted;
          this._emit('track-muted', { peer, track: rt, muted: rt.muted });
        }
      }
    }
  }

  _onTrackMuted(msg) {
    const info = this._roomTracks.get(msg.track_id) || {};
    info.muted = !!msg.muted;
    this._roomTracks.set(msg.track_id, info);
    const peer = this.peers.get(msg.peer_id);
    const rt = peer && peer.tracks.get(msg.track_id);
    if (!rt || rt.muted === info.muted) return;
    rt.muted = info.muted;
    this._emit('track-muted', { peer, track: rt, muted: rt.muted });
  }

  // ---- peers and chat --------------------------------------------------

  _peerJoined(p) {
    const known = this.peers.get(p.id);
    if (known) {
      if (p.name) known.name = p.name;
      return known;
    }
    const peer = newPeer(p.id, p.name);
    this.peers.set(p.id, peer);
    this._emit('peer-joined', { peer });
    return peer;
  }

  _peerLeft(id, reason) {
    const peer = this.peers.get(id);
    if (!peer) return;
    for (const rt of [...peer.tracks.values()]) this._removeRemoteTrack(peer, rt);
    this.peers.delete(id);
    this._emit('peer-left', { peer, reason });
  }

  _mergeChat(list) {
    for (const m of list) this._onChat(m);
  }

  _onChat(message) {
    const key = chatKey(message);
    if (this._chatSeen.has(key)) return;
    this._chatSeen.add(key);
    this.chat.push(message);
    this._emit('chat', { message });
  }

  // Not queued while reconnecting: a message must never go out twice.
  async sendChat(text) {
    if (this.state !== 'connected') throw codedError('disconnected', 'not connected');
    const reply = await this._send('chat', { text });
    return reply.message_id;
  }

  // ---- quality ---------------------------------------------------------

  async _sampleQuality() {
    const pc = this.subscribePc;
    if (!pc || this.state !== 'connected' || pc.connectionState === 'closed') return;
    let stats;
    try {
      stats = await pc.getStats();
    } catch {
      return;
    }
    const byTrack = new Map();
    stats.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier) byTrack.set(s.trackIdentifier, inboundSample(s));
    });
    for (const peer of this.peers.values()) {
      const tracks = [];
      for (const rt of peer.tracks.values()) {
        const cur = byTrack.get(rt.track.id) || null;
        tracks.push({ prev: this._qualityPrev.get(rt.track) || null, cur, muted: rt.muted, source: rt.source });
        if (cur) this._qualityPrev.set(rt.track, cur);
      }
      const { quality, stats: summary } = judgeQuality(tracks);
      peer.qualityStats = summary;
      if (quality === peer.quality) continue;
      peer.quality = quality;
      this._emit('quality', { peer, quality, stats: summary });
    }
  }
}

function newPeer(id, name) {
  return { id, name, tracks: new Map(), quality: 'unknown', stream: null };
}

// Message ids restart with a new room (a restarted server): the time keeps
// them apart.
function chatKey(m) {
  return `${m.id}/${m.ts}/${m.peer_id}`;
}

// Server events (docs/protocol.md, Events), called with this = the Confab.
const EVENTS = {
  offer(msg) {
    this._onOffer(msg);
  },
  tracks(msg) {
    const gen = this._gen;
    this._subscribeQueue(() => gen === this._gen && this._syncRemoteTracks(msg.tracks || [], false)).catch(
      (err) => this._error('tracks', err),
    );
  },
  candidate(msg) {
    this._addRemoteCandidate(msg);
  },
  peer_joined(msg) {
    this._peerJoined(msg.peer);
  },
  peer_left(msg) {
    this._peerLeft(msg.peer_id, msg.reason);
  },
  room_tracks(msg) {
    this._setRoomTracks(msg.tracks || [], true);
  },
  track_muted(msg) {
    this._onTrackMuted(msg);
  },
  chat(msg) {
    this._onChat(msg.message);
  },
  transport_state(msg) {
    if (msg.state === 'failed') this._restartIceSoon();
  },
};
