// The HTTP long-poll transport: the protocol over plain HTTP requests from
// node, then real Chromium pages forced to (or falling back to) long-poll.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { e2eTest, fileWatchdog, log, openCall, sleep, waitFor, waitForMedia } from './lib.mjs';

fileWatchdog(9 * 60 * 1000);

const HOLD_MS = 1000; // --longpoll-hold-ms for the HTTP tests
const IDLE_MS = 3000; // --longpoll-idle-ms for the HTTP tests
// No resume grace: a dropped transport ends its peer at once, so the tests
// see peer_left without waiting (resume has its own test below).
const HTTP_ARGS = ['--longpoll-hold-ms', String(HOLD_MS), '--longpoll-idle-ms', String(IDLE_MS), '--resume-grace', '0'];
const MAX_BODY = 65536;
const SID_RE = /^[0-9a-f]{32}$/;
const JSON_TYPE = { 'Content-Type': 'application/json' };

// A protocol client over long-poll, written from docs/protocol.md.
class LpClient {
  constructor(server, name) {
    this.base = `${server.url}/lp`;
    this.name = name;
    this.messages = []; // everything received, in order
    this.closed = null; // the close message, once received
  }

  async create() {
    const r = await fetch(this.base, { method: 'POST', headers: JSON_TYPE });
    assert.equal(r.status, 201, `${this.name}: create`);
    const body = await r.json();
    assert.match(body.sid, SID_RE, `${this.name}: sid ${body.sid}`);
    this.sid = body.sid;
    this.url = `${this.base}/${this.sid}`;
    return this;
  }

  async post(body, headers = JSON_TYPE) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return fetch(this.url, { method: 'POST', headers, body: text });
  }

  // One GET; returns { status, ms, body } and records what it received.
  async poll() {
    const t0 = Date.now();
    const r = await fetch(this.url, { cache: 'no-store' });
    const body = await r.json();
    const ms = Date.now() - t0;
    if (r.status === 200) {
      assert.ok(Array.isArray(body), `${this.name}: poll answer is not an array: ${JSON.stringify(body)}`);
      for (const m of body) {
        if (m.type === 'close') this.closed = m;
        else this.messages.push(m);
      }
    }
    return { status: r.status, ms, body, type: r.headers.get('content-type') };
  }

  // Polls until a received message matches; returns it.
  async until(match, what, timeout = 5000) {
    const deadline = Date.now() + timeout;
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      if (this.closed || Date.now() > deadline) {
        throw new Error(`${this.name}: no ${what}; got ${JSON.stringify(this.messages.slice(-5))}, close ${JSON.stringify(this.closed)}`);
      }
      if (this.pumping) {
        await sleep(20);
        continue;
      }
      const r = await this.poll();
      assert.equal(r.status, 200, `${this.name}: poll while waiting for ${what}: ${JSON.stringify(r.body)}`);
    }
  }

  // Polls in the background (as a real client does) until stopPump().
  pump() {
    this.pumping = true;
    this.pumped = (async () => {
      while (this.pumping && !this.closed) await this.poll();
    })();
  }

  stopPump() {
    this.pumping = false;
    return this.pumped;
  }

  answer(id) {
    return this.until((m) => (m.type === 'reply' || m.type === 'error') && m.id === id, `answer to ${id}`);
  }

  async join(room, id = 1) {
    const r = await this.post({ type: 'join', id, room, name: this.name });
    assert.equal(r.status, 204, `${this.name}: post join`);
    const reply = await this.answer(id);
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    this.peerId = reply.data.peer_id;
    return reply;
  }
}

function assertUnknown(r, body, what) {
  assert.equal(r.status, 404, `${what}: status`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/, `${what}: content type`);
  assert.equal(body.type, 'error', `${what}: ${JSON.stringify(body)}`);
  assert.equal(body.code, 'unknown_session', `${what}: ${JSON.stringify(body)}`);
  assert.equal(typeof body.message, 'string');
}

async function expectUnknown(url, init, what) {
  const r = await fetch(url, init);
  assertUnknown(r, await r.json(), what);
}

// ---- (a) plain HTTP -----------------------------------------------------------

e2eTest('long-poll over plain HTTP', { timeout: 150000 }, async (env, t) => {
  const server = await env.server(HTTP_ARGS);
  const ROOM = 'lp-http';

  await t.test('create, join, poll the reply; the others see the join', async () => {
    const a = await new LpClient(server, 'ada').create();
    const reply = await a.join(ROOM);
    assert.match(reply.data.peer_id, /^p[0-9a-f]{16}$/);
    assert.equal(reply.data.room, ROOM);
    const b = await new LpClient(server, 'bob').create();
    assert.notEqual(a.sid, b.sid);
    const breply = await b.join(ROOM);
    assert.deepEqual(breply.data.peers.map((p) => p.id), [a.peerId]);
    const joined = await a.until((m) => m.type === 'peer_joined', 'peer_joined');
    assert.equal(joined.peer.id, b.peerId);
    assert.equal(joined.peer.name, 'bob');
    // Leave: the reply, then the close message, then the sid is gone.
    await b.post({ type: 'leave', id: 7 });
    const left = await b.answer(7);
    assert.equal(left.type, 'reply');
    if (!b.closed) await b.poll();
    assert.deepEqual(b.closed, { type: 'close', code: 1000, reason: 'left' });
    await expectUnknown(b.url, {}, 'poll after leave');
    const gone = await a.until((m) => m.type === 'peer_left', 'peer_left');
    assert.deepEqual([gone.peer_id, gone.reason], [b.peerId, 'left']);
  });

  await t.test('an array body is processed in order, like separate messages', async () => {
    const c = await new LpClient(server, 'cy').create();
    const r = await c.post('[{"type":"nope","id":2}, 5, {"type":"publish","id":3,"sdp":"x"}, {"type":"join","id":4,"room":"lp-order","name":"cy"}]');
    assert.equal(r.status, 204);
    await c.answer(4);
    const answers = c.messages.filter((m) => m.type === 'reply' || m.type === 'error');
    assert.deepEqual(
      answers.map((m) => [m.id, m.code || m.type]),
      [
        [2, 'unknown_type'],
        [null, 'bad_json'],
        [3, 'not_joined'],
        [4, 'reply'],
      ],
    );
    // A broken array is refused whole: nothing in it runs.
    const bad = await c.post('[{"type":"leave","id":5},');
    assert.equal(bad.status, 400);
    const err = await bad.json();
    assert.equal(err.code, 'bad_json', JSON.stringify(err));
    const p = await c.poll();
    assert.deepEqual(p.body, [], 'nothing may come from a refused body');
    await fetch(c.url, { method: 'DELETE' });
  });

  await t.test('unknown or malformed session ids get 404 with a JSON error', async () => {
    const unknown = `${server.url}/lp/0123456789abcdef0123456789abcdef`;
    await expectUnknown(unknown, {}, 'GET unknown');
    await expectUnknown(unknown, { method: 'POST', headers: JSON_TYPE, body: '{}' }, 'POST unknown');
    await expectUnknown(unknown, { method: 'DELETE' }, 'DELETE unknown');
    await expectUnknown(`${server.url}/lp/not-a-session`, {}, 'malformed sid');
    await expectUnknown(`${server.url}/lp/0123456789ABCDEF0123456789ABCDEF`, {}, 'upper-case sid');
  });

  await t.test('an empty poll returns [] after the hold time; a newer poll ends the older one', async () => {
    const d = await new LpClient(server, 'dee').create();
    const p = await d.poll();
    log(`empty poll: ${p.status} ${JSON.stringify(p.body)} after ${p.ms} ms (hold ${HOLD_MS} ms)`);
    assert.equal(p.status, 200);
    assert.match(p.type, /^application\/json/);
    assert.deepEqual(p.body, []);
    assert.ok(p.ms >= HOLD_MS - 50 && p.ms < HOLD_MS + 1500, `empty poll took ${p.ms} ms`);

    const first = d.poll();
    await sleep(300);
    const second = d.poll();
    const f = await first;
    assert.deepEqual(f.body, []);
    assert.ok(f.ms < HOLD_MS - 300, `the replaced poll returned only after ${f.ms} ms`);
    // The newer poll is the one that gets the next message.
    await d.post({ type: 'leave', id: 9 });
    const s = await second;
    assert.deepEqual(s.body[0], { type: 'error', id: 9, code: 'not_joined', message: s.body[0].message });
  });

  await t.test('bodies over 64 KiB get 413; up to 64 KiB are accepted', async () => {
    const e = await new LpClient(server, 'eve').create();
    // Exactly the limit: an empty array padded with blanks.
    const fits = `[]${' '.repeat(MAX_BODY - 2)}`;
    assert.equal((await e.post(fits)).status, 204);
    const over = `[]${' '.repeat(MAX_BODY - 1)}`;
    const r = await e.post(over);
    assert.equal(r.status, 413);
    assert.equal((await r.json()).code, 'too_big');
    // Without a Content-Length (chunked), counted as it arrives.
    const chunks = [Buffer.from('['), Buffer.alloc(MAX_BODY, 0x20), Buffer.from(']')];
    const stream = new ReadableStream({
      pull(ctrl) {
        if (chunks.length) ctrl.enqueue(chunks.shift());
        else ctrl.close();
      },
    });
    const rc = await fetch(e.url, { method: 'POST', headers: JSON_TYPE, body: stream, duplex: 'half' });
    assert.equal(rc.status, 413, 'chunked oversize body');
    // The session is unharmed.
    assert.equal((await e.post({ type: 'leave', id: 1 })).status, 204);
    await e.answer(1);
  });

  await t.test('wrong methods and content types are refused', async () => {
    const f = await new LpClient(server, 'fay').create();
    let r = await fetch(f.url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(r.status, 415);
    r = await fetch(`${server.url}/lp`, { method: 'POST' });
    assert.equal(r.status, 415);
    r = await fetch(f.url, { method: 'PUT', headers: JSON_TYPE, body: '{}' });
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'GET, POST, DELETE');
    r = await fetch(`${server.url}/lp`);
    assert.equal(r.status, 405);
    assert.equal(r.headers.get('allow'), 'POST');
    await fetch(f.url, { method: 'DELETE' });
  });

  await t.test('a client that does not poll is cut off at the send cap (1008), not buffered', async () => {
    const g = await new LpClient(server, 'gus').create();
    const w = await new LpClient(server, 'wes').create();
    await g.join('lp-cap');
    await w.join('lp-cap');
    // Each "1" earns a bad_json error of ~100 bytes: over 3 MB in one body.
    const ones = `[${Array(Math.floor((MAX_BODY - 2) / 2)).fill('1').join(',')}]`;
    assert.ok(ones.length <= MAX_BODY);
    assert.equal((await g.post(ones)).status, 204);
    const p = await g.poll();
    assert.deepEqual(p.body, [{ type: 'close', code: 1008, reason: 'send queue full' }]);
    await expectUnknown(g.url, {}, 'poll after the cap');
    const gone = await w.until((m) => m.type === 'peer_left', 'peer_left of gus');
    assert.deepEqual([gone.peer_id, gone.reason], [g.peerId, 'disconnected']);
    assert.ok(await server.healthy());
  });

  await t.test('DELETE ends the session; a pending poll is answered', async () => {
    const h = await new LpClient(server, 'hal').create();
    const w = await new LpClient(server, 'wim').create();
    await h.join('lp-delete');
    await w.join('lp-delete');
    const pending = h.poll();
    await sleep(100);
    const r = await fetch(h.url, { method: 'DELETE' });
    assert.equal(r.status, 204);
    const p = await pending;
    assert.equal(p.status, 200);
    assert.ok(p.ms < HOLD_MS, `the pending poll waited ${p.ms} ms`);
    await expectUnknown(h.url, {}, 'poll after DELETE');
    const gone = await w.until((m) => m.type === 'peer_left', 'peer_left of hal');
    assert.deepEqual([gone.peer_id, gone.reason], [h.peerId, 'disconnected']);
  });

  await t.test('no poll for the idle time counts as a dropped connection', async () => {
    const i = await new LpClient(server, 'ike').create();
    const w = await new LpClient(server, 'wyn').create();
    await i.join('lp-idle');
    await w.join('lp-idle');
    const t0 = Date.now();
    // wyn keeps polling; ike goes silent.
    const gone = await w.until((m) => m.type === 'peer_left', 'peer_left of ike', IDLE_MS + 5000);
    const ms = Date.now() - t0;
    log(`idle client dropped after ${ms} ms (idle ${IDLE_MS} ms)`);
    assert.deepEqual([gone.peer_id, gone.reason], [i.peerId, 'disconnected']);
    assert.ok(ms >= IDLE_MS - 500, `dropped after only ${ms} ms`);
    await expectUnknown(i.url, {}, 'poll after the idle timeout');
  });

  await t.test('a chat exchange over long-poll, with history for a late joiner', async () => {
    const a = await new LpClient(server, 'kim').create();
    const b = await new LpClient(server, 'kit').create();
    await a.join('lp-chat');
    await b.join('lp-chat');
    // Text with what JSON and the array framing must carry intact.
    const texts = ['hello, "kit" [1,2] {x}', 'line one\nline two \\ \u00e9\u00e8 \ud83d\ude00'];
    await a.post(texts.map((text, i) => ({ type: 'chat', id: 10 + i, text })));
    const replies = [await a.answer(10), await a.answer(11)];
    for (const r of replies) assert.equal(r.type, 'reply', JSON.stringify(r));
    assert.ok(replies[1].data.message_id > replies[0].data.message_id);
    for (const c of [a, b]) {
      await c.until((m) => m.type === 'chat' && m.message.id === replies[1].data.message_id, 'the second chat');
      const got = c.messages.filter((m) => m.type === 'chat').map((m) => m.message);
      assert.deepEqual(got.map((m) => m.text), texts, `${c.name}'s chat`);
      for (const m of got) {
        assert.equal(m.peer_id, a.peerId);
        assert.equal(m.name, 'kim');
        assert.ok(Math.abs(m.ts - Date.now()) < 60000, `timestamp ${m.ts}`);
      }
    }
    const r = await b.post({ type: 'chat', id: 3, text: 'hi kim' });
    assert.equal(r.status, 204);
    await a.until((m) => m.type === 'chat' && m.message.text === 'hi kim', "kit's answer");
    const late = await new LpClient(server, 'kat').create();
    const joined = await late.join('lp-chat');
    assert.deepEqual(joined.data.chat.map((m) => m.text), [...texts, 'hi kim'], 'history in the join reply');
  });

  await t.test('WebSocket and long-poll clients share a room', async () => {
    const l = await new LpClient(server, 'lou').create();
    await l.join('lp-mixed');
    const ws = new WebSocket(server.wsUrl);
    const wsMessages = [];
    ws.on('message', (d) => wsMessages.push(JSON.parse(d.toString())));
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    ws.send(JSON.stringify({ type: 'join', id: 1, room: 'lp-mixed', name: 'wsy' }));
    const wsReply = await waitFor(() => wsMessages.find((m) => m.id === 1), { what: 'ws join reply' });
    assert.deepEqual(wsReply.data.peers.map((p) => p.name), ['lou']);
    const joined = await l.until((m) => m.type === 'peer_joined', 'peer_joined of wsy');
    assert.equal(joined.peer.name, 'wsy');
    ws.close();
    const gone = await l.until((m) => m.type === 'peer_left', 'peer_left of wsy');
    assert.equal(gone.peer_id, wsReply.data.peer_id);
  });
});

e2eTest('shutdown with long-poll requests in flight', { timeout: 60000 }, async (env) => {
  // The server must answer every suspended request before its HTTP thread
  // stops (libmicrohttpd aborts otherwise), and exit 0 with no leak.
  const server = await env.server(['--longpoll-hold-ms', '20000']);
  const clients = await Promise.all(
    Array.from({ length: 20 }, (_, i) => new LpClient(server, `c${i}`).create()),
  );
  // A room each, so that no event ends a waiting GET early.
  await Promise.all(clients.map((c, i) => c.join(`lp-stop-${i}`)));
  // Half wait in a GET, the other half keep posting and polling.
  const polls = clients.slice(0, 10).map((c) => c.poll().catch((err) => ({ error: err.message })));
  let stop = false;
  const posters = clients.slice(10).map(async (c, i) => {
    for (let id = 100; !stop; id++) {
      await c.post({ type: 'candidate', id, transport: 'publish', candidate: null }).catch(() => {});
      if (i % 2) await c.poll().catch(() => {});
    }
  });
  await sleep(300);
  await server.stop(); // checks the exit status and the log for sanitizer reports
  server.proc = null; // stopped and checked: nothing left for the cleanup
  stop = true;
  await Promise.all(posters);
  const answers = await Promise.all(polls);
  const closed = answers.filter((a) => a.body && a.body.some((m) => m.type === 'close' && m.code === 1001));
  log(`waiting polls at shutdown: ${closed.length} of ${answers.length} got close 1001`);
  assert.deepEqual(
    answers.filter((a) => !closed.includes(a)),
    [],
    'every waiting GET is told the server shuts down',
  );
});

e2eTest('resume a long-poll session that dropped, over long-poll and over a WebSocket', { timeout: 60000 }, async (env) => {
  const server = await env.server(['--longpoll-hold-ms', String(HOLD_MS), '--longpoll-idle-ms', '1500', '--resume-grace', '20']);
  const ROOM = 'lp-resume';
  const w = await new LpClient(server, 'watcher').create();
  await w.join(ROOM);
  w.pump();
  for (const via of ['longpoll', 'websocket']) {
    const a = await new LpClient(server, `drop-${via}`).create();
    const joined = await a.join(ROOM);
    const token = joined.data.resume_token;
    assert.match(token, /^[0-9a-f]{32}$/);
    await w.until((m) => m.type === 'peer_joined' && m.peer.id === a.peerId, `peer_joined of ${a.name}`);
    // a stops polling: after the idle time its transport is gone. (A GET
    // would be a poll; an empty POST is not.)
    await waitFor(async () => (await a.post('[]')).status === 404, { timeout: 5000, what: `${a.name} to expire` });
    await w.post({ type: 'chat', id: 50, text: `while ${a.name} was away` });
    await w.answer(50);
    let reply;
    let later;
    let ws = null;
    if (via === 'longpoll') {
      const a2 = await new LpClient(server, `${a.name}-again`).create();
      await a2.post({ type: 'resume', id: 1, token });
      reply = await a2.answer(1);
      later = () => a2.until((m) => m.type === 'chat' && m.message.text.startsWith('while'), 'the queued chat');
    } else {
      ws = new WebSocket(server.wsUrl);
      const got = [];
      ws.on('message', (d) => got.push(JSON.parse(d.toString())));
      await new Promise((resolve, reject) => {
        ws.on('open', resolve);
        ws.on('error', reject);
      });
      ws.send(JSON.stringify({ type: 'resume', id: 1, token }));
      reply = await waitFor(() => got.find((m) => m.id === 1), { what: 'ws resume reply' });
      later = () => waitFor(() => got.find((m) => m.type === 'chat'), { what: 'the queued chat over ws' });
    }
    assert.equal(reply.type, 'reply', JSON.stringify(reply));
    assert.equal(reply.data.peer_id, a.peerId, 'the same peer comes back');
    const chat = await later();
    log(`${a.name} resumed over ${via}; queued while away: ${JSON.stringify(chat.message || chat)}`);
    // Nobody saw it leave.
    await sleep(300);
    assert.deepEqual(w.messages.filter((m) => m.type === 'peer_left'), [], 'no peer_left while resuming');
    if (ws) ws.close();
  }
  await w.stopPump();
});

// ---- (b) a real call over long-poll ----------------------------------------------

async function transportOf(page) {
  return page.evaluate(() => ({ transport: window.confab.transport, ws: !!window.confab.ws }));
}

e2eTest('a call between two Chromium pages forced to long-poll', { timeout: 150000 }, async (env) => {
  const server = await env.server();
  const browser = await env.browser('lp');
  const ROOM = 'lp-call';
  const pages = {};
  for (const name of ['ann', 'ben']) {
    pages[name] = await openCall(browser, server, { room: ROOM, name, transport: 'longpoll' });
  }
  for (const name of ['ann', 'ben']) {
    assert.deepEqual(await transportOf(pages[name]), { transport: 'longpoll', ws: false }, `${name}'s transport`);
  }
  const [annGets, benGets] = await Promise.all([
    waitForMedia(pages.ann, [pages.ben.__peerId], { minFrames: 60, minPackets: 20, timeout: 45000 }),
    waitForMedia(pages.ben, [pages.ann.__peerId], { minFrames: 60, minPackets: 20, timeout: 45000 }),
  ]);
  log(`ann receives ${JSON.stringify(annGets)}; ben receives ${JSON.stringify(benGets)}`);
  // Nothing went over a WebSocket: the server saw none.
  assert.deepEqual(server.grepLog(/websocket connected/), []);
  const errors = await pages.ann.evaluate(() => window.confab.errors);
  assert.deepEqual(errors, [], 'page errors');

  // A page that goes away says leave on its way out (a keepalive POST).
  const benId = pages.ben.__peerId;
  await pages.ben.close({ runBeforeUnload: true });
  const left = await pages.ann.waitForFunction(
    (id) => window.confab.events.find((e) => e.type === 'peer_left' && e.peer_id === id),
    benId,
    { timeout: 10000, polling: 100 },
  );
  const ev = await left.jsonValue();
  log(`ann saw ben leave: ${JSON.stringify(ev)}`);
  assert.equal(ev.reason, 'left');
});

// ---- falling back on its own -------------------------------------------------------

// Stand-ins for window.WebSocket, installed before the page runs: one fails
// at once (a proxy that refuses the upgrade), one never opens (one that
// holds it).
function refusingWebSocket() {
  window.WebSocket = class {
    constructor() {
      this.readyState = 0;
      setTimeout(() => {
        this.readyState = 3;
        if (this.onerror) this.onerror(new Event('error'));
        if (this.onclose) this.onclose({ code: 1006, reason: '' });
      }, 10);
    }
    send() {
      throw new Error('not open');
    }
    close() {}
  };
}

function hangingWebSocket() {
  window.WebSocket = class {
    constructor() {
      this.readyState = 0;
    }
    send() {
      throw new Error('not open');
    }
    close() {}
  };
}

e2eTest('the page falls back to long-poll when the WebSocket does not connect', { timeout: 120000 }, async (env) => {
  const server = await env.server();
  const ROOM = 'lp-fallback';
  const refused = await env.browser('refused');
  await refused.ctx.addInitScript(refusingWebSocket);
  const hanging = await env.browser('hanging');
  await hanging.ctx.addInitScript(hangingWebSocket);
  const normal = await env.browser('normal');

  const t0 = Date.now();
  const rita = await openCall(refused, server, { room: ROOM, name: 'rita' });
  const ritaMs = Date.now() - t0;
  const t1 = Date.now();
  const hugo = await openCall(hanging, server, { room: ROOM, name: 'hugo' });
  const hugoMs = Date.now() - t1;
  const nina = await openCall(normal, server, { room: ROOM, name: 'nina' });
  log(`joined: rita (refused WebSocket) after ${ritaMs} ms, hugo (hanging WebSocket) after ${hugoMs} ms`);

  assert.deepEqual(await transportOf(rita), { transport: 'longpoll', ws: false });
  assert.deepEqual(await transportOf(hugo), { transport: 'longpoll', ws: false });
  assert.deepEqual(await transportOf(nina), { transport: 'websocket', ws: true });
  assert.ok(hugoMs >= 2900, `hugo fell back after ${hugoMs} ms: before the WebSocket timeout?`);
  assert.ok(hugoMs < 10000, `hugo took ${hugoMs} ms to join`);

  // The three see each other, whatever their transport.
  for (const [page, want] of [
    [rita, ['hugo', 'nina']],
    [hugo, ['nina', 'rita']],
    [nina, ['hugo', 'rita']],
  ]) {
    await waitFor(
      async () => {
        const names = await page.evaluate(() => [...window.confab.peers.values()].map((p) => p.name).sort());
        return JSON.stringify(names) === JSON.stringify(want);
      },
      { timeout: 10000, what: `${page.__name}'s peer list` },
    );
  }
  // And media flows between a long-poll page and a WebSocket page.
  await waitForMedia(nina, [rita.__peerId], { minFrames: 30, minPackets: 10, timeout: 45000 });
  await waitForMedia(rita, [nina.__peerId], { minFrames: 30, minPackets: 10, timeout: 45000 });
});
