// The meeting page as users see it: real headless Chromium pages go through
// home, pre-join and the call, and every check reads the DOM or the pixels
// of a <video>. Run inside tests/e2e/netns.sh with CONFAB_BIN set.

import assert from 'node:assert/strict';
import { Server, e2eTest, fileWatchdog, log, waitFor } from './lib.mjs';
import {
  DESKTOP,
  PHONE,
  joinFromPrejoin,
  joinViaHome,
  liveCameras,
  MANY_DEVICES_ARGS,
  MEDIA_DENIED_ARGS,
  newPage,
  screenshot,
  tileNames,
  tileSelector,
  tileView,
  videoPixels,
  waitForVideo,
  waitHearing,
} from './ui_lib.mjs';

fileWatchdog(9 * 60 * 1000);

const ROOM = 'ui-standup';

async function waitTile(page, name, want, what) {
  let last;
  try {
    return await waitFor(
      async () => {
        last = await tileView(page, name);
        return last && Object.entries(want).every(([k, v]) => last[k] === v) ? last : false;
      },
      { timeout: 20000, what: `${page.__name}: ${what}` },
    );
  } catch (err) {
    err.message += `\nlast tile view of ${name}: ${JSON.stringify(last)}`;
    throw err;
  }
}

function visibleText(page, selector) {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    return el && el.getClientRects().length ? el.textContent.trim() : null;
  }, selector);
}

e2eTest('meeting page: two then three people through the UI', { timeout: 420000 }, async (env, t) => {
  let server = await env.server();
  const bA = await env.browser('alice');
  const bB = await env.browser('bob');
  const alice = await newPage(bA, 'alice');
  const bob = await newPage(bB, 'bob');
  let carol = null;
  // Each step builds on the one before: after a failure, the rest are skipped.
  let broken = null;
  const step = (name, opts, fn) =>
    t.test(name, opts, async (st) => {
      if (broken) return st.skip(`an earlier step failed: ${broken}`);
      try {
        await fn(st);
      } catch (err) {
        broken = name;
        throw err;
      }
    });

  await step('two users join the same room through home and pre-join', { timeout: 90000 }, async () => {
    await joinViaHome(alice, server, { name: 'Alice', room: ROOM });
    await joinViaHome(bob, server, { name: 'Bob', room: ROOM });
    for (const [page, other] of [[alice, 'Bob'], [bob, 'Alice']]) {
      const sel = await tileSelector(page, other);
      const px = await waitForVideo(page, `${sel} video`, `${page.__name} sees ${other}`);
      log(`${page.__name} sees ${other}: ${JSON.stringify(px)}`);
      assert.deepEqual(await tileNames(page), [other, `${page.__name === 'alice' ? 'Alice' : 'Bob'} (You)`].sort());
      log(`${page.__name} hears ${other}: ${JSON.stringify(await waitHearing(page, other))}`);
      const q = await waitFor(() => tileView(page, other).then((v) => v && v.quality), {
        what: `${page.__name}: a connection-quality hint on ${other}'s tile`,
      });
      assert.ok(['good', 'fair', 'poor'].includes(q), q);
    }
    // The nickname is remembered for next time.
    assert.equal(await alice.evaluate(() => localStorage.getItem('confab.name')), 'Alice');
  });

  await step('the home page lists the room with its participant count', { timeout: 60000 }, async () => {
    const bC = await env.browser('carol');
    carol = await newPage(bC, 'carol');
    await carol.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
    const room = carol.locator(`#rooms button.room[data-room="${ROOM}"]`);
    await room.waitFor({ state: 'visible', timeout: 15000 });
    await waitFor(() => room.locator('.room-count').textContent().then((x) => x.trim() === '2'), {
      what: 'room count 2 on the home page',
    });
    await screenshot(carol, 'home-desktop.png');
    await carol.setViewportSize(PHONE);
    await screenshot(carol, 'home-phone.png');
    await carol.setViewportSize(DESKTOP);
  });

  await step('chat: a message typed by one appears for the other, with an unread badge', { timeout: 60000 }, async () => {
    assert.equal(await visibleText(bob, '#chat-badge'), null, 'no badge before any message');
    await alice.getByRole('button', { name: /^Chat/ }).click();
    await alice.getByRole('textbox', { name: 'Message' }).fill('Hello from Alice');
    await alice.getByRole('textbox', { name: 'Message' }).press('Enter');
    await alice.getByRole('textbox', { name: 'Message' }).fill('Shall we start?');
    await alice.getByRole('button', { name: 'Send message' }).click();
    await waitFor(() => visibleText(bob, '#chat-badge').then((x) => x === '2'), { what: 'bob: unread badge 2' });
    assert.match(await bob.locator('#btn-chat').getAttribute('aria-label'), /2 unread/);
    await bob.getByRole('button', { name: /^Chat/ }).click();
    const texts = await bob.locator('#chat-list .msg-text').allTextContents();
    assert.deepEqual(texts, ['Hello from Alice', 'Shall we start?']);
    assert.deepEqual(await bob.locator('#chat-list .msg-name').allTextContents(), ['Alice', 'Alice']);
    assert.equal(await visibleText(bob, '#chat-badge'), null, 'badge cleared once the chat is open');
    await bob.getByRole('textbox', { name: 'Message' }).fill('Yes!');
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
    await waitFor(() => alice.locator('#chat-list .msg-text').allTextContents().then((x) => x.includes('Yes!')), {
      what: 'alice sees bob reply',
    });
    await alice.getByRole('button', { name: 'Close panel' }).click();
    await bob.getByRole('button', { name: 'Close panel' }).click();
  });

  await step('muting the mic shows the muted icon on the other side', { timeout: 60000 }, async () => {
    await waitTile(bob, 'Alice', { micMutedIcon: false }, 'Alice unmuted at first');
    await alice.getByRole('button', { name: 'Turn off microphone' }).click();
    await waitFor(() => alice.locator('#btn-mic').getAttribute('aria-pressed').then((x) => x === 'true'), {
      what: 'alice: mic button pressed',
    });
    await waitTile(bob, 'Alice', { micMutedIcon: true }, 'Alice muted');
    await alice.getByRole('button', { name: 'Turn on microphone' }).click();
    await waitTile(bob, 'Alice', { micMutedIcon: false }, 'Alice unmuted again');
  });

  await step('camera off shows an avatar to the other side, camera on brings video back', { timeout: 60000 }, async () => {
    await alice.getByRole('button', { name: 'Turn off camera' }).click();
    const off = await waitTile(bob, 'Alice', { avatar: true, video: false }, 'Alice camera off');
    assert.equal(off.avatarText, 'A');
    await waitTile(alice, 'Alice (You)', { avatar: true, video: false }, 'own camera off');
    // The camera itself is let go of (its light goes out): what the page
    // sends on the camera's sender is an ended track.
    const cameraLive = () =>
      alice.evaluate(() =>
        window.confabCall.publishPc
          .getSenders()
          .some((s) => s.track && s.track.kind === 'video' && s.track.readyState === 'live'),
      );
    await waitFor(async () => !(await cameraLive()), { timeout: 10000, what: 'Alice camera released' });
    await alice.getByRole('button', { name: 'Turn on camera' }).click();
    await waitFor(cameraLive, { timeout: 10000, what: 'Alice camera open again' });
    await waitTile(bob, 'Alice', { avatar: false, video: true }, 'Alice camera on');
    const sel = await tileSelector(bob, 'Alice');
    await waitForVideo(bob, `${sel} video`, 'bob sees Alice again after camera on');
  });

  await step('screen share appears large on the other side and goes away when stopped', { timeout: 90000 }, async () => {
    await alice.getByRole('button', { name: 'Share screen' }).click();
    await waitFor(() => alice.locator('#btn-share').getAttribute('aria-pressed').then((x) => x === 'true'), {
      what: 'alice share button pressed',
    });
    await bob.locator('#spotlight').waitFor({ state: 'visible', timeout: 20000 });
    const screen = await waitForVideo(bob, '#spotlight video', 'bob sees the shared screen');
    const label = await visibleText(bob, '#spotlight .name');
    assert.equal(label, 'Alice is presenting');
    const aliceTile = await videoPixels(bob, `${await tileSelector(bob, 'Alice')} video`);
    log(`bob: screen ${JSON.stringify(screen)}, Alice's camera tile ${JSON.stringify(aliceTile)}`);
    assert.ok(screen.area > 2 * aliceTile.area, `screen (${screen.area} px²) not shown large next to tiles (${aliceTile.area} px²)`);
    await screenshot(bob, 'call-screenshare-desktop.png');
    await alice.getByRole('button', { name: 'Stop presenting' }).click();
    await bob.locator('#spotlight').waitFor({ state: 'hidden', timeout: 20000 });
    await alice.locator('#spotlight').waitFor({ state: 'hidden', timeout: 5000 });
  });

  await step('a third person via a /r/ link; screenshots at desktop and phone size', { timeout: 90000 }, async () => {
    // Alice copies the meeting link (shown if the clipboard is unavailable); Carol opens it.
    await alice.getByRole('button', { name: `Copy meeting link for ${ROOM}` }).click();
    await waitFor(() => visibleText(alice, '#toast').then((x) => x === 'Meeting link copied' || x === `${server.url}/r/${ROOM}`), {
      what: 'alice: link copied',
    });
    await carol.goto(`${server.url}/r/${ROOM}`, { waitUntil: 'domcontentloaded' });
    // Camera off in pre-join lets go of the camera; on opens it again.
    await waitForVideo(carol, '#preview', 'carol: camera preview');
    await carol.locator('#prejoin').getByRole('button', { name: 'Turn off camera' }).click();
    await waitFor(async () => (await liveCameras(carol)) === 0, { what: 'carol: camera released in pre-join' });
    assert.equal(await visibleText(carol, '#preview-off-text'), 'Camera is off');
    await carol.locator('#prejoin').getByRole('button', { name: 'Turn on camera' }).click();
    await waitFor(async () => (await liveCameras(carol)) === 1, { what: 'carol: camera open again in pre-join' });
    await joinFromPrejoin(carol, { room: ROOM, name: 'Carol' });
    for (const [page, others] of [[alice, ['Bob', 'Carol']], [bob, ['Alice', 'Carol']], [carol, ['Alice', 'Bob']]]) {
      for (const o of others) await waitForVideo(page, `${await tileSelector(page, o)} video`, `${page.__name} sees ${o}`);
    }
    await screenshot(alice, 'call-3-desktop.png');
    await carol.setViewportSize(PHONE);
    for (const o of ['Alice', 'Bob']) await waitForVideo(carol, `${await tileSelector(carol, o)} video`, `carol (phone) sees ${o}`);
    await screenshot(carol, 'call-3-phone.png');
    await carol.getByRole('button', { name: /^Chat/ }).click();
    await screenshot(carol, 'call-3-phone-chat.png');
    await carol.getByRole('button', { name: 'Close panel' }).click();
    await carol.setViewportSize(DESKTOP);
  });

  await step('leaving removes the tile', { timeout: 60000 }, async () => {
    await carol.getByRole('button', { name: 'Leave call' }).click();
    await carol.locator('#left').waitFor({ state: 'visible', timeout: 10000 });
    for (const page of [alice, bob]) {
      await waitFor(() => tileView(page, 'Carol').then((v) => v === null), { timeout: 15000, what: `${page.__name}: Carol's tile gone` });
    }
    assert.deepEqual(await tileNames(alice), ['Alice (You)', 'Bob']);
  });

  await step('server down: reconnecting banner; server back on the same port: the call resumes', { timeout: 120000 }, async () => {
    const port = server.port;
    for (const page of [alice, bob]) await page.evaluate(() => (window.__sameDocument = true));
    await server.stop();
    for (const page of [alice, bob]) {
      await waitFor(() => visibleText(page, '#banner').then((x) => x === 'Reconnecting…'), {
        timeout: 20000,
        what: `${page.__name}: reconnecting banner`,
      });
    }
    await screenshot(alice, 'call-reconnecting-desktop.png');
    const again = new Server('restarted', [], { port });
    env.servers.push(again);
    await again.start();
    server = again;
    for (const page of [alice, bob]) {
      await waitFor(() => visibleText(page, '#banner').then((x) => x === null), {
        timeout: 60000,
        what: `${page.__name}: reconnecting banner gone`,
      });
    }
    for (const [page, other] of [[alice, 'Bob'], [bob, 'Alice']]) {
      await waitForVideo(page, `${await tileSelector(page, other)} video`, `${page.__name} sees ${other} after the restart`, 40000);
      assert.deepEqual(await tileNames(page), [other, `${other === 'Bob' ? 'Alice' : 'Bob'} (You)`].sort());
    }
    // The same documents: no reload happened.
    for (const page of [alice, bob]) assert.equal(await page.evaluate(() => window.__sameDocument), true);
    assert.ok(await alice.evaluate(() => !!window.confabCall && window.confabCall.state === 'connected'));
  });
});

e2eTest('meeting page: direct links, long-poll, room full, server unreachable', { timeout: 240000 }, async (env, t) => {
  const server = await env.server(['--max-peers-per-room', '2']);
  const b = await env.browser('links', MANY_DEVICES_ARGS);
  const denied = await env.browser('denied', MEDIA_DENIED_ARGS);
  const dan = await newPage(denied, 'dan');
  const ann = await newPage(b, 'ann');
  const ben = await newPage(b, 'ben');
  const cat = await newPage(b, 'cat');
  const room = 'ui-links';

  await t.test('?room=&name= joins at once, camera and mic on; ?transport=longpoll is used', { timeout: 90000 }, async () => {
    // Cat watches the home page meanwhile: its list of rooms follows without a reload.
    await cat.goto(`${server.url}/`, { waitUntil: 'domcontentloaded' });
    await cat.locator('#rooms-empty').waitFor({ state: 'visible', timeout: 10000 });
    for (const [page, name] of [[ann, 'Ann'], [ben, 'Ben']]) {
      await page.goto(`${server.url}/?room=${room}&name=${name}&transport=longpoll`, { waitUntil: 'domcontentloaded' });
      await page.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
    }
    await waitForVideo(ann, `${await tileSelector(ann, 'Ben')} video`, 'ann sees Ben');
    await waitForVideo(ben, `${await tileSelector(ben, 'Ann')} video`, 'ben sees Ann');
    await waitTile(ann, 'Ben', { micMutedIcon: false, avatar: false }, 'Ben with mic and camera on');
    assert.equal(await ann.evaluate(() => window.confabCall.transportName), 'longpoll');
    const listed = cat.locator(`#rooms button.room[data-room="${room}"] .room-count`);
    await waitFor(() => listed.textContent({ timeout: 1000 }).then((x) => x.trim() === '2', () => false), {
      timeout: 20000,
      what: 'cat: the open room appears on the home page with 2 people',
    });
    assert.equal(await cat.locator('#rooms-empty').isVisible(), false);
  });

  await t.test('switching camera and microphone during the call, from Settings', { timeout: 60000 }, async () => {
    await ann.getByRole('button', { name: 'Settings' }).click();
    const dialog = ann.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel('Camera').selectOption({ label: 'fake_device_2' });
    await dialog.getByLabel('Microphone').selectOption({ label: 'Fake Audio Input 1' });
    const selfLabel = () => ann.evaluate(() => document.querySelector('.tile.self video').srcObject?.getVideoTracks()[0]?.label);
    await waitFor(() => selfLabel().then((l) => l === 'fake_device_2'), { what: 'ann self view from the third camera' });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await waitForVideo(ann, '.tile.self video', 'ann self view after the switch');
    // What the others get now comes from the new devices, without renegotiation.
    const sent = await ann.evaluate(() =>
      window.confabCall.publishPc.getSenders().map((s) => s.track && `${s.track.kind}:${s.track.label}:${s.track.readyState}`),
    );
    assert.ok(sent.includes('video:fake_device_2:live'), JSON.stringify(sent));
    assert.ok(sent.includes('audio:Fake Audio Input 1:live'), JSON.stringify(sent));
    const sel = await tileSelector(ben, 'Ann');
    await waitForVideo(ben, `${sel} video`, 'ben sees Ann after her switch');
    await waitHearing(ben, 'Ann');
  });

  await t.test('a full room says so and stays on the pre-join step', { timeout: 60000 }, async () => {
    // Picking the room from the list opens its pre-join step.
    await cat.locator('#home').getByLabel('Your name').fill('Cat');
    await cat.getByRole('button', { name: `Join ${room}, 2 people` }).click();
    await joinFromPrejoin(cat, { room, expectCall: false });
    await waitFor(() => visibleText(cat, '#alert-text').then((x) => x && /room is full/.test(x)), {
      timeout: 20000,
      what: 'cat: "room is full" alert',
    });
    assert.equal(await cat.locator('#prejoin').isVisible(), true);
    assert.equal(await cat.locator('#call').isVisible(), false);
    await screenshot(cat, 'prejoin-room-full-desktop.png');
  });

  await t.test('camera and microphone blocked: the pre-join says so; joining still works', { timeout: 60000 }, async () => {
    await cat.goto(`${server.url}/?room=ui-denied&name=Cat`, { waitUntil: 'domcontentloaded' });
    await cat.locator('#call').waitFor({ state: 'visible', timeout: 20000 });
    await dan.goto(`${server.url}/r/ui-denied`, { waitUntil: 'domcontentloaded' });
    await waitFor(() => visibleText(dan, '#alert-text').then((x) => x && /camera and microphone was blocked/.test(x)), {
      what: 'dan: camera and microphone blocked alert',
    });
    assert.equal(await visibleText(dan, '#preview-off-text'), 'No camera');
    await screenshot(dan, 'prejoin-blocked-desktop.png');
    await dan.locator('#prejoin').getByLabel('Your name').fill('Dan');
    await dan.getByRole('button', { name: 'Join now' }).click();
    await dan.locator('#call').waitFor({ state: 'visible', timeout: 15000 });
    await waitTile(cat, 'Dan', { avatar: true, video: false, micMutedIcon: true }, 'Dan without camera and microphone');
    await waitForVideo(dan, `${await tileSelector(dan, 'Cat')} video`, 'dan sees Cat');
  });

  await t.test('an unreachable server says so', { timeout: 60000 }, async () => {
    await dan.getByRole('button', { name: 'Leave call' }).click();
    await dan.getByRole('button', { name: 'Rejoin' }).click();
    await dan.locator('#prejoin').waitFor({ state: 'visible', timeout: 10000 });
    // The pre-join step checks the devices again first.
    await waitFor(() => visibleText(dan, '#alert-text').then((x) => x && /blocked/.test(x)), { what: 'dan: blocked again' });
    await server.stop();
    await dan.getByRole('button', { name: 'Join now' }).click();
    await waitFor(() => visibleText(dan, '#alert-text').then((x) => x && /Can't reach the Confab server/.test(x)), {
      timeout: 30000,
      what: 'dan: "can\'t reach the server" alert',
    });
    assert.equal(await dan.locator('#call').isVisible(), false);
  });
});
