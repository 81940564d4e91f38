// confab's built-in STUN server (issue 6), as a client sees it: the join and
// resume replies' ice_servers point at stun:HOST:3478 with the host the
// client used (WebSocket and long-poll), that server really answers a
// Binding request with the client's address, GET /metrics counts it, and
// the start-up rules hold: a taken default port is only a warning (empty
// ice_servers), an explicitly asked-for port that is taken stops confab,
// --stun-port 0 turns it off and --stun-url overrides the URL.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import WebSocket from 'ws';
import { e2eTest, fileWatchdog } from './lib.mjs';

fileWatchdog(4 * 60 * 1000);

// Opens a WebSocket (optionally with another Host header), joins, returns
// the reply's data and the socket.
function wsJoin(server, room, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, { headers, origin: server.url });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', id: 1, room, name: 'stun' })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.id === 1) (m.type === 'reply' ? resolve({ data: m.data, ws }) : reject(new Error(JSON.stringify(m))));
    });
  });
}

function wsResume(server, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.wsUrl, { origin: server.url });
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'resume', id: 1, token })));
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.id === 1) (m.type === 'reply' ? resolve({ data: m.data, ws }) : reject(new Error(JSON.stringify(m))));
    });
  });
}

// A Binding request over UDP, written from RFC 8489 here; resolves with the
// XOR-MAPPED-ADDRESS and the local address it was sent from.
function stunBinding(host, port) {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const req = Buffer.alloc(20);
    req.writeUInt16BE(0x0001, 0);
    req.writeUInt32BE(0x2112a442, 4);
    crypto.randomBytes(12).copy(req, 8);
    const timer = setTimeout(() => { sock.close(); reject(new Error('no STUN answer')); }, 5000);
    sock.on('message', (buf) => {
      clearTimeout(timer);
      const local = sock.address();
      sock.close();
      if (buf.readUInt16BE(0) !== 0x0101 || !buf.subarray(8, 20).equals(req.subarray(8, 20))) return reject(new Error(`bad answer ${buf.toString('hex')}`));
      for (let off = 20; off + 4 <= buf.length; ) {
        const type = buf.readUInt16BE(off), len = buf.readUInt16BE(off + 2);
        if (type === 0x0020) {
          const p = buf.readUInt16BE(off + 6) ^ 0x2112;
          const ip = [0, 1, 2, 3].map((i) => buf[off + 8 + i] ^ req[4 + i]).join('.');
          return resolve({ mapped: `${ip}:${p}`, local: `${local.address}:${local.port}` });
        }
        off += 4 + ((len + 3) & ~3);
      }
      reject(new Error('no XOR-MAPPED-ADDRESS'));
    });
    sock.bind(0, '127.0.0.1', () => sock.send(req, port, host));
  });
}

async function metrics(server) {
  const r = await fetch(`${server.url}/metrics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  const text = await r.text();
  const values = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-z_]+) (\d+)$/);
    if (m) values[m[1]] = Number(m[2]);
  }
  return values;
}

e2eTest('ice_servers names the built-in STUN server, which answers', { timeout: 60000 }, async (env) => {
  const server = await env.server(['--stun-port', '3478']);
  const { data, ws } = await wsJoin(server, 'stun-room');
  assert.deepEqual(data.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  // The URL the client got is a working STUN server that tells it its address.
  const url = new URL(data.ice_servers[0].urls[0].replace('stun:', 'stun://'));
  const b = await stunBinding(url.hostname, Number(url.port));
  assert.equal(b.mapped, b.local);
  // Another Host header, another URL; long-poll takes its Host too.
  const other = await wsJoin(server, 'stun-room', { Host: `localhost:${server.port}` });
  assert.deepEqual(other.data.ice_servers, [{ urls: ['stun:localhost:3478'] }]);
  const lp = await fetch(`${server.url}/lp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
  const { sid } = await lp.json();
  const posted = await fetch(`${server.url}/lp/${sid}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ type: 'join', id: 7, room: 'stun-room', name: 'lp' }) });
  assert.ok(posted.ok, `long-poll POST: ${posted.status}`);
  let reply = null;
  for (let i = 0; i < 20 && !reply; i++) {
    const got = await (await fetch(`${server.url}/lp/${sid}`)).json();
    reply = got.find((m) => m.id === 7) || null;
  }
  assert.equal(reply?.type, 'reply', JSON.stringify(reply));
  assert.deepEqual(reply.data.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  // A resume reply carries it as well.
  ws.terminate();
  const resumed = await wsResume(server, data.resume_token);
  assert.deepEqual(resumed.data.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  // GET /metrics counts the request and the answer, and the signaling side
  // (those gauges are copied from the control thread once a second).
  let m = await metrics(server);
  for (let i = 0; i < 100 && m.confab_sessions < 2; i++) {
    await new Promise((r) => setTimeout(r, 100));
    m = await metrics(server);
  }
  assert.equal(m.confab_stun_enabled, 1);
  assert.equal(m.confab_stun_udp_requests_total, 1);
  assert.equal(m.confab_stun_success_responses_total, 1);
  assert.ok(m.confab_rooms >= 1, JSON.stringify(m));
  assert.ok(m.confab_sessions >= 2, JSON.stringify(m));
  assert.ok('confab_websocket_connections' in m);
  resumed.ws.terminate();
  other.ws.terminate();
});

e2eTest('a taken default port is a warning, a taken explicit port an error', { timeout: 60000 }, async (env) => {
  const first = await env.server([]); // the default: 3478
  assert.deepEqual((await wsJoin(first, 'a')).data.ice_servers, [{ urls: ['stun:127.0.0.1:3478'] }]);
  const second = await env.server([]); // default port taken: runs without STUN
  assert.deepEqual((await wsJoin(second, 'b')).data.ice_servers, []);
  assert.equal((await metrics(second)).confab_stun_enabled, 0);
  const proc = spawn(process.env.CONFAB_BIN, ['--port', '0', '--bind', '127.0.0.1', '--ice-address', '127.0.0.1', '--stun-port', '3478']);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const code = await new Promise((r) => proc.on('exit', r));
  assert.equal(code, 1);
  assert.match(err, /STUN server: UDP 127\.0\.0\.1:3478: bind: Address already in use/);
});

e2eTest('--stun-port 0 and --stun-url', { timeout: 60000 }, async (env) => {
  const off = await env.server(['--stun-port', '0']);
  assert.deepEqual((await wsJoin(off, 'x')).data.ice_servers, []);
  const url = await env.server(['--stun-port', '0', '--stun-url', 'stun:stun.example.org:3478']);
  assert.deepEqual((await wsJoin(url, 'y')).data.ice_servers, [{ urls: ['stun:stun.example.org:3478'] }]);
});
