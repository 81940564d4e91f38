// A real call: four headless Chromium pages in one room on a real confab.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import {
  e2eTest,
  fileWatchdog,
  firstFrameTimes,
  joined,
  log,
  openCall,
  receiveStats,
  sleep,
  summarize,
  waitFor,
  waitForMedia,
} from './lib.mjs';

fileWatchdog(9 * 60 * 1000);

const ROOM = 'e2e-call';

// What a page knows about one publisher: its tracks, whether the library
// still shows it with media ("tile"), whether it left.
// A track the server took away is "gone" when it left its MediaStream and
// either ended (its m-section was rejected with port 0: Chromium stops the
// transceiver) or was muted by an inactive m-section, or its transceiver was
// since reused for someone else's track.
function peerView(page, peerId) {
  return page.evaluate((id) => {
    const c = window.confab;
    const left = c.events.find((e) => e.type === 'peer_left' && e.peer_id === id);
    const pc = c.subscribePc;
    const tracks = c.received
      .filter((r) => r.streamId === id)
      .map((r) => {
        const tr = pc.getTransceivers().find((t) => t.receiver.track === r.track);
        const reused = c.received.some((o) => o.track === r.track && o.streamId !== id && o.at > r.at);
        const inStream = r.stream.getTracks().includes(r.track);
        const ended = r.track.readyState === 'ended';
        const inactive = !!tr && tr.currentDirection === 'inactive' && r.track.muted;
        return {
          kind: r.track.kind,
          readyState: r.track.readyState,
          muted: r.track.muted,
          inStream,
          transceiver: tr ? tr.currentDirection : 'removed',
          reused,
          gone: !inStream && (ended || inactive || reused),
        };
      });
    return {
      left: left ? { reason: left.reason } : null,
      tracks,
      tile: !!(c.peers.get(id) && c.peers.get(id).tracks.size),
      listed: c.tracks.some((t) => t.peer_id === id),
    };
  }, peerId);
}

// Every track the page got from peerId is gone, its tile too, and peer_left
// arrived.
async function waitGone(page, peerId, timeout) {
  const start = Date.now();
  let view;
  try {
    await waitFor(
      async () => {
        view = await peerView(page, peerId);
        return view.left && view.tracks.length >= 2 && view.tracks.every((t) => t.gone) && !view.tile && !view.listed;
      },
      { timeout, interval: 100, what: `${page.__name} to see ${peerId} gone` },
    );
  } catch (err) {
    err.message += `\n${page.__name}'s view of ${peerId}: ${JSON.stringify(view)}`;
    throw err;
  }
  return { ms: Date.now() - start, view };
}

// The call goes on: each page keeps decoding video from each other page.
async function assertStillFlowing(pages, ms = 2000) {
  const ids = pages.map((p) => p.__peerId);
  const before = await Promise.all(pages.map(frameCounts));
  await sleep(ms);
  const after = await Promise.all(pages.map(frameCounts));
  const problems = [];
  pages.forEach((p, i) => {
    for (const id of ids) {
      if (id === p.__peerId) continue;
      const b = before[i][id] ? before[i][id].frames : 0;
      const a = after[i][id] ? after[i][id].frames : 0;
      log(`${p.__name}: frames from ${id} ${b} -> ${a} in ${ms} ms`);
      if (a - b < (ms / 1000) * 5) problems.push(`${p.__name} decoded ${a - b} frames from ${id} in ${ms} ms`);
    }
  });
  assert.deepEqual(problems, [], 'media stopped flowing between the peers that stayed');
}

// The people the client library shows with media (what a page draws tiles for).
async function tileNames(page) {
  return page.evaluate(() =>
    [...window.confab.peers.values()].filter((p) => p.tracks.size > 0).map((p) => p.name).sort(),
  );
}

function frameCounts(page) {
  return receiveStats(page).then(summarize);
}

e2eTest('call with four Chromium peers', { timeout: 300000 }, async (env, t) => {
  const server = await env.server();
  // The peer that will be frozen needs a browser of its own; the rest share one
  // to keep the 2-core machine's load down.
  const shared = await env.browser('shared');
  const lone = await env.browser('lone');
  const pages = {};
  let threeJoinedAt = 0;
  const others = (self, names) => names.filter((n) => n !== self).map((n) => pages[n].__peerId);

  await t.test('1) three peers each decode >= 60 frames and receive audio from the other two', { timeout: 60000 }, async () => {
    // One after the other, each once publishing, so that every page's first
    // subscribe m-sections (the BUNDLE tag) carry bob, who leaves in step 3.
    for (const [name, browser] of [['bob', shared], ['carol', lone], ['alice', shared]]) {
      pages[name] = await openCall(browser, server, { room: ROOM, name });
      await pages[name].waitForFunction(() => window.confab.publishPc?.connectionState === 'connected', null, {
        timeout: 10000,
      });
    }
    threeJoinedAt = Date.now();
    const names = ['alice', 'bob', 'carol'];
    const results = await Promise.all(
      names.map((n) => waitForMedia(pages[n], others(n, names), { minFrames: 60, minPackets: 20, timeout: 40000 })),
    );
    names.forEach((n, i) => log(`${n} receives ${JSON.stringify(results[i])}`));
    for (const n of names) {
      const want = names.filter((x) => x !== n).sort();
      const peerNames = await pages[n].evaluate(() => [...window.confab.peers.values()].map((p) => p.name).sort());
      assert.deepEqual(peerNames, want, `${n}'s peer list`);
      assert.deepEqual(await tileNames(pages[n]), want, `${n}'s tiles`);
    }
  });

  await t.test('2) a fourth peer joining 5 s later decodes video from all three within 2 s of its join reply', { timeout: 60000 }, async () => {
    await sleep(Math.max(0, threeJoinedAt + 5000 - Date.now()));
    const publishers = ['alice', 'bob', 'carol'].map((n) => pages[n].__peerId);
    pages.dave = await openCall(shared, server, { room: ROOM, name: 'dave', wait: false });
    const timing = firstFrameTimes(pages.dave, publishers, 10000);
    await joined(pages.dave);
    const { first, polls } = await timing;
    const worst = Math.max(...Object.values(first).map((v) => (v === null ? Infinity : v)));
    log(`dave: first decoded frame after its join reply, per publisher (ms): ${JSON.stringify(first)}; ` +
        `all three after ${worst} ms (${polls} polls)`);
    assert.ok(worst <= 2000, `dave saw video from everyone only after ${worst} ms: ${JSON.stringify(first)}`);
    // And everyone else sees the newcomer.
    for (const n of ['alice', 'bob', 'carol']) {
      await waitForMedia(pages[n], [pages.dave.__peerId], { minFrames: 15, minPackets: 5, timeout: 15000 });
    }
    assert.deepEqual(await tileNames(pages.dave), ['alice', 'bob', 'carol']);
  });

  await t.test('2b) RTCP: subscribers get translated sender reports, publishers get our receiver reports', { timeout: 30000 }, async () => {
    // Sender reports: every received track has a remote-outbound-rtp entry
    // whose NTP time is the publisher's (same machine clock here), so
    // Chromium can line audio up with video. Receiver reports: every track
    // alice publishes has a remote-inbound-rtp entry, and a round-trip time,
    // which Chromium only computes when our LSR/DLSR echo its own SR.
    const rtcp = () =>
      pages.alice.evaluate(async () => {
        const now = Date.now();
        const sub = await window.confab.subscribePc.getStats();
        const pub = await window.confab.publishPc.getStats();
        const srs = [];
        sub.forEach((s) => {
          if (s.type !== 'remote-outbound-rtp') return;
          srs.push({ kind: s.kind, reports: s.reportsSent, skewMs: Math.round(s.remoteTimestamp - now) });
        });
        const rrs = [];
        pub.forEach((s) => {
          if (s.type !== 'remote-inbound-rtp') return;
          rrs.push({ kind: s.kind, lost: s.packetsLost, rtt: s.roundTripTime, measurements: s.roundTripTimeMeasurements });
        });
        return { srs, rrs };
      });
    let last;
    await waitFor(
      async () => {
        last = await rtcp();
        const kinds = (list) => new Set(list.map((x) => x.kind));
        return last.srs.length >= 4 && kinds(last.srs).size === 2 &&
          last.rrs.length === 2 && last.rrs.every((r) => r.rtt > 0);
      },
      { timeout: 20000, interval: 500, what: 'sender and receiver reports at alice' },
    ).catch((err) => {
      err.message += `\nlast: ${JSON.stringify(last)}`;
      throw err;
    });
    log(`alice RTCP: ${JSON.stringify(last)}`);
    for (const sr of last.srs) assert.ok(Math.abs(sr.skewMs) < 10000, `SR NTP time off by ${sr.skewMs} ms`);
    for (const rr of last.rrs) assert.ok(rr.lost >= 0 && rr.rtt < 1, `receiver report: ${JSON.stringify(rr)}`);
  });

  await t.test('3) a closed page: the others see its tracks end and get peer_left within 5 s', { timeout: 30000 }, async () => {
    const bobId = pages.bob.__peerId;
    await pages.bob.close();
    const seen = await Promise.all(['alice', 'carol', 'dave'].map((n) => waitGone(pages[n], bobId, 5000)));
    ['alice', 'carol', 'dave'].forEach((n, i) =>
      log(`${n} saw bob gone after ${seen[i].ms} ms: ${JSON.stringify(seen[i].view)}`),
    );
    for (const s of seen) assert.ok(['left', 'disconnected'].includes(s.view.left.reason), JSON.stringify(s.view));
    await assertStillFlowing([pages.alice, pages.carol, pages.dave]);
  });

  await t.test('4) a frozen browser: the others see its tracks end and peer_left "media_timeout" within ~30 s', { timeout: 90000 }, async () => {
    const carolId = pages.carol.__peerId;
    lone.freeze();
    const seen = await Promise.all(['alice', 'dave'].map((n) => waitGone(pages[n], carolId, 45000)));
    ['alice', 'dave'].forEach((n, i) =>
      log(`${n} saw carol gone after ${seen[i].ms} ms: ${JSON.stringify(seen[i].view)}`),
    );
    for (const s of seen) {
      assert.equal(s.view.left.reason, 'media_timeout');
      assert.ok(s.ms <= 40000, `took ${s.ms} ms`);
    }
    lone.kill();
    await assertStillFlowing([pages.alice, pages.dave]);
    assert.deepEqual(await tileNames(pages.alice), ['dave']);
    assert.deepEqual(await tileNames(pages.dave), ['alice']);
  });
});
