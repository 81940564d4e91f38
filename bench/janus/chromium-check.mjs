// Checks that bench/janus/run.sh gives a Janus real browsers can use: one
// headless Chromium page publishes camera + microphone (fake devices) into
// a VideoRoom, a second page subscribes; passes when the subscriber has
// decoded 30 video frames and 50 audio packets. Speaks the Janus API
// directly over its WebSocket (no janus.js).
//
//   node chromium-check.mjs ws://ADDR:8188/   (inside the namespace, after run.sh start)
//
// Exit status 0 on success. See README.md for the whole sequence.
import http from 'node:http';
import { createRequire } from 'node:module';
// playwright-core is installed for the e2e tests.
const require = createRequire(new URL('../../tests/e2e/package.json', import.meta.url));
const { chromium } = require('playwright-core');
const WS = process.argv[2] || 'ws://10.99.0.1:8188/';
const ARGS = ['--headless=new', '--no-sandbox', '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection', '--disable-gpu',
  '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const PAGE = `<!doctype html><script>
window.janus = (url) => new Promise((resolve, reject) => {
  const ws = new WebSocket(url, 'janus-protocol');
  const pending = new Map(); const events = [];
  let waiters = [];
  ws.onmessage = (m) => {
    const j = JSON.parse(m.data);
    if (j.transaction && pending.has(j.transaction) && j.janus !== 'ack') {
      pending.get(j.transaction)(j); pending.delete(j.transaction); return;
    }
    if (j.janus === 'ack') return;
    events.push(j); waiters.forEach((w) => w()); waiters = [];
  };
  ws.onerror = () => reject(new Error('ws error'));
  const send = (o) => new Promise((r) => { const t = Math.random().toString(36).slice(2);
    pending.set(t, r); ws.send(JSON.stringify({ ...o, transaction: t })); });
  const next = async (pred) => { for (;;) { const i = events.findIndex(pred);
    if (i >= 0) return events.splice(i, 1)[0]; await new Promise((r) => waiters.push(r)); } };
  ws.onopen = () => resolve({ send, next, ws });
});
async function handle(url) {
  const j = await janus(url);
  const s = await j.send({ janus: 'create' });
  const sid = s.data.id;
  setInterval(() => j.send({ janus: 'keepalive', session_id: sid }), 25000);
  const a = await j.send({ janus: 'attach', session_id: sid, plugin: 'janus.plugin.videoroom' });
  const hid = a.data.id;
  const msg = (body, jsep) => j.send({ janus: 'message', session_id: sid, handle_id: hid, body, ...(jsep ? { jsep } : {}) });
  const trickle = (c) => j.send({ janus: 'trickle', session_id: sid, handle_id: hid,
    candidate: c ? { candidate: c.candidate, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex } : { completed: true } });
  return { j, sid, hid, msg, trickle };
}
window.publish = async (url, room) => {
  const h = await handle(url);
  const cr = await h.msg({ request: 'create', room, publishers: 10 });
  const jr = await h.msg({ request: 'join', ptype: 'publisher', room, display: 'pub' });
  const joined = jr.janus === 'event' ? jr : await h.j.next((e) => e.plugindata && e.plugindata.data.videoroom === 'joined');
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.pubpc = pc;
  pc.onicecandidate = (e) => h.trickle(e.candidate);
  const st = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
  st.getTracks().forEach((t) => pc.addTransceiver(t, { direction: 'sendonly', streams: [st] }));
  const offer = await pc.createOffer(); await pc.setLocalDescription(offer);
  const ev = await h.msg({ request: 'configure', audio: true, video: true }, { type: 'offer', sdp: offer.sdp });
  await pc.setRemoteDescription(ev.jsep);
  return { create: cr.plugindata && cr.plugindata.data, id: joined.plugindata.data.id, answerLines: ev.jsep.sdp.split('\\r\\n').filter((l) => l.startsWith('a=candidate') || l.startsWith('m=')) };
};
window.subscribe = async (url, room, feed) => {
  const h = await handle(url);
  const ev = await h.msg({ request: 'join', ptype: 'subscriber', room, streams: [{ feed }] });
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.subpc = pc;
  pc.onicecandidate = (e) => h.trickle(e.candidate);
  await pc.setRemoteDescription(ev.jsep);
  const ans = await pc.createAnswer(); await pc.setLocalDescription(ans);
  h.msg({ request: 'start' }, { type: 'answer', sdp: ans.sdp });
  return ev.jsep.sdp.split('\\r\\n').filter((l) => l.startsWith('m=') || l.startsWith('a=candidate'));
};
window.inbound = async () => { const r = []; (await subpc.getStats()).forEach((s) => {
  if (s.type === 'inbound-rtp') r.push({ kind: s.kind, packets: s.packetsReceived, frames: s.framesDecoded, w: s.frameWidth, lost: s.packetsLost }); }); return r; };
</script>`;

const srv = http.createServer((q, r) => { r.setHeader('content-type', 'text/html'); r.end(PAGE); });
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${srv.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
let ok = false;
try {
  const ctx = await browser.newContext();
  const p1 = await ctx.newPage(); const p2 = await ctx.newPage();
  p1.on('console', (m) => console.log('pub:', m.text())); p2.on('console', (m) => console.log('sub:', m.text()));
  await p1.goto(origin); await p2.goto(origin);
  const pub = await p1.evaluate(([u, r]) => publish(u, r), [WS, 4242]);
  console.log('published', JSON.stringify(pub));
  const sub = await p2.evaluate(([u, r, f]) => subscribe(u, r, f), [WS, 4242, pub.id]);
  console.log('subscriber offer lines', JSON.stringify(sub));
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const st = await p2.evaluate(() => inbound());
    const v = st.find((s) => s.kind === 'video');
    const a = st.find((s) => s.kind === 'audio');
    if (v && v.frames > 30 && a && a.packets > 50) { console.log('OK subscriber decoding', JSON.stringify(st)); ok = true; break; }
    if (i % 4 === 0) console.log('stats', JSON.stringify(st), await p1.evaluate(() => pubpc.connectionState), await p2.evaluate(() => subpc.connectionState));
  }
} finally { await browser.close(); srv.close(); }
process.exit(ok ? 0 : 1);
