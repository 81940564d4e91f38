// Bad signaling input over a raw WebSocket: each mistake gets the documented
// error, the connection keeps working, the server stays up, and two real
// Chromium peers in the same room carry on undisturbed.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { e2eTest, fileWatchdog, log, openCall, receiveStats, summarize, waitForMedia, within } from './lib.mjs';

fileWatchdog(5 * 60 * 1000);

const ROOM = 'e2e-badinput';

// A minimal protocol client that keeps every message it receives.
class RawClient {
  constructor(url) {
    this.url = url;
    this.messages = [];
    this.waiters = [];
  }

  open() {
    return new Promise((resolve, reject) => {
      this.ws = new WebSocket(this.url);
      this.ws.on('open', resolve);
      this.ws.on('error', reject);
      this.ws.on('message', (data, isBinary) => {
        const text = data.toString();
        let msg;
        try {
          msg = JSON.parse(text);
        } catch {
          msg = { unparsable: text, isBinary };
        }
        this.messages.push(msg);
        this.waiters = this.waiters.filter((w) => !w(msg));
      });
      this.closed = new Promise((r) => this.ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    });
  }

  // Sends raw text and waits for the first reply/error that matches.
  sendRaw(text, match, what, timeout = 5000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${what} within ${timeout} ms; got: ${JSON.stringify(this.messages.slice(-5))}`)),
        timeout,
      );
      this.waiters.push((msg) => {
        if (!match(msg)) return false;
        clearTimeout(timer);
        resolve(msg);
        return true;
      });
      this.ws.send(text);
    });
  }

  send(obj, what) {
    const isAnswer = (m) => (m.type === 'reply' || m.type === 'error') && m.id === obj.id;
    return this.sendRaw(JSON.stringify(obj), isAnswer, what || obj.type);
  }

  // For messages whose id cannot be read the error carries "id": null.
  sendUnidentified(text, what) {
    return this.sendRaw(text, (m) => m.type === 'error' && m.id === null, what);
  }
}

function expectError(msg, code, id, what) {
  assert.equal(msg.type, 'error', `${what}: expected an error, got ${JSON.stringify(msg)}`);
  assert.equal(msg.code, code, `${what}: wrong code in ${JSON.stringify(msg)}`);
  assert.equal(msg.id, id, `${what}: wrong id in ${JSON.stringify(msg)}`);
  assert.equal(typeof msg.message, 'string', `${what}: no message text`);
  log(`${what}: ${msg.code} (${msg.message})`);
}

function stripLines(sdp, re) {
  const lines = sdp.split('\r\n');
  const kept = lines.filter((l) => !re.test(l));
  assert.ok(kept.length < lines.length, `nothing matched ${re}`);
  return kept.join('\r\n');
}

// An offer straight from Chromium, as a browser would send with publish.
function chromiumOffer(page) {
  return page.evaluate(async () => {
    const pc = new RTCPeerConnection({ iceServers: [], bundlePolicy: 'max-bundle' });
    for (const t of window.confab.localStream.getTracks()) pc.addTransceiver(t, { direction: 'sendonly' });
    const offer = await pc.createOffer();
    pc.close();
    return offer.sdp;
  });
}

e2eTest('bad signaling input is refused and harms nobody', { timeout: 150000 }, async (env) => {
  const server = await env.server();
  const browser = await env.browser('peers');
  const alice = await openCall(browser, server, { room: ROOM, name: 'alice' });
  const bob = await openCall(browser, server, { room: ROOM, name: 'bob' });
  await waitForMedia(alice, [bob.__peerId], { minFrames: 15, timeout: 30000 });
  await waitForMedia(bob, [alice.__peerId], { minFrames: 15, timeout: 30000 });
  await alice.waitForFunction(() => window.confab.localStream, null, { timeout: 10000 });
  const goodOffer = await chromiumOffer(alice);
  const framesBefore = summarize(await receiveStats(alice))[bob.__peerId].frames;
  const bobFramesBefore = summarize(await receiveStats(bob))[alice.__peerId].frames;

  const c = new RawClient(server.wsUrl);
  await c.open();
  let id = 1;

  // Before join.
  expectError(await c.send({ type: 'publish', id: id++, sdp: goodOffer }), 'not_joined', 1, 'publish before join');
  expectError(
    await c.send({ type: 'candidate', id: id++, transport: 'publish', candidate: null }),
    'not_joined',
    2,
    'candidate before join',
  );

  // Not JSON, or not an object.
  expectError(await c.sendUnidentified('{"type": "join", "id": 3,', 'truncated JSON'), 'bad_json', null, 'truncated JSON');
  expectError(await c.sendUnidentified('not json at all', 'garbage text'), 'bad_json', null, 'garbage text');
  expectError(await c.sendUnidentified('[1, 2, 3]', 'JSON array'), 'bad_json', null, 'JSON array');
  expectError(
    await c.sendUnidentified('{"type":"join","id":5,"id":6,"room":"r","name":"m"}', 'duplicate key'),
    'bad_json',
    null,
    'duplicate key',
  );
  expectError(
    await c.sendRaw(
      Buffer.from('{"type":"join","id":7,"room":"r","name":"m"}'),
      (m) => m.type === 'error' && m.id === null,
      'binary message',
    ),
    'bad_json',
    null,
    'binary message',
  );

  // Unknown type, wrong field types.
  expectError(
    await c.sendUnidentified('{"type":"join","id":"seven","room":"r","name":"m"}', 'id is a string'),
    'bad_request',
    null,
    'id is a string',
  );
  expectError(await c.send({ type: 'frobnicate', id: 10 }), 'unknown_type', 10, 'unknown type');
  expectError(await c.send({ type: 'join', id: 11, room: 42, name: 'mallory' }), 'bad_request', 11, 'room is a number');
  expectError(await c.send({ type: 'join', id: 12, room: ROOM, name: ['m'] }), 'bad_request', 12, 'name is an array');
  expectError(await c.send({ type: 'join', id: 13, room: 'no spaces allowed', name: 'm' }), 'bad_request', 13, 'bad room name');

  // Now join, for real, on the same connection.
  const join = await c.send({ type: 'join', id: 20, room: ROOM, name: 'mallory' });
  assert.equal(join.type, 'reply', `join after errors: ${JSON.stringify(join)}`);
  const seen = join.data.peers.map((p) => p.name).sort();
  assert.deepEqual(seen, ['alice', 'bob'], 'join reply lists the two browsers');
  expectError(await c.send({ type: 'join', id: 21, room: ROOM, name: 'again' }), 'already_joined', 21, 'second join');

  // Broken offers.
  expectError(await c.send({ type: 'publish', id: 30, sdp: 'this is not SDP\r\n' }), 'bad_sdp', 30, 'garbage SDP');
  expectError(await c.send({ type: 'publish', id: 31, sdp: 17 }), 'bad_request', 31, 'sdp is a number');
  expectError(
    await c.send({ type: 'publish', id: 32, sdp: stripLines(goodOffer, /^a=ice-(ufrag|pwd):/) }),
    'sdp_no_ice',
    32,
    'offer without ICE credentials',
  );
  expectError(
    await c.send({ type: 'publish', id: 33, sdp: stripLines(goodOffer, /^a=fingerprint:/) }),
    'sdp_no_fingerprint',
    33,
    'offer without fingerprint',
  );
  expectError(
    await c.send({ type: 'candidate', id: 34, transport: 'sideways', candidate: null }),
    'bad_request',
    34,
    'unknown transport',
  );

  // The same connection still works: a valid publish gets an answer.
  const pub = await c.send({ type: 'publish', id: 40, sdp: goodOffer });
  assert.equal(pub.type, 'reply', `valid publish after errors: ${JSON.stringify(pub)}`);
  assert.match(pub.data.sdp, /^v=0\r\n/, 'the answer is SDP');
  assert.match(pub.data.sdp, /\r\na=fingerprint:/, 'the answer has a fingerprint');
  log('valid publish after the bad input: answered');

  // The server is up, and the browsers carried on decoding each other.
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200, 'GET /healthz');
  // A machine under load (sanitizers, 2 cores) may decode slowly: wait for
  // the frames rather than count them in a fixed window.
  const after = await waitForMedia(alice, [bob.__peerId], { minFrames: framesBefore + 15, timeout: 15000 });
  log(`alice's frames from bob: ${framesBefore} -> ${after[bob.__peerId].frames}`);
  await waitForMedia(bob, [alice.__peerId], { minFrames: bobFramesBefore + 15, timeout: 15000 });
  for (const p of [alice, bob]) {
    const left = await p.evaluate(() => window.confab.events.filter((e) => e.type === 'peer_left'));
    assert.deepEqual(left, [], `${p.__name} saw nobody leave`);
    const errors = await p.evaluate(() => window.confab.errors);
    assert.deepEqual(errors, [], `${p.__name}'s page errors`);
  }

  // Goodbye: the reply comes, then the server closes the connection.
  const bye = await c.send({ type: 'leave', id: 50 });
  assert.equal(bye.type, 'reply', JSON.stringify(bye));
  const closed = await within(c.closed, 5000, 'still open');
  assert.deepEqual(closed, { code: 1000, reason: 'left' }, 'the server closes the connection after leave');
  for (const p of [alice, bob]) {
    await p.waitForFunction(
      () => window.confab.events.some((e) => e.type === 'peer_left' && e.reason === 'left'),
      null,
      { timeout: 5000 },
    );
  }
  assert.ok(await server.healthy(), 'server still healthy at the end');
});
