// The signaling protocol driven by an independent WebSocket client (the
// `ws` package): join, chat and its history, the room API, room events,
// every error code a client can cause here, limits and rate limits, a slow
// reader being cut off, the Origin check, and resume within and after the
// grace period. No browser: media is only negotiated (a recorded Chromium
// offer), never sent.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { e2eTest, fileWatchdog, log, sleep, waitFor, within } from './lib.mjs';

fileWatchdog(5 * 60 * 1000);

const here = path.dirname(fileURLToPath(import.meta.url));
const CHROMIUM_OFFER = fs.readFileSync(path.join(here, '../unit/data/chromium_offer.sdp'), 'utf8');
const HEX32 = /^[0-9a-f]{32}$/;
const PEER_ID = /^p[0-9a-f]{16}$/;

// A protocol client that keeps every message it receives.
class Client {
  constructor(server, name, options = {}) {
    this.server = server;
    this.name = name;
    this.options = options;
    this.messages = [];
    this.waiters = [];
    this.nextId = 1;
  }

  static async open(server, name, options) {
    const c = new Client(server, name, options);
    await c.connect();
    return c;
  }

  connect() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.server.wsUrl, this.options);
      this.closed = new Promise((r) => this.ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
      this.ws.on('open', resolve);
      this.ws.on('error', reject);
      this.ws.on('unexpected-response', (req, res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
      });
      this.ws.on('message', (data) => {
        const msg = JSON.parse(data.toString());
        this.messages.push(msg);
        this.waiters = this.waiters.filter((w) => !w(msg));
      });
    });
  }

  // The first message (already received or still to come) that matches.
  waitFor(match, what, timeout = 5000) {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`${this.name}: no ${what} within ${timeout} ms; last: ${JSON.stringify(this.messages.slice(-3))}`));
      }, timeout);
      const waiter = (msg) => {
        if (!match(msg)) return false;
        clearTimeout(timer);
        resolve(msg);
        return true;
      };
      this.waiters.push(waiter);
    });
  }

  // Sends a request and waits for its reply or error.
  send(type, fields = {}) {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ type, id, ...fields }));
    return this.waitFor((m) => (m.type === 'reply' || m.type === 'error') && m.id === id, `answer to ${type} #${id}`);
  }

  async request(type, fields = {}) {
    const m = await this.send(type, fields);
    assert.equal(m.type, 'reply', `${this.name} ${type}: ${JSON.stringify(m)}`);
    return m.data;
  }

  async join(room, name = this.name) {
    const data = await this.request('join', { room, name });
    this.peerId = data.peer_id;
    this.token = data.resume_token;
    return data;
  }

  events(type) {
    return this.messages.filter((m) => m.type === type);
  }

  close() {
    this.ws.terminate();
  }
}

async function expectError(promise, code, what) {
  const m = await promise;
  assert.equal(m.type, 'error', `${what}: expected ${code}, got ${JSON.stringify(m)}`);
  assert.equal(m.code, code, `${what}: ${JSON.stringify(m)}`);
  assert.equal(typeof m.message, 'string');
  log(`${what}: ${m.code} (${m.message})`);
  return m;
}

async function getJson(server, urlPath, init) {
  const r = await fetch(`${server.url}${urlPath}`, init);
  const text = await r.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, type: r.headers.get('content-type'), body };
}

e2eTest('join, chat with history, room API, room events', { timeout: 60000 }, async (env) => {
  // No STUN server: ice_servers is [] (stun.test.mjs covers it).
  const server = await env.server(['--chat-history', '3', '--room-linger', '1', '--stun-port', '0']);
  const alice = await Client.open(server, 'alice');
  const a = await alice.join('proto-room');
  assert.match(a.peer_id, PEER_ID);
  assert.match(a.resume_token, HEX32);
  assert.deepEqual([a.room, a.peers, a.chat, a.room_tracks, a.ice_servers], ['proto-room', [], [], [], []]);

  const bob = await Client.open(server, 'bob');
  const b = await bob.join('proto-room');
  assert.deepEqual(b.peers, [{ id: alice.peerId, name: 'alice' }]);
  assert.notEqual(b.resume_token, a.resume_token);
  const joinedEv = await alice.waitFor((m) => m.type === 'peer_joined', 'peer_joined');
  assert.deepEqual(joinedEv.peer, { id: bob.peerId, name: 'bob' });

  // Five messages: everyone, the sender included, gets each with an id and
  // a server timestamp; a late joiner gets the last three.
  const before = Date.now();
  for (let i = 1; i <= 5; i++) {
    const r = await alice.request('chat', { text: `message ${i} ✓` });
    assert.equal(r.message_id, i);
  }
  for (const c of [alice, bob]) {
    const chats = await waitFor(() => c.events('chat').length === 5 && c.events('chat'), { what: `${c.name}'s chats` });
    chats.forEach((ev, i) => {
      const m = ev.message;
      assert.deepEqual([m.id, m.peer_id, m.name, m.text], [i + 1, alice.peerId, 'alice', `message ${i + 1} ✓`]);
      assert.ok(m.ts >= before - 5000 && m.ts <= Date.now() + 5000, `timestamp ${m.ts}`);
    });
  }
  const carol = await Client.open(server, 'carol');
  const c = await carol.join('proto-room');
  assert.deepEqual(c.chat.map((m) => [m.id, m.text]), [[3, 'message 3 ✓'], [4, 'message 4 ✓'], [5, 'message 5 ✓']]);
  assert.deepEqual(c.peers.map((p) => p.name), ['alice', 'bob']);

  // The HTTP API: the list shows rooms with people (not "_" rooms), the
  // detail shows one room.
  const hidden = await Client.open(server, 'hidden');
  await hidden.join('_backstage');
  const list = await getJson(server, '/api/rooms');
  assert.equal(list.status, 200);
  assert.match(list.type, /application\/json/);
  assert.deepEqual(list.body, { rooms: [{ name: 'proto-room', peers: 3 }] });
  const detail = await getJson(server, '/api/rooms/proto-room');
  assert.equal(detail.status, 200);
  assert.deepEqual(detail.body.peers, [
    { id: alice.peerId, name: 'alice' },
    { id: bob.peerId, name: 'bob' },
    { id: carol.peerId, name: 'carol' },
  ]);
  assert.deepEqual(detail.body.tracks, []);
  assert.equal((await getJson(server, '/api/rooms/_backstage')).body.peers.length, 1);
  const missing = await getJson(server, '/api/rooms/nowhere');
  assert.deepEqual([missing.status, missing.body.code], [404, 'not_found']);
  const badName = await getJson(server, '/api/rooms/no%20spaces');
  assert.deepEqual([badName.status, badName.body.code], [400, 'bad_request']);
  assert.equal((await getJson(server, '/api/rooms', { method: 'POST' })).status, 405);

  // Mute flags: set before publishing, shown once the tracks exist.
  assert.deepEqual(await alice.request('mute', { track_id: `${alice.peerId}-0`, muted: true }), {});
  for (const cl of [alice, bob, carol]) {
    const ev = await cl.waitFor((m) => m.type === 'track_muted', 'track_muted');
    assert.deepEqual(ev, { type: 'track_muted', track_id: `${alice.peerId}-0`, peer_id: alice.peerId, muted: true });
  }
  const pub = await alice.request('publish', { sdp: CHROMIUM_OFFER });
  assert.match(pub.sdp, /^v=0\r\n/);
  const want = [
    { track_id: `${alice.peerId}-0`, peer_id: alice.peerId, kind: 'audio', muted: true, source: 'microphone' },
    { track_id: `${alice.peerId}-1`, peer_id: alice.peerId, kind: 'video', muted: false, source: 'camera' },
  ];
  for (const cl of [alice, bob, carol]) {
    const ev = await cl.waitFor((m) => m.type === 'room_tracks' && m.tracks.length === 2, 'room_tracks');
    assert.deepEqual(ev.tracks, want);
  }
  // Subscribers get an offer carrying the track list.
  const offer = await bob.waitFor((m) => m.type === 'offer', 'offer');
  assert.deepEqual(offer.tracks.map((t) => [t.track_id, t.kind, t.source]), [
    [`${alice.peerId}-0`, 'audio', 'microphone'],
    [`${alice.peerId}-1`, 'video', 'camera'],
  ]);
  assert.deepEqual((await getJson(server, '/api/rooms/proto-room')).body.tracks, want);
  // Source labels: a publish naming them relabels the tracks for everyone.
  const relabel = await alice.request('publish', { sdp: CHROMIUM_OFFER, sources: { 0: 'mic-2', 1: 'screen' } });
  assert.match(relabel.sdp, /^v=0\r\n/);
  for (const cl of [alice, bob, carol]) {
    const ev = await cl.waitFor(
      (m) => m.type === 'room_tracks' && m.tracks.some((t) => t.source === 'screen'),
      'room_tracks with sources',
    );
    assert.deepEqual(ev.tracks.map((t) => t.source), ['mic-2', 'screen']);
  }
  assert.deepEqual((await getJson(server, '/api/rooms/proto-room')).body.tracks.map((t) => t.source), ['mic-2', 'screen']);
  // Refused labels change nothing.
  await expectError(alice.send('publish', { sdp: CHROMIUM_OFFER, sources: { 1: 'Screen!' } }), 'bad_request', 'bad source');
  await expectError(alice.send('publish', { sdp: CHROMIUM_OFFER, sources: ['screen'] }), 'bad_request', 'sources array');
  assert.deepEqual((await getJson(server, '/api/rooms/proto-room')).body.tracks.map((t) => t.source), ['mic-2', 'screen']);
  // An empty object names nothing: back to the defaults.
  await alice.request('publish', { sdp: CHROMIUM_OFFER, sources: {} });
  assert.deepEqual((await getJson(server, '/api/rooms/proto-room')).body.tracks, want);
  assert.deepEqual(await alice.request('mute', { track_id: `${alice.peerId}-0`, muted: false }), {});
  await bob.waitFor((m) => m.type === 'track_muted' && m.muted === false, 'unmute');
  assert.equal((await getJson(server, '/api/rooms/proto-room')).body.tracks[0].muted, false);
  assert.deepEqual(await bob.request('restart_ice', { transport: 'subscribe' }), {});

  // Leaving: the reply, the close, and peer_left for the others at once.
  assert.deepEqual(await bob.request('leave'), {});
  assert.deepEqual(await within(bob.closed, 5000, 'open'), { code: 1000, reason: 'left' });
  for (const cl of [alice, carol]) {
    const ev = await cl.waitFor((m) => m.type === 'peer_left', 'peer_left');
    assert.deepEqual(ev, { type: 'peer_left', peer_id: bob.peerId, reason: 'left' });
  }
  assert.equal((await getJson(server, '/api/rooms')).body.rooms[0].peers, 2);

  // The last ones leave: the room lingers with its chat, then goes.
  await alice.request('leave');
  await carol.request('leave');
  const lingering = await getJson(server, '/api/rooms/proto-room');
  assert.deepEqual([lingering.status, lingering.body.peers], [200, []]);
  assert.deepEqual((await getJson(server, '/api/rooms')).body.rooms, []);
  const dave = await Client.open(server, 'dave');
  const d = await dave.join('proto-room');
  assert.equal(d.chat.length, 3, 'the chat outlived its members during the linger');
  await dave.request('leave');
  await waitFor(async () => (await getJson(server, '/api/rooms/proto-room')).status === 404, {
    timeout: 5000,
    what: 'the empty room to go',
  });
});

e2eTest('errors, limits and rate limits', { timeout: 60000 }, async (env) => {
  const server = await env.server([
    '--max-peers-per-room', '2', '--max-rooms', '2', '--chat-max-bytes', '100',
    '--chat-rate', '1', '--chat-burst', '3', '--room-linger', '30',
  ]);
  const x = await Client.open(server, 'x');
  // Messages whose id cannot be read are answered with "id": null.
  const unidentified = () => x.messages.filter((m) => m.type === 'error' && m.id === null);
  const raw = async (text) => {
    const before = unidentified().length;
    x.ws.send(text);
    await waitFor(() => unidentified().length > before, { what: `an answer to ${text}`, interval: 20 });
    return unidentified()[before];
  };
  // Envelope errors.
  await expectError(raw('{"type":'), 'bad_json', 'truncated JSON');
  await expectError(raw('{"type":"chat","id":"1","text":"x"}'), 'bad_request', 'string id');
  await expectError(x.send('fly'), 'unknown_type', 'unknown type');
  await expectError(x.send('join', { room: 'r1' }), 'bad_request', 'missing name');
  await expectError(x.send('join', { room: 'a b', name: 'x' }), 'bad_request', 'bad room name');
  await expectError(x.send('join', { room: 'r1', name: 'tab\there' }), 'bad_request', 'bad nickname');
  await expectError(x.send('chat', { text: 7 }), 'bad_request', 'chat text is a number');
  await expectError(x.send('mute', { track_id: 'p-0' }), 'bad_request', 'mute without muted');
  await expectError(x.send('restart_ice', { transport: 'publish' }), 'bad_request', 'restart_ice publish');
  await expectError(x.send('resume', { token: 'nope' }), 'bad_request', 'malformed token');
  // Before join.
  for (const [type, fields] of [['chat', { text: 'hi' }], ['mute', { track_id: 'p-0', muted: true }], ['restart_ice', { transport: 'subscribe' }], ['leave', {}], ['answer', { sdp: 'v=0\r\n' }]]) {
    const m = await expectError(x.send(type, fields), 'not_joined', `${type} before join`);
    assert.ok(m.id > 0, 'errors echo the request id');
  }
  await expectError(x.send('resume', { token: '0'.repeat(32) }), 'resume_failed', 'unknown token');

  // Join, then what a joined client can get wrong.
  await x.join('r1');
  await expectError(x.send('join', { room: 'r1', name: 'x' }), 'already_joined', 'second join');
  await expectError(x.send('resume', { token: x.token }), 'already_joined', 'resume after join');
  await expectError(x.send('mute', { track_id: 'p0000000000000000-0', muted: true }), 'unknown_track', "someone else's track");
  await expectError(x.send('answer', { sdp: CHROMIUM_OFFER }), 'no_offer', 'answer without an offer');

  // Room and server limits.
  const y = await Client.open(server, 'y');
  await y.join('r1');
  const z = await Client.open(server, 'z');
  await expectError(z.send('join', { room: 'r1', name: 'z' }), 'room_full', 'third peer in a room of 2');
  await z.join('r2');
  const w = await Client.open(server, 'w');
  await expectError(w.send('join', { room: 'r3', name: 'w' }), 'server_full', 'third room of 2');
  // An empty room, even lingering, makes place for a new one.
  await z.request('leave');
  await w.join('r3');
  assert.deepEqual((await getJson(server, '/api/rooms')).body.rooms.map((r) => r.name), ['r1', 'r3']);

  // Chat length: bytes, not characters.
  await expectError(x.send('chat', { text: 'a'.repeat(101) }), 'chat_too_long', '101 bytes');
  await expectError(x.send('chat', { text: 'é'.repeat(51) }), 'chat_too_long', '51 two-byte characters');
  await x.request('chat', { text: 'é'.repeat(50) });
  // Rate: a burst of 3 (one used above), then one a second.
  await x.request('chat', { text: 'two' });
  await x.request('chat', { text: 'three' });
  await expectError(x.send('chat', { text: 'four' }), 'rate_limited', 'fourth message of a burst of 3');
  await expectError(x.send('mute', { track_id: `${x.peerId}-0`, muted: true }), 'rate_limited', 'mute shares the limit');
  await sleep(1100);
  await x.request('chat', { text: 'five' });
  await y.waitFor((m) => m.type === 'chat' && m.message.text === 'five', 'the chat after the pause');
  assert.deepEqual(y.events('chat').map((m) => m.message.text), ['é'.repeat(50), 'two', 'three', 'five'], 'refused messages reach nobody');
  assert.deepEqual(y.events('track_muted'), [], 'a refused mute reaches nobody');
  assert.ok(await server.healthy());
});

e2eTest('a slow reader is cut off; the others are not', { timeout: 90000 }, async (env) => {
  const server = await env.server(['--chat-max-bytes', '32000', '--chat-rate', '100000', '--chat-burst', '100000', '--resume-grace', '0']);
  const sender = await Client.open(server, 'sender');
  await sender.join('flood');
  const watcher = await Client.open(server, 'watcher');
  await watcher.join('flood');
  const slow = await Client.open(server, 'slow');
  await slow.join('flood');
  // From now on the slow client reads nothing.
  slow.ws._socket.pause();
  const text = 'x'.repeat(30000);
  // Kernel buffers hold several MiB before the server's own 1 MiB queue
  // fills: send until the server gives up on the slow client (with no
  // grace period, the room hears of it at once).
  let sent = 0;
  const cut = watcher.waitFor((m) => m.type === 'peer_left' && m.peer_id === slow.peerId, 'peer_left of the slow reader', 60000);
  let done = false;
  cut.then(() => (done = true), () => {});
  while (!done && sent < 3000) {
    const batch = [];
    for (let i = 0; i < 50; i++) batch.push(sender.request('chat', { text }));
    await Promise.all(batch);
    sent += 50;
  }
  const left = await cut;
  assert.equal(left.reason, 'disconnected');
  log(`slow reader cut off after ${sent} messages of 30000 bytes`);
  // It reads again: what the kernel held, then the close frame saying why.
  slow.ws._socket.resume();
  const closed = await within(slow.closed, 10000, 'still open');
  assert.deepEqual(closed, { code: 1008, reason: 'send queue full' });
  assert.ok(slow.events('chat').length < sent, 'the slow client did not get everything');
  // The others got every message, and go on.
  await waitFor(() => watcher.events('chat').length === sent, { what: 'the watcher to get every message', timeout: 20000 });
  await sender.request('chat', { text: 'after' });
  await watcher.waitFor((m) => m.type === 'chat' && m.message.text === 'after', 'a chat after the cut-off');
  assert.equal((await getJson(server, '/api/rooms/flood')).body.peers.length, 2);
});

e2eTest('Origin check on the WebSocket handshake', { timeout: 30000 }, async (env) => {
  const server = await env.server();
  const refused = await Client.open(server, 'evil', { origin: 'https://evil.example' }).catch((e) => e);
  assert.equal(refused.status, 403, `evil origin: ${refused}`);
  assert.match(refused.body, /Origin/);
  for (const origin of [undefined, 'http://localhost:5173', 'https://127.0.0.1', server.url]) {
    const c = await Client.open(server, `origin ${origin}`, origin ? { origin } : {});
    c.close();
  }
  // The server's own origin is the Host header's.
  const own = await Client.open(server, 'own', { origin: 'https://meet.example.org', headers: { Host: 'meet.example.org' } });
  own.close();

  const strict = await env.server(['--allow-origin', 'https://app.example.org']);
  const ok = await Client.open(strict, 'app', { origin: 'https://app.example.org' });
  ok.close();
  const local = await Client.open(strict, 'local', { origin: 'http://localhost:5173' }).catch((e) => e);
  assert.equal(local.status, 403, 'an allow-list replaces the localhost default');
  const same = await Client.open(strict, 'same', { origin: strict.url });
  same.close();
});

e2eTest('resume within the grace period', { timeout: 60000 }, async (env) => {
  const server = await env.server(['--resume-grace', '5']);
  const alice = await Client.open(server, 'alice');
  await alice.join('resume-room');
  const bob = await Client.open(server, 'bob');
  const b = await bob.join('resume-room');
  await alice.waitFor((m) => m.type === 'peer_joined', 'peer_joined');

  // Bob's connection drops without a close frame.
  bob.close();
  await sleep(300);
  // While he is away: a chat, and alice publishes (bob gets an offer).
  await alice.request('chat', { text: 'while you were away' });
  await alice.request('publish', { sdp: CHROMIUM_OFFER });
  assert.deepEqual((await getJson(server, '/api/rooms/resume-room')).body.peers.map((p) => p.name), ['alice', 'bob']);

  const bob2 = await Client.open(server, 'bob2');
  const r = await bob2.request('resume', { token: b.resume_token });
  assert.equal(r.peer_id, b.peer_id, 'the same peer');
  assert.equal(r.room, 'resume-room');
  assert.deepEqual(r.peers, [{ id: alice.peerId, name: 'alice' }]);
  assert.deepEqual(r.chat.map((m) => m.text), ['while you were away']);
  assert.deepEqual(r.room_tracks.map((t) => t.track_id), [`${alice.peerId}-0`, `${alice.peerId}-1`]);
  assert.match(r.resume_token, HEX32);
  assert.notEqual(r.resume_token, b.resume_token);
  // What was queued follows the reply, in order.
  const offer = await bob2.waitFor((m) => m.type === 'offer', 'the queued offer');
  const order = bob2.messages.map((m) => m.type);
  log(`bob2 got: ${order.join(' ')}`);
  assert.equal(order[0], 'reply');
  assert.ok(order.indexOf('chat') < order.indexOf('tracks') && order.indexOf('tracks') < order.indexOf('offer'), order.join(' '));
  assert.equal(offer.tracks.length, 2);
  // Nobody noticed.
  await sleep(500);
  assert.deepEqual(alice.events('peer_left'), []);
  assert.equal(alice.events('peer_joined').length, 1);

  // The old token is spent.
  const replay = await Client.open(server, 'replay');
  await expectError(replay.send('resume', { token: b.resume_token }), 'resume_failed', 'a used token');

  // Resuming while the old connection still seems alive takes it over.
  const bob3 = await Client.open(server, 'bob3');
  const r3 = await bob3.request('resume', { token: r.resume_token });
  assert.equal(r3.peer_id, b.peer_id);
  assert.deepEqual(await within(bob2.closed, 5000, 'open'), { code: 4002, reason: 'resumed on another connection' });
  await bob3.request('chat', { text: 'back' });
  await alice.waitFor((m) => m.type === 'chat' && m.message.text === 'back' && m.message.peer_id === b.peer_id, 'chat from the resumed bob');
  await sleep(300);
  assert.deepEqual(alice.events('peer_left'), [], 'still nobody left');
});

e2eTest('after the grace period the peer is gone', { timeout: 60000 }, async (env) => {
  const server = await env.server(['--resume-grace', '1', '--chat-rate', '100000', '--chat-burst', '100000']);
  const alice = await Client.open(server, 'alice');
  await alice.join('expiry');
  const bob = await Client.open(server, 'bob');
  const b = await bob.join('expiry');
  const t0 = Date.now();
  bob.close();
  const left = await alice.waitFor((m) => m.type === 'peer_left', 'peer_left', 10000);
  const ms = Date.now() - t0;
  assert.deepEqual(left, { type: 'peer_left', peer_id: b.peer_id, reason: 'disconnected' });
  assert.ok(ms >= 900 && ms < 5000, `peer_left after ${ms} ms`);
  const late = await Client.open(server, 'late');
  await expectError(late.send('resume', { token: b.resume_token }), 'resume_failed', 'an expired token');
  assert.deepEqual((await getJson(server, '/api/rooms/expiry')).body.peers.map((p) => p.name), ['alice']);

  // Too much to queue for an absent peer ends it before the grace period.
  const long = await env.server(['--resume-grace', '60', '--chat-rate', '100000', '--chat-burst', '100000']);
  const a2 = await Client.open(long, 'a2');
  await a2.join('overflow');
  const c2 = await Client.open(long, 'c2');
  const c = await c2.join('overflow');
  c2.close();
  await sleep(300);
  const t1 = Date.now();
  const batch = [];
  for (let i = 0; i < 600; i++) batch.push(a2.request('chat', { text: `m${i}` }));
  await Promise.all(batch);
  const gone = await a2.waitFor((m) => m.type === 'peer_left', 'peer_left after the overflow', 10000);
  assert.deepEqual([gone.peer_id, gone.reason], [c.peer_id, 'disconnected']);
  log(`overflowed session ended ${Date.now() - t1} ms after the flood began`);
  const retry = await Client.open(long, 'retry');
  await expectError(retry.send('resume', { token: c.resume_token }), 'resume_failed', 'an overflowed session');
});
