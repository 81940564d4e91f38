// The call's stage: one tile per participant (video or initials, name,
// mic state, connection quality), a spotlight for a shared screen, hidden
// <audio> elements for what others say, and the participant list.
//
// render() is idempotent: it reads the Confab object and the local tracks
// and brings the DOM in line, touching only what changed, so that any event
// (or a periodic tick) may call it.

import { icon, qualityIcon } from './icons.js';

const $ = (id) => document.getElementById(id);

export function initials(name) {
  const words = String(name || '?').trim().split(/\s+/).filter(Boolean);
  const first = (w) => [...w][0] || '';
  const letters = words.length > 1 ? first(words[0]) + first(words[words.length - 1]) : first(words[0] || '?');
  return letters.toUpperCase();
}

function hue(name) {
  let h = 0;
  for (const c of String(name)) h = (h * 31 + c.codePointAt(0)) % 360;
  return h;
}

const streams = new WeakMap(); // MediaStreamTrack -> MediaStream holding only it

function streamOf(track) {
  let s = streams.get(track);
  if (!s) {
    s = new MediaStream([track]);
    streams.set(track, s);
  }
  return s;
}

function setVideo(video, track) {
  const want = track ? streamOf(track) : null;
  if (video.srcObject !== want) {
    video.srcObject = want;
    if (want) video.play().catch(() => {});
  }
}

function makeTile(key) {
  const el = document.createElement('div');
  el.className = 'tile';
  el.dataset.peer = key;
  el.setAttribute('role', 'group');
  el.innerHTML =
    '<video autoplay playsinline muted></video>' +
    '<div class="avatar-wrap"><span class="avatar"></span></div>' +
    '<div class="tile-info">' +
    `<span class="mic-off" hidden>${icon('mic', { off: true, label: 'Microphone muted' })}</span>` +
    '<span class="name"></span></div>' +
    '<span class="quality" hidden></span>';
  return el;
}

function updateTile(el, { name, videoTrack, videoOn, micMuted, quality, self }) {
  el.classList.toggle('self', !!self);
  const label = self ? `${name} (You)` : name;
  const nameEl = el.querySelector('.name');
  if (nameEl.textContent !== label) nameEl.textContent = label;
  el.setAttribute('aria-label', `${label}${micMuted ? ', muted' : ''}${videoOn ? '' : ', camera off'}`);
  const av = el.querySelector('.avatar');
  const ini = initials(name);
  if (av.textContent !== ini) {
    av.textContent = ini;
    av.style.setProperty('--hue', hue(name));
  }
  const showVideo = !!(videoTrack && videoOn);
  el.classList.toggle('video-off', !showVideo);
  setVideo(el.querySelector('video'), showVideo ? videoTrack : null);
  el.querySelector('.mic-off').hidden = !micMuted;
  const q = el.querySelector('.quality');
  q.hidden = self || !quality || quality === 'unknown';
  if (!q.hidden && q.dataset.q !== quality) {
    q.dataset.q = quality;
    q.title = `Connection: ${quality}`;
    q.setAttribute('aria-label', `Connection ${quality}`);
    q.setAttribute('role', 'img');
    q.innerHTML = qualityIcon(quality);
  }
}

// What one remote peer publishes, by role.
function peerMedia(peer) {
  const out = { camera: null, audio: null, screen: null };
  for (const t of peer.tracks.values()) {
    if (t.kind === 'audio') {
      if (!out.audio || out.audio.muted) out.audio = t;
    } else if (t.source === 'screen') {
      out.screen = t;
    } else {
      out.camera = t;
    }
  }
  return out;
}

export class CallView {
  constructor() {
    this.grid = $('grid');
    this.stage = $('stage');
    this.spotlight = $('spotlight');
    this.tiles = new Map(); // key ('self' or a peer id) -> element
    this.audios = new Map(); // remote track id -> <audio>
    this.audioBox = document.createElement('div');
    this.audioBox.hidden = true;
    document.body.append(this.audioBox);
    this.onAudioBlocked = () => {};
    new ResizeObserver(() => this.layout()).observe(this.stage);
  }

  clear() {
    for (const el of this.tiles.values()) el.remove();
    this.tiles.clear();
    for (const a of this.audios.values()) a.remove();
    this.audios.clear();
    this.spotlight.replaceChildren();
    this.spotlight.hidden = true;
    this.stage.classList.remove('has-spotlight');
  }

  // me: {name, camTrack, camera, mic, screen} (LocalTracks or null; camTrack
  // is the camera's current MediaStreamTrack, which replaceTrack changes)
  render(call, me) {
    if (!call) return;
    const seen = new Set(['self']);
    const screens = [];
    this.tile('self', {
      name: me.name,
      videoTrack: me.camTrack || (me.camera && me.camera.track),
      videoOn: !!(me.camera && !me.camera.muted),
      micMuted: !me.mic || me.mic.muted,
      self: true,
    });
    if (me.screen && me.screen.track) screens.push({ name: 'You', track: me.screen.track, self: true });
    const liveAudio = new Set();
    for (const peer of call.peers.values()) {
      seen.add(peer.id);
      const m = peerMedia(peer);
      this.tile(peer.id, {
        name: peer.name,
        videoTrack: m.camera && m.camera.track,
        videoOn: !!(m.camera && m.camera.track && !m.camera.muted),
        micMuted: !m.audio || m.audio.muted,
        quality: peer.quality,
      });
      for (const t of peer.tracks.values()) {
        if (t.kind === 'audio' && t.track) {
          liveAudio.add(t.id);
          this.audio(t);
        }
      }
      if (m.screen && m.screen.track) screens.unshift({ name: peer.name, track: m.screen.track, peerId: peer.id });
    }
    for (const [key, el] of this.tiles) {
      if (!seen.has(key)) {
        el.remove();
        this.tiles.delete(key);
      }
    }
    for (const [id, a] of this.audios) {
      if (!liveAudio.has(id)) {
        a.srcObject = null;
        a.remove();
        this.audios.delete(id);
      }
    }
    this.renderSpotlight(screens[0] || null);
    this.layout();
  }

  tile(key, state) {
    let el = this.tiles.get(key);
    if (!el) {
      el = makeTile(key);
      this.tiles.set(key, el);
      if (key === 'self') this.grid.prepend(el);
      else this.grid.append(el);
    }
    updateTile(el, state);
  }

  audio(t) {
    let a = this.audios.get(t.id);
    if (!a) {
      a = document.createElement('audio');
      a.autoplay = true;
      a.dataset.track = t.id;
      a.dataset.peer = t.peerId;
      this.audioBox.append(a);
      this.audios.set(t.id, a);
    }
    if (!a.srcObject || a.srcObject.getTracks()[0] !== t.track) {
      a.srcObject = streamOf(t.track);
      a.play().catch(() => this.onAudioBlocked());
    }
  }

  // Tries again to play every remote audio element (after a user gesture).
  resumeAudio() {
    for (const a of this.audios.values()) a.play().catch(() => {});
  }

  renderSpotlight(screen) {
    const on = !!screen;
    this.spotlight.hidden = !on;
    this.stage.classList.toggle('has-spotlight', on);
    if (!on) {
      if (this.spotlight.firstChild) this.spotlight.replaceChildren();
      return;
    }
    let el = this.spotlight.querySelector('.tile');
    if (!el) {
      el = document.createElement('div');
      el.className = 'tile screen';
      el.setAttribute('role', 'group');
      el.innerHTML = '<video autoplay playsinline muted></video><div class="tile-info"><span class="name"></span></div>';
      this.spotlight.append(el);
    }
    el.dataset.peer = screen.self ? 'self' : screen.peerId;
    const label = screen.self ? 'You are presenting' : `${screen.name} is presenting`;
    const nameEl = el.querySelector('.name');
    if (nameEl.textContent !== label) nameEl.textContent = label;
    el.setAttribute('aria-label', label);
    setVideo(el.querySelector('video'), screen.track);
  }

  // Picks the column count that gives the largest tiles in the stage
  // (or, with a spotlight, lays the tiles out as a strip).
  layout() {
    const n = this.tiles.size;
    if (!n) return;
    if (this.stage.classList.contains('has-spotlight')) {
      this.grid.style.removeProperty('--tile-w');
      return;
    }
    const W = this.grid.clientWidth;
    const H = this.grid.clientHeight;
    if (!W || !H) return;
    const gap = 8;
    // style.css gives tiles 4:3 on a phone held upright, 16:9 elsewhere.
    const ratio = matchMedia('(max-width: 760px) and (orientation: portrait)').matches ? 4 / 3 : 16 / 9;
    let best = { cols: 1, w: 0 };
    for (let cols = 1; cols <= n; cols++) {
      const rows = Math.ceil(n / cols);
      const cellW = (W - gap * (cols - 1)) / cols;
      const cellH = (H - gap * (rows - 1)) / rows;
      const w = Math.min(cellW, cellH * ratio);
      if (w > best.w) best = { cols, w };
    }
    this.grid.style.setProperty('--tile-w', `${Math.floor(best.w)}px`);
  }
}

// The participant list: you first, then the others in join order.
export function renderPeople(list, call, me) {
  const rows = [{ name: me.name, self: true, muted: !me.mic || me.mic.muted }];
  if (call) {
    for (const peer of call.peers.values()) {
      const m = peerMedia(peer);
      rows.push({ name: peer.name, muted: !m.audio || m.audio.muted, presenting: !!m.screen });
    }
  }
  const html = rows
    .map((r) => {
      const mic = r.muted ? icon('mic', { off: true, label: 'Muted' }) : icon('mic', { label: 'Microphone on' });
      const tag = [r.self ? 'You' : '', r.presenting ? 'Presenting' : ''].filter(Boolean).join(', ');
      return (
        `<li><span class="avatar small" style="--hue:${hue(r.name)}">${escapeHtml(initials(r.name))}</span>` +
        `<span class="person">${escapeHtml(r.name)}${tag ? ` <span class="muted">(${tag})</span>` : ''}</span>` +
        `<span class="person-mic${r.muted ? ' is-muted' : ''}">${mic}</span></li>`
      );
    })
    .join('');
  if (list.renderedHtml !== html) {
    list.renderedHtml = html;
    list.innerHTML = html;
  }
  return rows.length;
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
