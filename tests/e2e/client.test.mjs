// The client library (signaling/www/confab.js) on its own, without the
// page's UI: two Chromium pages join through it and publish, label, mute,
// unpublish, chat, and live through a server restart without a reload.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { e2eTest, fileWatchdog, log, openCall, waitFor, waitForMedia } from './lib.mjs';

// quality.js is a browser module with no imports; a data: URL makes node
// read it as one whatever its version (signaling/www has no package.json).
const qualitySource = fs.readFileSync(new URL('../../signaling/www/quality.js', import.meta.url), 'utf8');
const { judgeQuality } = await import(`data:text/javascript,${encodeURIComponent(qualitySource)}`);

fileWatchdog(4.5 * 60 * 1000);

const ROOM = 'lib-room';

// What page knows of peerId's tracks, through the library.
function remoteTracks(page, peerId) {
  return page.evaluate((id) => {
    const peer = window.confab.peers.get(id);
    if (!peer) return null;
    return [...peer.tracks.values()].map((t) => ({
      id: t.id,
      kind: t.kind,
      source: t.source,
      muted: t.muted,
      state: t.track ? t.track.readyState : null,
    }));
  }, peerId);
}

// Frames page decoded on one remote track (by track id), from getStats.
function framesOn(page, trackId) {
  return page.evaluate(async (id) => {
    const c = window.confab;
    let rt = null;
    for (const p of c.peers.values()) rt = rt || p.tracks.get(id);
    if (!rt || !rt.track) return -1;
    let frames = 0;
    (await c.subscribePc.getStats()).forEach((s) => {
      if (s.type === 'inbound-rtp' && s.trackIdentifier === rt.track.id) frames = s.framesDecoded || 0;
    });
    return frames;
  }, trackId);
}

function libEvents(page, name) {
  return page.evaluate((n) => window.confab.lib.filter((e) => e.name === n), name);
}

async function waitLib(page, name, match, what, timeout = 15000) {
  let last;
  await waitFor(
    async () => {
      last = await libEvents(page, name);
      return last.some(match);
    },
    { timeout, interval: 100, what: `${page.__name}: ${what}` },
  ).catch((err) => {
    err.message += `\n${name} events: ${JSON.stringify(last)}`;
    throw err;
  });
  return last.find(match);
}

// The verdict itself, on made-up samples 2 s apart (no browser needed).
test('quality verdicts from two samples', () => {
  const sample = (at, o) => ({ at, kind: 'video', packetsReceived: 0, packetsLost: 0, jitter: 0, framesDecoded: 0, freezeCount: 0, ...o });
  const video = (o0, o1, extra = {}) => ({ prev: sample(0, o0), cur: sample(2000, o1), muted: false, source: 'camera', ...extra });
  const audio = (o0, o1) => ({ prev: sample(0, { kind: 'audio', ...o0 }), cur: sample(2000, { kind: 'audio', ...o1 }), muted: false, source: 'microphone' });
  const fine = video({ packetsReceived: 100, framesDecoded: 100 }, { packetsReceived: 300, framesDecoded: 160 });
  assert.equal(judgeQuality([]).quality, 'unknown');
  assert.equal(judgeQuality([{ prev: null, cur: sample(0, {}), muted: false, source: 'camera' }]).quality, 'unknown');
  assert.equal(judgeQuality([fine]).quality, 'good');
  // 5 % loss: fair; 20 %: poor.
  assert.equal(judgeQuality([video({}, { packetsReceived: 190, packetsLost: 10, framesDecoded: 60 })]).quality, 'fair');
  assert.equal(judgeQuality([video({}, { packetsReceived: 160, packetsLost: 40, framesDecoded: 60 })]).quality, 'poor');
  // 8 fps from a camera: fair; 2 fps: poor; 2 fps from a screen share: good.
  assert.equal(judgeQuality([video({}, { packetsReceived: 100, framesDecoded: 16 })]).quality, 'fair');
  assert.equal(judgeQuality([video({}, { packetsReceived: 100, framesDecoded: 4 })]).quality, 'poor');
  assert.equal(judgeQuality([video({}, { packetsReceived: 100, framesDecoded: 4 }, { source: 'screen' })]).quality, 'good');
  // A freeze: fair. Nothing at all arriving on an unmuted track: poor; on a muted one: fine.
  assert.equal(judgeQuality([video({ framesDecoded: 0 }, { packetsReceived: 200, framesDecoded: 60, freezeCount: 1 })]).quality, 'fair');
  assert.equal(judgeQuality([fine, audio({ packetsReceived: 50 }, { packetsReceived: 50 })]).quality, 'poor');
  assert.equal(judgeQuality([fine, { ...audio({ packetsReceived: 50 }, { packetsReceived: 50 }), muted: true }]).quality, 'good');
  // Audio jitter of 50 ms: fair.
  assert.equal(judgeQuality([fine, audio({}, { packetsReceived: 100, jitter: 0.05 })]).quality, 'fair');
});

const kindsAndSources = (tracks) => (tracks || []).map((t) => `${t.kind}:${t.source}`).sort();

e2eTest('the client library: media, sources, mute, unpublish, chat, server restart', { timeout: 240000 }, async (env, t) => {
  let server = await env.server();
  const browser = await env.browser('client');
  const ann = await openCall(browser, server, { room: ROOM, name: 'ann' });
  const ben = await openCall(browser, server, { room: ROOM, name: 'ben' });

  await t.test('media decodes both ways; camera and microphone are labelled', async () => {
    await waitForMedia(ann, [ben.__peerId], { minFrames: 30, minPackets: 10, timeout: 40000 });
    await waitForMedia(ben, [ann.__peerId], { minFrames: 30, minPackets: 10, timeout: 40000 });
    assert.deepEqual(kindsAndSources(await remoteTracks(ben, ann.__peerId)), ['audio:microphone', 'video:camera']);
    assert.deepEqual(kindsAndSources(await remoteTracks(ann, ben.__peerId)), ['audio:microphone', 'video:camera']);
    // The quality hint comes from the subscribe connection's statistics.
    const q = await waitLib(ben, 'quality', (e) => e.peer === ann.__peerId, 'a quality hint for ann');
    log(`ben's first quality hint for ann: ${q.quality}`);
    assert.ok(['good', 'fair', 'poor'].includes(q.quality), JSON.stringify(q));
    const detail = await (await fetch(`${server.url}/api/rooms/${ROOM}`)).json();
    assert.deepEqual(kindsAndSources(detail.tracks.filter((x) => x.peer_id === ann.__peerId)), [
      'audio:microphone',
      'video:camera',
    ]);
  });

  await t.test('a late joiner over long-poll gets everyone at once (events that share the join reply\'s answer)', async () => {
    // Each poll leaves a second late, so that the server's messages pile up
    // and the join reply comes in one answer with the tracks and offer events.
    const polls = /\/lp\/[0-9a-f]{32}$/;
    const slowPolls = async (route) => {
      if (route.request().method() === 'GET') await new Promise((r) => setTimeout(r, 1000));
      await route.continue().catch(() => {});
    };
    await browser.ctx.route(polls, slowPolls);
    const cat = await openCall(browser, server, { room: ROOM, name: 'cat', transport: 'longpoll' });
    assert.equal(await cat.evaluate(() => window.confab.transport), 'longpoll');
    const first = await cat.evaluate(() => window.confab.events.slice(0, 2).map((e) => e.type));
    log(`cat's first events: ${first.join(' ')}`);
    await waitForMedia(cat, [ann.__peerId, ben.__peerId], { minFrames: 15, minPackets: 5, timeout: 30000 });
    assert.deepEqual(await cat.evaluate(() => window.confab.errors), []);
    await cat.evaluate(() => window.confab.call.leave());
    await waitLib(ann, 'peer-left', (e) => e.peer === cat.__peerId && e.reason === 'left', 'cat left');
    await cat.close();
    await browser.ctx.unroute(polls, slowPolls);
  });

  await t.test('a screen share arrives as a third track labelled "screen"', async () => {
    await ann.evaluate(async () => {
      // A canvas that keeps changing stands in for a shared screen.
      const canvas = document.createElement('canvas');
      canvas.width = 320;
      canvas.height = 180;
      const g = canvas.getContext('2d');
      let n = 0;
      window.__screenTimer = setInterval(() => {
        g.fillStyle = `hsl(${(n++ * 9) % 360} 70% 50%)`;
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.fillStyle = '#fff';
        g.fillText(`slide ${n}`, 20, 40);
      }, 66);
      const track = canvas.captureStream(15).getVideoTracks()[0];
      window.confab.screen = await window.confab.call.publish(track, { source: 'screen' });
    });
    const added = await waitLib(ben, 'track-added', (e) => e.peer === ann.__peerId && e.track.source === 'screen', 'screen track-added');
    assert.equal(added.track.kind, 'video');
    assert.equal(added.track.id, await ann.evaluate(() => window.confab.screen.id));
    await waitFor(async () => (await framesOn(ben, added.track.id)) >= 15, {
      timeout: 30000,
      what: 'ben decodes frames of the screen share',
    });
    assert.deepEqual(kindsAndSources(await remoteTracks(ben, ann.__peerId)), [
      'audio:microphone',
      'video:camera',
      'video:screen',
    ]);
  });

  await t.test('setMuted shows at the other side as track-muted', async () => {
    const micId = await ann.evaluate(async () => {
      const mic = window.confab.locals.find((l) => l.kind === 'audio');
      await window.confab.call.setMuted(mic, true);
      return mic.id;
    });
    assert.equal(await ann.evaluate(() => window.confab.locals.find((l) => l.kind === 'audio').track.enabled), false);
    await waitLib(ben, 'track-muted', (e) => e.track.id === micId && e.muted === true, 'mic muted');
    await ann.evaluate(() => window.confab.call.setMuted(window.confab.locals.find((l) => l.kind === 'audio'), false));
    await waitLib(ben, 'track-muted', (e) => e.track.id === micId && e.muted === false, 'mic unmuted');
    const mic = (await remoteTracks(ben, ann.__peerId)).find((x) => x.id === micId);
    assert.equal(mic.muted, false);
  });

  await t.test('unpublish removes the track at the other side', async () => {
    const screenId = await ann.evaluate(async () => {
      const s = window.confab.screen;
      await window.confab.call.unpublish(s);
      clearInterval(window.__screenTimer);
      s.track.stop();
      return s.id;
    });
    await waitLib(ben, 'track-removed', (e) => e.track.id === screenId, 'screen track-removed');
    assert.deepEqual(kindsAndSources(await remoteTracks(ben, ann.__peerId)), ['audio:microphone', 'video:camera']);
    const before = (await framesOn(ben, (await remoteTracks(ben, ann.__peerId)).find((x) => x.kind === 'video').id));
    await waitForMedia(ben, [ann.__peerId], { minFrames: before + 15, timeout: 20000 });
  });

  await t.test('chat goes both ways', async () => {
    await ann.evaluate(() => window.confab.call.sendChat('hello ben'));
    await ben.evaluate(() => window.confab.call.sendChat('hi ann ✓'));
    for (const p of [ann, ben]) {
      for (const [text, from] of [['hello ben', ann], ['hi ann ✓', ben]]) {
        const ev = await waitLib(p, 'chat', (e) => e.message.text === text, `chat "${text}"`);
        assert.equal(ev.message.peer_id, from.__peerId);
      }
      const texts = await p.evaluate(() => window.confab.call.chat.map((m) => m.text));
      assert.deepEqual(texts, ['hello ben', 'hi ann ✓']);
    }
  });

  await t.test('a dropped connection is resumed: same peer, nobody notices, media goes on', async () => {
    const benId = ben.__peerId;
    const statesBefore = await ben.evaluate(() => window.confab.states.length);
    const videoId = (await remoteTracks(ben, ann.__peerId)).find((x) => x.kind === 'video').id;
    const framesBefore = await framesOn(ben, videoId);
    // As if the network dropped it: no leave, the socket just goes.
    await ben.evaluate(() => window.confab.call.connection.ws.close());
    await waitFor(
      async () => {
        const states = await ben.evaluate((n) => window.confab.states.slice(n).map((x) => x.state), statesBefore);
        return states.includes('reconnecting') && states[states.length - 1] === 'connected';
      },
      { timeout: 20000, what: 'ben reconnecting, then connected' },
    );
    assert.equal(await ben.evaluate(() => window.confab.peerId), benId, 'same peer id');
    assert.deepEqual(await libEvents(ben, 'rejoined'), [], 'resumed, not joined again');
    assert.ok(!(await libEvents(ann, 'peer-left')).some((e) => e.peer === benId), 'ann saw nobody leave');
    await waitFor(async () => (await framesOn(ben, videoId)) >= framesBefore + 30, {
      timeout: 20000,
      what: 'ben still decoding ann after the resume',
    });
    await ben.evaluate(() => window.confab.call.sendChat('back again'));
    await waitLib(ann, 'chat', (e) => e.message.text === 'back again', 'chat after the resume');
  });

  await t.test('the room is listed; a room link serves the page', async () => {
    const rooms = await ann.evaluate(async () => (await import('/confab.js')).listRooms());
    assert.deepEqual(rooms, [{ name: ROOM, peers: 2 }]);
    const page = await fetch(`${server.url}/`);
    const link = await fetch(`${server.url}/r/${ROOM}`);
    assert.equal(link.status, 200);
    assert.match(link.headers.get('content-type'), /text\/html/);
    assert.equal(await link.text(), await page.text());
    for (const bad of ['/r/', '/r/no%20spaces', '/r/a/b', `/r/${'x'.repeat(65)}`]) {
      assert.equal((await fetch(`${server.url}${bad}`)).status, 404, bad);
    }
  });

  await t.test('leave() while joining settles join() and closes', async () => {
    const out = await ann.evaluate(async () => {
      const { Confab } = await import('/confab.js');
      const c = new Confab({ leaveOnUnload: false });
      // Leave at the worst moment: the join request is written, its reply
      // not read yet (replies arrive as tasks, after this microtask).
      let leaving = null;
      const send = c._send.bind(c);
      c._send = (type, fields) => {
        const reply = send(type, fields);
        if (type === 'join') leaving = c.leave();
        return reply;
      };
      const joining = c.join('leave-while-joining', 'Quick').then(
        () => 'joined',
        (err) => `rejected ${err.code}`,
      );
      while (!leaving) await new Promise((r) => setTimeout(r, 5));
      await leaving;
      const settled = await Promise.race([joining, new Promise((r) => setTimeout(() => r('pending'), 5000))]);
      return { settled, state: c.state };
    });
    assert.equal(out.state, 'closed');
    assert.match(out.settled, /^rejected /, 'join() must not hang after leave()');
  });

  await t.test('a server restart: reconnecting, then connected and rejoined, media again, no reload', async () => {
    // Ann's microphone is muted through the restart: the flag must come back.
    await ann.evaluate(() => window.confab.call.setMuted(window.confab.locals.find((l) => l.kind === 'audio'), true));
    const old = { ann: ann.__peerId, ben: ben.__peerId };
    await ann.evaluate(() => (window.__marker = 'same page'));
    server = await env.restartServer(server);
    log(`confab restarted on the same port ${server.port}`);
    for (const p of [ann, ben]) {
      const ev = await waitLib(p, 'rejoined', () => true, 'rejoined', 60000);
      assert.equal(ev.previousPeerId, old[p.__name]);
      assert.notEqual(ev.peerId, old[p.__name]);
      p.__peerId = ev.peerId;
      const states = await p.evaluate(() => window.confab.states.map((s) => s.state));
      log(`${p.__name} states: ${states.join(' ')}`);
      const i = states.lastIndexOf('reconnecting');
      assert.ok(i > 0 && states.slice(i + 1).includes('connected'), `${p.__name}: reconnecting then connected`);
      assert.equal(await p.evaluate(() => window.confab.call.state), 'connected');
    }
    assert.equal(await ann.evaluate(() => window.__marker), 'same page', 'the page was not reloaded');
    await waitForMedia(ann, [ben.__peerId], { minFrames: 30, minPackets: 10, timeout: 40000 });
    await waitForMedia(ben, [ann.__peerId], { minFrames: 30, minPackets: 10, timeout: 40000 });
    const annTracks = await remoteTracks(ben, ann.__peerId);
    assert.deepEqual(kindsAndSources(annTracks), ['audio:microphone', 'video:camera']);
    await waitFor(async () => (await remoteTracks(ben, ann.__peerId)).find((x) => x.kind === 'audio').muted, {
      timeout: 10000,
      what: "ann's microphone still muted after the restart",
    });
    const names = await ben.evaluate(() => [...window.confab.peers.values()].map((p) => p.name));
    assert.deepEqual(names, ['ann']);
    const errors = await ann.evaluate(() => window.confab.errors);
    log(`ann's errors: ${JSON.stringify(errors)}`);
  });
});

// The example app of docs/client.md, exactly as written there, against a
// page of the test's own: both see and hear each other, and chat.
e2eTest('the example app of docs/client.md works', { timeout: 120000 }, async (env) => {
  const doc = fs.readFileSync(new URL('../../docs/client.md', import.meta.url), 'utf8');
  const html = (doc.match(/```html\n([\s\S]*?)```/) || [])[1];
  assert.ok(html && html.includes("from '/confab.js'"), 'docs/client.md has the example');
  const server = await env.server();
  const browser = await env.browser('example');
  const ann = await openCall(browser, server, { room: 'example', name: 'ann' });
  const example = await browser.ctx.newPage();
  example.__name = 'example';
  example.on('pageerror', (e) => log(`example pageerror: ${e.message}`));
  await example.goto(`${server.url}/healthz`);
  await example.setContent(html);

  // Ann sees the guest and decodes its camera; the guest shows ann's video.
  const guest = await waitFor(
    () => ann.evaluate(() => [...window.confab.peers.values()].find((p) => p.name.startsWith('guest-'))?.id),
    { timeout: 20000, what: 'the example to join' },
  );
  await waitForMedia(ann, [guest], { minFrames: 30, minPackets: 10, timeout: 40000 });
  const videoId = await ann.evaluate(() => window.confab.locals.find((l) => l.kind === 'video').id);
  await example.waitForFunction(
    (id) => {
      const v = document.getElementById(id);
      return v && v.tagName === 'VIDEO' && v.videoWidth > 0 && v.currentTime > 1;
    },
    videoId,
    { timeout: 30000, polling: 200 },
  );
  const log1 = await example.evaluate(() => [...document.querySelectorAll('#log li')].map((li) => li.textContent));
  assert.ok(log1.includes('connection: connected'), JSON.stringify(log1));

  // Chat both ways through the example's form and log.
  await example.fill('#chat input', 'hello from the example');
  await example.click('#chat button');
  await waitLib(ann, 'chat', (e) => e.message.text === 'hello from the example', 'the example\'s chat');
  await ann.evaluate(() => window.confab.call.sendChat('hello example'));
  await example.waitForFunction(
    () => [...document.querySelectorAll('#log li')].some((li) => li.textContent === 'ann: hello example'),
    null,
    { timeout: 10000 },
  );
  // Ann leaves: her media goes from the example's page.
  await ann.evaluate(() => window.confab.call.leave());
  await example.waitForFunction((id) => !document.getElementById(id), videoId, { timeout: 10000 });
  await example.waitForFunction(
    () => [...document.querySelectorAll('#log li')].some((li) => li.textContent === 'ann left'),
    null,
    { timeout: 10000 },
  );
});
