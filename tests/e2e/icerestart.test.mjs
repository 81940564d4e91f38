// ICE restart with real Chromium: a page restarts ICE on both of its
// connections (as after a network change) and media keeps flowing both ways
// over the same DTLS association, with nobody seeing it leave.
// Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import { e2eTest, fileWatchdog, log, openCall, receiveStats, summarize, waitForMedia } from './lib.mjs';

fileWatchdog(4 * 60 * 1000);

// The ICE ufrags and DTLS fingerprints both sides of both connections use.
function credentials(page) {
  return page.evaluate(() => {
    const pick = (sdp, re) => (sdp.match(re) || [])[1];
    const of = (pc) => ({
      localUfrag: pick(pc.localDescription.sdp, /a=ice-ufrag:(\S+)/),
      remoteUfrag: pick(pc.remoteDescription.sdp, /a=ice-ufrag:(\S+)/),
      remoteFingerprint: pick(pc.remoteDescription.sdp, /a=fingerprint:sha-256 (\S+)/),
      state: pc.connectionState,
    });
    return { publish: of(window.confab.publishPc), subscribe: of(window.confab.subscribePc) };
  });
}

e2eTest('ICE restart keeps the call going', { timeout: 150000 }, async (env, t) => {
  const server = await env.server();
  const browser = await env.browser('restart');
  const ROOM = 'e2e-ice-restart';
  const ann = await openCall(browser, server, { room: ROOM, name: 'ann' });
  const ben = await openCall(browser, server, { room: ROOM, name: 'ben' });
  await waitForMedia(ann, [ben.__peerId], { minFrames: 30, timeout: 40000 });
  await waitForMedia(ben, [ann.__peerId], { minFrames: 30, timeout: 40000 });
  const before = await credentials(ann);
  log(`ann before: ${JSON.stringify(before)}`);

  await t.test('both of ann\'s connections restart ICE', async () => {
    await ann.evaluate(() => window.confab.restartIce());
    await ann.waitForFunction(
      (old) => {
        const pick = (sdp) => (sdp.match(/a=ice-ufrag:(\S+)/) || [])[1];
        const c = window.confab;
        return pick(c.subscribePc.remoteDescription.sdp) !== old &&
          c.subscribePc.signalingState === 'stable' && c.publishPc.connectionState === 'connected' &&
          c.subscribePc.connectionState === 'connected';
      },
      before.subscribe.remoteUfrag,
      { timeout: 20000, polling: 200 },
    );
    const after = await credentials(ann);
    log(`ann after: ${JSON.stringify(after)}`);
    for (const side of ['publish', 'subscribe']) {
      assert.notEqual(after[side].localUfrag, before[side].localUfrag, `${side}: new local ufrag`);
      assert.notEqual(after[side].remoteUfrag, before[side].remoteUfrag, `${side}: server's new ufrag`);
      assert.match(after[side].remoteFingerprint || '', /^[0-9A-F:]{95}$/, `${side}: fingerprint`);
      assert.equal(after[side].remoteFingerprint, before[side].remoteFingerprint, `${side}: same DTLS`);
    }
  });

  await t.test('media keeps flowing both ways after the restart', async () => {
    const annFrames = summarize(await receiveStats(ann))[ben.__peerId].frames;
    const benFrames = summarize(await receiveStats(ben))[ann.__peerId].frames;
    const a = await waitForMedia(ann, [ben.__peerId], { minFrames: annFrames + 30, timeout: 20000 });
    const b = await waitForMedia(ben, [ann.__peerId], { minFrames: benFrames + 30, timeout: 20000 });
    log(`frames ann<-ben ${annFrames} -> ${a[ben.__peerId].frames}, ben<-ann ${benFrames} -> ${b[ann.__peerId].frames}`);
    for (const p of [ann, ben]) {
      const seen = await p.evaluate(() => ({
        left: window.confab.events.filter((e) => e.type === 'peer_left'),
        errors: window.confab.errors,
      }));
      assert.deepEqual(seen, { left: [], errors: [] }, `${p.__name}: nobody left, no errors`);
    }
  });
});
