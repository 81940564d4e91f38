// Shared helpers for the browser end-to-end tests: start confab, launch
// headless Chromium, open call pages, read WebRTC statistics.
//
// Every test must run inside tests/e2e/netns.sh so that the server and the
// browsers only ever see a private loopback interface.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const artifactsRoot = process.env.CONFAB_E2E_ARTIFACTS || path.join(here, 'artifacts');
// One directory per run, so that concurrent or repeated runs never mix logs.
const runName = `${path.basename(process.argv[1] || 'run', '.mjs')}-${new Date().toISOString().replace(/[:.]/g, '')}-${process.pid}`;
export const artifactsDir = path.join(artifactsRoot, runName);

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SANITIZER_PATTERNS = [
  /runtime error:/,
  /ERROR: AddressSanitizer/,
  /ERROR: LeakSanitizer/,
  /WARNING: ThreadSanitizer/,
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolves like promise, or to fallback after ms; leaves no timer behind to
// hold the process open.
export function within(promise, ms, fallback = undefined) {
  let timer;
  const late = new Promise((r) => {
    timer = setTimeout(() => r(fallback), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export function log(...args) {
  const t = (performance.now() / 1000).toFixed(2).padStart(7);
  console.log(`[${t}s]`, ...args);
}

// Refuse to run outside a private namespace: a test that opened sockets on
// the host's real interfaces would break the rule that nothing leaves it.
export function assertInsideNamespace() {
  const names = Object.keys(os.networkInterfaces());
  // /proc/net follows the caller's namespace (/sys would show the host's).
  const ifaces = fs
    .readFileSync('/proc/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.split(':')[0].trim())
    .filter(Boolean);
  if (process.env.CONFAB_NETNS_INSIDE !== '1' || ifaces.some((n) => n !== 'lo') || names.some((n) => n !== 'lo')) {
    throw new Error(`e2e tests must run under tests/e2e/netns.sh (interfaces: ${ifaces.join(', ')})`);
  }
}

// Polls fn() until it returns a truthy value; fails with the last value seen.
export async function waitFor(fn, { timeout = 10000, interval = 200, what = 'condition' } = {}) {
  const start = Date.now();
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() - start > timeout) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
    }
    await sleep(interval);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function slug(s) {
  return s.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80);
}

// ---- confab ---------------------------------------------------------------

async function httpOk(url) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
    return r.ok;
  } catch {
    return false;
  }
}

export class Server {
  // port: a fixed port (to restart a server where the last one was).
  constructor(name, extraArgs = [], { port = null } = {}) {
    this.name = name;
    this.extraArgs = extraArgs;
    this.exit = null;
    this.fixedPort = port;
  }

  async start() {
    fs.mkdirSync(artifactsDir, { recursive: true });
    const bin = process.env.CONFAB_BIN;
    if (!bin) throw new Error('CONFAB_BIN is not set (path of the confab binary)');
    this.port = this.fixedPort || (await freePort());
    this.url = `http://127.0.0.1:${this.port}`;
    this.wsUrl = `ws://127.0.0.1:${this.port}/ws`;
    this.logPath = path.join(artifactsDir, `${slug(this.name)}.confab.log`);
    const fd = fs.openSync(this.logPath, 'w');
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--ice-address', '127.0.0.1', ...this.extraArgs];
    const env = {
      ...process.env,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=0',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1',
    };
    log(`starting ${bin} ${args.join(' ')} (log ${this.logPath})`);
    this.proc = spawn(bin, args, { stdio: ['ignore', fd, fd], env });
    fs.closeSync(fd);
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.proc.on('error', (err) => {
        this.exit = { code: null, signal: null, error: err.message };
        resolve(this.exit);
      });
    });
    const deadline = Date.now() + 15000;
    while (!(await httpOk(`${this.url}/healthz`))) {
      if (this.exit) throw new Error(`confab exited during start-up: ${JSON.stringify(this.exit)}\n${this.logTail()}`);
      if (Date.now() > deadline) throw new Error(`confab did not answer /healthz within 15 s\n${this.logTail()}`);
      await sleep(100);
    }
    return this;
  }

  healthy() {
    return httpOk(`${this.url}/healthz`);
  }

  logText() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  logTail(lines = 40) {
    return this.logText().split('\n').slice(-lines).join('\n');
  }

  grepLog(re) {
    return this.logText()
      .split('\n')
      .filter((l) => re.test(l));
  }

  // SIGTERM, then wait; a non-zero exit or a sanitizer report is a failure.
  async stop() {
    if (!this.proc || this.stopped) return;
    this.stopped = true;
    const problems = [];
    if (!this.exit) {
      this.proc.kill('SIGTERM');
      const done = await within(this.exited, 15000, null);
      if (!done) {
        problems.push('confab did not exit within 15 s of SIGTERM (killed)');
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    } else {
      problems.push(`confab died before the end of the test: ${JSON.stringify(this.exit)}`);
    }
    if (this.exit.code !== 0) problems.push(`confab exit status ${JSON.stringify(this.exit)}`);
    const text = this.logText();
    const hits = SANITIZER_PATTERNS.filter((re) => re.test(text));
    if (hits.length) problems.push(`sanitizer report in ${this.logPath}: ${hits.join(', ')}`);
    log(`confab stopped: ${JSON.stringify(this.exit)}`);
    if (problems.length) {
      throw new Error(`${problems.join('; ')}\n--- confab log tail ---\n${this.logTail(60)}`);
    }
  }
}

// ---- Chromium ---------------------------------------------------------------

function descendants(pid) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      // The command name may hold spaces or parentheses; the ppid follows the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch {
      // the process ended while we looked
    }
  }
  const out = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    out.push(p);
    stack.push(...(children.get(p) || []));
  }
  return out;
}

function findBrowserPid(userDataDir) {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let argv;
    try {
      argv = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (argv.includes(`--user-data-dir=${userDataDir}`) && !argv.some((a) => a.startsWith('--type='))) {
      return Number(d);
    }
  }
  return null;
}

export class Browser {
  // args: Chromium's command line (CHROMIUM_ARGS, or a variant of it).
  constructor(name, args = CHROMIUM_ARGS) {
    this.name = name;
    this.args = args;
    this.pages = [];
  }

  async launch() {
    fs.mkdirSync(artifactsDir, { recursive: true });
    this.userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'confab-e2e-chromium-'));
    this.ctx = await chromium.launchPersistentContext(this.userDataDir, {
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: this.args,
      timeout: 30000,
    });
    this.pid = findBrowserPid(this.userDataDir);
    log(`browser ${this.name} pid ${this.pid}`);
    return this;
  }

  // Suspends every process of this browser: to the server it looks like a
  // machine that vanished without closing anything.
  freeze() {
    this.frozenPids = descendants(this.pid);
    for (const p of this.frozenPids) {
      try {
        process.kill(p, 'SIGSTOP');
      } catch {
        // already gone
      }
    }
    log(`browser ${this.name} frozen (pids ${this.frozenPids.join(' ')})`);
  }

  kill() {
    const pids = this.pid ? descendants(this.pid) : [];
    for (const p of pids) {
      for (const sig of ['SIGKILL', 'SIGCONT']) {
        try {
          process.kill(p, sig);
        } catch {
          // already gone
        }
      }
    }
    this.killed = true;
  }

  async close() {
    if (!this.ctx) return;
    if (this.killed || this.frozenPids) {
      this.kill();
      await within(this.ctx.close().catch(() => {}), 3000);
    } else {
      await within(this.ctx.close().catch(() => {}), 10000);
      if (this.pid && fs.existsSync(`/proc/${this.pid}`)) this.kill();
    }
    this.ctx = null;
    fs.rmSync(this.userDataDir, { recursive: true, force: true });
  }
}

// ---- call pages ---------------------------------------------------------------

// Runs inside the page: joins through the client library (confab.js) with
// the fake camera and microphone, and keeps the view of the call the tests
// read as window.confab. The tests do not depend on the page's UI.
async function startCall({ room, name, transport }) {
  const c = {
    call: null,
    events: [], // every event received, without its sdp, with `at` (performance.now())
    tracks: [], // the latest track list from an `offer` or `tracks` event
    received: [], // every remote track seen: { track, stream, streamId, mid, at, endedAt, removedAt }
    states: [], // every 'state' event of the library, with `at`
    lib: [], // the library's other events (peer-joined, track-added, chat, ...), with `at`
    joinedAt: null,
    errors: [],
    localStream: null,
    locals: [], // the library's LocalTracks
  };
  window.confab = c;
  const fail = (where, err) => c.errors.push(`${where}: ${err && err.message ? err.message : err}`);
  try {
    const { Confab } = await import('/confab.js');
    const call = new Confab({ transport: transport || 'auto' });
    c.call = call;
    for (const [key, get] of [
      ['peerId', () => call.peerId],
      ['peers', () => call.peers],
      ['publishPc', () => call.publishPc],
      ['subscribePc', () => call.subscribePc],
      ['transport', () => call.transportName],
      ['ws', () => (call.connection && call.connection.ws) || null],
    ]) {
      Object.defineProperty(c, key, { get, enumerable: true });
    }
    c.restartIce = () => call.restartIce();
    call.on('message', ({ msg }) => {
      if (msg.type === 'reply' || msg.type === 'error') return;
      const { sdp, ...logged } = msg;
      c.events.push({ ...logged, at: performance.now() });
      if (msg.type === 'offer' || msg.type === 'tracks') c.tracks = msg.tracks || [];
    });
    call.on('state', (e) => c.states.push({ ...e, at: performance.now() }));
    // The library's own events, reduced to what JSON can carry.
    for (const ev of ['peer-joined', 'peer-left', 'track-added', 'track-removed', 'track-muted', 'chat', 'rejoined', 'quality']) {
      call.on(ev, (d) => {
        const t = d.track;
        c.lib.push({
          name: ev,
          at: performance.now(),
          peer: d.peer ? d.peer.id : undefined,
          track: t ? { id: t.id, kind: t.kind, source: t.source, muted: t.muted } : undefined,
          ...Object.fromEntries(['muted', 'reason', 'message', 'peerId', 'previousPeerId', 'quality'].filter((k) => k in d).map((k) => [k, d[k]])),
        });
      });
    }
    call.on('error', (e) => fail(e.code, e));
    call.on('track-added', ({ peer, track }) => {
      const stream = peer.stream || track.stream;
      const entry = { track: track.track, stream, streamId: stream.id, mid: track.mid, at: performance.now(), endedAt: null, removedAt: null };
      c.received.push(entry);
      track.track.addEventListener('ended', () => (entry.endedAt = performance.now()));
      stream.addEventListener('removetrack', (ev) => {
        const r = c.received.find((x) => x.track === ev.track && x.stream === stream);
        if (r && r.removedAt === null) r.removedAt = performance.now();
      });
    });
    // Ask for the camera while the connection opens; both take a moment.
    const media = navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240, frameRate: 15 } });
    media.catch(() => {}); // reported below, after join
    await call.join(room, name);
    c.joinedAt = performance.now();
    c.localStream = await media;
    c.locals = await Promise.all(c.localStream.getTracks().map((t) => call.publish(t)));
  } catch (err) {
    fail('join', err);
  }
}

// Opens a page of confab's origin and joins the room through the client
// library (startCall). Unless wait is false, also waits for the join reply
// (see joined()). transport ('longpoll' or 'websocket') forces the
// library's signaling transport.
export async function openCall(browser, server, { room, name, wait = true, transport = null }) {
  const page = browser.ctx.pages().find((p) => p.url() === 'about:blank' && !p.__used) || (await browser.ctx.newPage());
  page.__used = true;
  page.__name = name;
  const logPath = path.join(artifactsDir, `${slug(`${room}-${name}`)}.console.log`);
  const out = fs.createWriteStream(logPath);
  page.on('console', (m) => out.write(`${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => out.write(`pageerror: ${e.message}\n`));
  page.on('close', () => out.end());
  await page.addInitScript({ content: `window.__confabCollect = ${collectReceiveStats.toString()};` });
  // Any page of the server's origin will do: the library comes from it.
  await page.goto(`${server.url}/healthz`, { waitUntil: 'domcontentloaded' });
  browser.pages.push(page);
  await page.evaluate(`(${startCall.toString()})(${JSON.stringify({ room, name, transport })}); undefined`);
  if (wait) await joined(page);
  return page;
}

export async function joined(page) {
  await page.waitForFunction(() => window.confab && (window.confab.peerId || window.confab.errors.length), null, {
    timeout: 10000,
    polling: 50,
  });
  const errors = await page.evaluate(() => window.confab.errors);
  if (errors.length) throw new Error(`${page.__name} could not join: ${errors.join('; ')}`);
  page.__peerId = await page.evaluate(() => window.confab.peerId);
  log(`${page.__name} joined as ${page.__peerId}`);
  return page.__peerId;
}

// Measured inside the page, so that no round trip to the test adds to it:
// milliseconds from the join reply to the first decoded frame of each
// publisher (null if none within timeout).
export function firstFrameTimes(page, publishers, timeout) {
  return page.evaluate(
    async ({ publishers, timeout }) => {
      const c = () => window.confab;
      while (!c() || !c().joinedAt) await new Promise((r) => setTimeout(r, 5));
      const t0 = c().joinedAt;
      const first = Object.fromEntries(publishers.map((p) => [p, null]));
      let polls = 0;
      while (performance.now() - t0 < timeout && Object.values(first).includes(null)) {
        const st = await window.__confabCollect();
        polls++;
        const now = performance.now() - t0;
        for (const p of publishers) {
          const frames = st.byPeer[p] ? Math.max(0, ...st.byPeer[p].video.map((v) => v.framesDecoded)) : 0;
          if (frames > 0 && first[p] === null) first[p] = Math.round(now);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      return { first, polls };
    },
    { publishers, timeout },
  );
}

// What a page receives, grouped by publisher. Each inbound-rtp is mapped to
// its publisher twice: by the MediaStream id it arrived in and by its mid in
// the server's `tracks` list; the two must agree.
export function receiveStats(page) {
  return page.evaluate(() => window.__confabCollect());
}

async function collectReceiveStats() {
  const c = window.confab;
  const pc = c && c.subscribePc;
  const out = { byPeer: {}, mismatches: [], ice: pc ? pc.iceConnectionState : null };
  if (!pc) return out;
  const transceiverByTrack = new Map();
  for (const t of pc.getTransceivers()) transceiverByTrack.set(t.receiver.track.id, t);
  const trackByMid = new Map(c.tracks.map((t) => [t.mid, t]));
  const streamByTrack = new Map(c.received.map((r) => [r.track.id, r.streamId]));
  const stats = await pc.getStats();
  stats.forEach((s) => {
    if (s.type !== 'inbound-rtp') return;
    const tr = transceiverByTrack.get(s.trackIdentifier);
    if (!tr || tr.stopped || tr.currentDirection === 'stopped') return; // an old, renegotiated-away track
    const mid = s.mid !== undefined ? s.mid : tr.mid;
    const listed = trackByMid.get(mid);
    const streamId = streamByTrack.get(s.trackIdentifier);
    const peer = streamId || (listed && listed.peer_id) || `unknown-mid-${mid}`;
    if (listed && streamId && listed.peer_id !== streamId) {
      out.mismatches.push({ mid, listed: listed.peer_id, streamId });
    }
    if (listed && listed.kind !== s.kind) out.mismatches.push({ mid, listedKind: listed.kind, kind: s.kind });
    const p = (out.byPeer[peer] ||= { video: [], audio: [] });
    if (s.kind === 'video') {
      p.video.push({ mid, framesDecoded: s.framesDecoded || 0, width: s.frameWidth, height: s.frameHeight });
    } else {
      p.audio.push({ mid, packetsReceived: s.packetsReceived || 0 });
    }
  });
  return out;
}

// Per publisher: the best video track's frames and the best audio track's packets.
export function summarize(stats) {
  const out = {};
  for (const [peer, p] of Object.entries(stats.byPeer)) {
    out[peer] = {
      frames: Math.max(0, ...p.video.map((v) => v.framesDecoded)),
      audioPackets: Math.max(0, ...p.audio.map((a) => a.packetsReceived)),
    };
  }
  return out;
}

// Waits until `page` decodes at least minFrames video frames and receives
// at least minPackets audio packets from each of the given publishers.
export async function waitForMedia(page, publishers, { minFrames = 1, minPackets = 1, timeout = 20000 } = {}) {
  let last;
  try {
    await waitFor(
      async () => {
        const st = await receiveStats(page);
        last = summarize(st);
        if (st.mismatches.length) throw new Error(`stream id / tracks list disagree: ${JSON.stringify(st.mismatches)}`);
        return publishers.every((p) => last[p] && last[p].frames >= minFrames && last[p].audioPackets >= minPackets);
      },
      { timeout, interval: 250, what: `${page.__name} media from ${publishers.join(', ')}` },
    );
  } catch (err) {
    err.message += `\nlast stats of ${page.__name}: ${JSON.stringify(last)}`;
    throw err;
  }
  return last;
}

// ---- the test wrapper -----------------------------------------------------------

// A test with its own resources and a hard deadline: whatever happens, the
// browsers are closed and the server is stopped (and checked) at the end.
export function e2eTest(name, { timeout = 120000 } = {}, body) {
  test(name, { timeout: timeout + 45000 }, async (t) => {
    assertInsideNamespace();
    const env = new Env(name);
    let timer;
    const deadline = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test exceeded its hard limit of ${timeout} ms`)), timeout);
    });
    const errors = [];
    try {
      await Promise.race([body(env, t), deadline]);
    } catch (err) {
      errors.push(err);
    } finally {
      clearTimeout(timer);
    }
    errors.push(...(await env.cleanup()));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, errors.map((e) => e.message).join('\n---\n'));
  });
}

class Env {
  constructor(name) {
    this.name = name;
    this.servers = [];
    this.browsers = [];
  }

  async server(extraArgs = []) {
    const s = new Server(`${this.name}-${this.servers.length}`, extraArgs);
    this.servers.push(s);
    return s.start();
  }

  // Stops s (checked as at the end of a test) and starts a new confab with
  // the same arguments on the same port, as after a crash or an upgrade.
  async restartServer(s) {
    await s.stop();
    const again = new Server(`${s.name}-restarted`, s.extraArgs, { port: s.port });
    this.servers.push(again);
    return again.start();
  }

  async browser(name, args = CHROMIUM_ARGS) {
    const b = new Browser(name, args);
    this.browsers.push(b);
    return b.launch();
  }

  async cleanup() {
    const errors = [];
    for (const b of this.browsers) {
      try {
        await b.close();
      } catch (err) {
        errors.push(err);
      }
    }
    for (const s of this.servers) {
      try {
        await s.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}

// Last resort if a test wedges beyond node:test's own timeout.
export function fileWatchdog(ms) {
  setTimeout(() => {
    console.error(`watchdog: ${path.basename(process.argv[1] || 'test')} still running after ${ms} ms, exiting`);
    try {
      execFileSync('pkill', ['-KILL', '-P', String(process.pid)]);
    } catch {
      // nothing left to kill
    }
    process.exit(1);
  }, ms).unref();
}
