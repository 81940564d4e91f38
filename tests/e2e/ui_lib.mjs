// Helpers for the meeting page tests (ui.test.mjs): drive the page as a
// user does (home, pre-join, call buttons) and read what a user would see
// (tiles, icons, banners, the pixels of each <video>).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, artifactsDir, log, waitFor } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
// Screenshots go to a fixed place, newest run wins, so that people (and the
// issue) find them without digging through per-run directories.
export const screenshotDir = path.join(here, 'artifacts', 'ui-screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// A page in `browser` with its console kept next to the other artifacts.
export async function newPage(browser, label, viewport = DESKTOP) {
  const page = browser.ctx.pages().find((p) => p.url() === 'about:blank' && !p.__used) || (await browser.ctx.newPage());
  page.__used = true;
  page.__name = label;
  await page.setViewportSize(viewport);
  fs.mkdirSync(artifactsDir, { recursive: true });
  const out = fs.createWriteStream(path.join(artifactsDir, `ui-${label}.console.log`));
  page.on('console', (m) => out.write(`${m.type()}: ${m.text()}\n`));
  page.on('pageerror', (e) => out.write(`pageerror: ${e.message}\n`));
  page.on('close', () => out.end());
  // Every camera or microphone track the page opens, to tell whether a
  // device is still in use (its light on) when the page says it is off.
  await page.addInitScript(() => {
    window.__deviceTracks = [];
    const md = navigator.mediaDevices;
    if (!md || !md.getUserMedia) return;
    const open = md.getUserMedia.bind(md);
    md.getUserMedia = async (constraints) => {
      const stream = await open(constraints);
      window.__deviceTracks.push(...stream.getTracks());
      return stream;
    };
  });
  return page;
}

// How many cameras the page holds open right now.
export function liveCameras(page) {
  return page.evaluate(() => window.__deviceTracks.filter((t) => t.kind === 'video' && t.readyState === 'live').length);
}

// Home -> type name and room -> Continue -> pre-join -> Join now; unless
// expectCall is false, waits to be in the call.
export async function joinViaHome(page, server, { name, room, query = '', expectCall = true }) {
  await page.goto(`${server.url}/${query}`, { waitUntil: 'domcontentloaded' });
  const home = page.locator('#home');
  await home.getByLabel('Your name').fill(name);
  await home.getByLabel('Room', { exact: true }).fill(room);
  await home.getByRole('button', { name: 'Continue' }).click();
  await joinFromPrejoin(page, { room, expectCall });
}

// The pre-join step: wait for the camera preview, then Join now.
export async function joinFromPrejoin(page, { room, name = null, expectCall = true }) {
  await page.locator('#prejoin').waitFor({ state: 'visible', timeout: 10000 });
  await waitFor(() => page.locator('#prejoin-room').textContent().then((t) => t === room), { what: 'pre-join room name' });
  if (name !== null) await page.locator('#prejoin').getByLabel('Your name').fill(name);
  await waitForVideo(page, '#preview', 'camera preview');
  await page.getByRole('button', { name: 'Join now' }).click();
  if (!expectCall) return;
  await page.locator('#call').waitFor({ state: 'visible', timeout: 15000 });
  await waitForVideo(page, '.tile.self video', `${page.__name}'s self view`);
  log(`${page.__name} is in the call`);
}

// What the <video> matching selector shows: size, decoded frame count, and
// the mean and variance of its luminance sampled through a canvas.
export function videoPixels(page, selector) {
  return page.evaluate((sel) => {
    const v = document.querySelector(sel);
    if (!v) return { found: false };
    const box = v.getBoundingClientRect();
    const out = {
      found: true,
      visible: box.width > 0 && box.height > 0 && getComputedStyle(v).display !== 'none',
      area: Math.round(box.width * box.height),
      width: v.videoWidth,
      height: v.videoHeight,
      paused: v.paused,
      readyState: v.readyState,
      frames: v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality().totalVideoFrames : 0,
    };
    if (!v.videoWidth || v.readyState < 2) return out;
    const c = document.createElement('canvas');
    c.width = 96;
    c.height = 54;
    const g = c.getContext('2d', { willReadFrequently: true });
    g.drawImage(v, 0, 0, c.width, c.height);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0;
    let sum2 = 0;
    const n = d.length / 4;
    for (let i = 0; i < d.length; i += 4) {
      const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
      sum += y;
      sum2 += y * y;
    }
    out.mean = Math.round(sum / n);
    out.variance = Math.round(sum2 / n - (sum / n) ** 2);
    return out;
  }, selector);
}

// A picture with content: not black, not one flat colour.
export function looksAlive(p) {
  return !!(p && p.visible && p.width > 0 && !p.paused && p.mean > 8 && p.variance > 50);
}

// Waits until the video is visible, playing, not black, and its decoded
// frame count keeps going up.
export async function waitForVideo(page, selector, what, timeout = 20000) {
  let first = null;
  let last = null;
  try {
    await waitFor(
      async () => {
        last = await videoPixels(page, selector);
        if (!looksAlive(last)) {
          first = null;
          return false;
        }
        if (!first) first = last;
        return last.frames > first.frames + 2 ? last : false;
      },
      { timeout, interval: 250, what: `${what} (${selector}) playing and not black` },
    );
  } catch (err) {
    err.message += `\nlast sample: ${JSON.stringify(last)}`;
    throw err;
  }
  return last;
}

// Selector of the tile whose name label is exactly `name` (tiles carry the
// peer id in data-peer; tests know people by name, as users do).
export async function tileSelector(page, name) {
  const id = await waitFor(
    () =>
      page.evaluate((n) => {
        const t = [...document.querySelectorAll('#grid .tile')].find((el) => el.querySelector('.name').textContent === n);
        return t ? t.dataset.peer : null;
      }, name),
    { timeout: 20000, what: `${page.__name} to show a tile for ${name}` },
  );
  return `#grid .tile[data-peer="${id}"]`;
}

// What a user sees on the tile named `name`, or null if there is none.
export function tileView(page, name) {
  return page.evaluate((n) => {
    const t = [...document.querySelectorAll('#grid .tile')].find((el) => el.querySelector('.name').textContent === n);
    if (!t) return null;
    const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
    return {
      peer: t.dataset.peer,
      micMutedIcon: shown(t.querySelector('.mic-off')),
      avatar: shown(t.querySelector('.avatar')),
      avatarText: t.querySelector('.avatar').textContent,
      video: shown(t.querySelector('video')),
      quality: t.querySelector('.quality').hidden ? null : t.querySelector('.quality').dataset.q,
    };
  }, name);
}

export function tileNames(page) {
  return page.evaluate(() => [...document.querySelectorAll('#grid .tile .name')].map((e) => e.textContent).sort());
}

export async function screenshot(page, file) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  const p = path.join(screenshotDir, file);
  await page.screenshot({ path: p });
  fs.copyFileSync(p, path.join(artifactsDir, file));
  log(`screenshot ${p}`);
  return p;
}

// The loudest sample (0..1) of what the page plays from the peer whose
// tile is named `name`, listened to for about half a second through Web
// Audio, and whether its <audio> element is playing.
export async function hearing(page, name) {
  const sel = await tileSelector(page, name);
  const peer = await page.$eval(sel, (el) => el.dataset.peer);
  return page.evaluate(async (id) => {
    const a = document.querySelector(`audio[data-peer="${id}"]`);
    if (!a || !a.srcObject) return { found: false };
    const ctx = (window.__uiAudioCtx ||= new AudioContext());
    await ctx.resume();
    const src = ctx.createMediaStreamSource(a.srcObject);
    const an = ctx.createAnalyser();
    an.fftSize = 2048;
    src.connect(an);
    const buf = new Float32Array(an.fftSize);
    let peak = 0;
    for (let i = 0; i < 12; i++) {
      await new Promise((r) => setTimeout(r, 40));
      an.getFloatTimeDomainData(buf);
      for (const v of buf) peak = Math.max(peak, Math.abs(v));
    }
    src.disconnect();
    return { found: true, playing: !a.paused, peak: Math.round(peak * 1000) / 1000 };
  }, peer);
}

export async function waitHearing(page, name) {
  let last;
  try {
    return await waitFor(
      async () => {
        last = await hearing(page, name);
        return last.found && last.playing && last.peak > 0.01 ? last : false;
      },
      { timeout: 20000, interval: 100, what: `${page.__name} to hear ${name}` },
    );
  } catch (err) {
    err.message += `\nlast: ${JSON.stringify(last)}`;
    throw err;
  }
}

// Fake media with three cameras and several microphones, to switch devices
// during a call. (Its fake_device_1 delivers Y16 depth frames that WebRTC
// does not encode: the others get no video from it; fake_device_2 is an
// ordinary camera.)
export const MANY_DEVICES_ARGS = CHROMIUM_ARGS.map((a) =>
  a === '--use-fake-device-for-media-stream' ? '--use-fake-device-for-media-stream=device-count=3' : a,
);

// No permission prompt answered for the user: headless Chromium then denies
// camera and microphone, as when a user blocks them.
export const MEDIA_DENIED_ARGS = CHROMIUM_ARGS.filter((a) => a !== '--use-fake-ui-for-media-stream');
