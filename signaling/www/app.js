// The Confab meeting page: home (name, room, open rooms), pre-join (camera
// preview, devices), and the call itself. It talks to the server only
// through the client library (confab.js); tiles and lists live in view.js.
//
// URLs: `/` home; `/r/NAME` pre-join for room NAME; `/?room=R&name=N` joins
// at once with camera and microphone on; `?transport=websocket|longpoll`
// is handed to the library.

import { Confab, listRooms } from '/confab.js';
import { icon } from './icons.js';
import { deviceError, fillSelect, listDevices, openDevice, trackDeviceId } from './media.js';
import { CallView, escapeHtml, initials, renderPeople } from './view.js';

const $ = (id) => document.getElementById(id);
const ROOM_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const NAME_KEY = 'confab.name';
const params = new URLSearchParams(location.search);
const transport = ['websocket', 'longpoll'].includes(params.get('transport')) ? params.get('transport') : 'auto';

const ERRORS = {
  room_full: 'This room is full. Try again later or pick another room.',
  server_full: 'The server cannot host another meeting right now. Try again later.',
  unreachable: "Can't reach the Confab server. Check your connection and try again.",
  resume_failed: 'The connection to the meeting was lost.',
};

// Everything the page knows about the local side.
const me = {
  name: '',
  room: '',
  micOn: true,
  camOn: true,
  micTrack: null, // MediaStreamTrack from getUserMedia (pre-join and call)
  camTrack: null,
  camDeviceId: null, // a camera picked while the camera is off
  mic: null, // LocalTrack once published
  camera: null,
  screen: null,
};
let call = null;
let leaving = false;
const view = new CallView();

// ---- small helpers ----------------------------------------------------------

function show(screen) {
  for (const id of ['home', 'prejoin', 'call', 'left']) $(id).hidden = id !== screen;
  document.title = screen === 'call' || screen === 'prejoin' ? `${me.room} – Confab` : 'Confab';
  document.body.dataset.screen = screen;
  if (screen === 'home') startRoomList();
  else stopRoomList();
}

function alertUser(text) {
  $('alert-text').textContent = text;
  $('alert').hidden = false;
}

function clearAlert() {
  $('alert').hidden = true;
}

let toastTimer = null;

function toast(text) {
  $('toast').textContent = text;
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => ($('toast').hidden = true), 3000);
}

function banner(text) {
  $('banner').textContent = text || '';
  $('banner').hidden = !text;
}

function errorText(err) {
  return (err && ERRORS[err.code]) || (err && err.message) || String(err);
}

function setToggle(btn, { pressed, label, iconName, off }) {
  btn.setAttribute('aria-pressed', String(pressed));
  btn.setAttribute('aria-label', label);
  btn.title = label;
  const svg = icon(iconName, { off });
  if (btn.dataset.svg !== svg) {
    btn.dataset.svg = svg;
    const extra = [...btn.children].filter((c) => c.tagName !== 'svg');
    btn.innerHTML = svg;
    btn.append(...extra);
  }
}

function setIcon(btn, name) {
  const extra = [...btn.children];
  btn.innerHTML = icon(name);
  btn.append(...extra);
}

// ---- home ---------------------------------------------------------------------

let roomTimer = null;

async function refreshRooms() {
  let rooms = [];
  try {
    rooms = await listRooms();
  } catch {
    return; // keep the last list; the server may be restarting
  }
  const list = $('rooms');
  const html = rooms
    .map(
      (r) =>
        `<li><button type="button" class="room" data-room="${escapeHtml(r.name)}" aria-label="Join ${escapeHtml(r.name)}, ${r.peers} ${r.peers === 1 ? 'person' : 'people'}">` +
        `<span class="room-name">${escapeHtml(r.name)}</span>` +
        `<span class="room-count">${icon('people')}<span>${r.peers}</span></span>${icon('arrow')}</button></li>`,
    )
    .join('');
  if (list.renderedHtml !== html) {
    list.renderedHtml = html;
    list.innerHTML = html;
  }
  $('rooms-empty').hidden = rooms.length > 0;
}

function startRoomList() {
  if (roomTimer) return;
  refreshRooms();
  roomTimer = setInterval(refreshRooms, 3000);
}

function stopRoomList() {
  clearInterval(roomTimer);
  roomTimer = null;
}

function initHome() {
  $('home-name').value = localStorage.getItem(NAME_KEY) || '';
  $('home-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('home-name').value.trim();
    const room = $('home-room').value.trim();
    if (!name || !ROOM_RE.test(room)) return;
    rememberName(name);
    history.pushState(null, '', `/r/${encodeURIComponent(room)}${location.search}`);
    openPrejoin(room, name);
  });
  $('rooms').addEventListener('click', (e) => {
    const btn = e.target.closest('button.room');
    if (!btn) return;
    $('home-room').value = btn.dataset.room;
    if ($('home-name').value.trim()) $('home-form').requestSubmit();
    else $('home-name').focus();
  });
}

function rememberName(name) {
  me.name = name;
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // private mode: nothing to remember
  }
}

// ---- pre-join -------------------------------------------------------------------

async function openPrejoin(room, name) {
  me.room = room;
  me.name = name || me.name || localStorage.getItem(NAME_KEY) || '';
  $('prejoin-room').textContent = room;
  $('pre-name').value = me.name;
  show('prejoin');
  clearAlert();
  renderPrejoin();
  await ensureDevices();
  renderPrejoin();
  await refreshDeviceLists();
  ($('pre-name').value ? $('pre-join') : $('pre-name')).focus();
}

// Opens whatever of camera and microphone is missing; reports failures.
async function ensureDevices() {
  const cam = me.camTrack || !me.camOn ? null : await openDevice('video', $('pre-camera').value);
  if (cam && cam.track) me.camTrack = cam.track;
  const mic = me.micTrack ? null : await openDevice('audio', $('pre-microphone').value);
  if (mic && mic.track) me.micTrack = mic.track;
  const failed = [cam, mic].filter((r) => r && !r.track);
  if (failed.length === 2 && cam.reason === mic.reason && cam.reason !== 'other') {
    alertUser(deviceError('camera and microphone', cam.reason));
  } else if (failed.length) {
    alertUser(failed.map((r) => r.error).join(' '));
  }
}

function renderPrejoin() {
  const video = $('preview');
  const camVisible = !!(me.camTrack && me.camOn);
  const stream = camVisible ? new MediaStream([me.camTrack]) : null;
  if (!camVisible || !video.srcObject || video.srcObject.getVideoTracks()[0] !== me.camTrack) video.srcObject = stream;
  video.hidden = !camVisible;
  $('preview-off').hidden = camVisible;
  $('preview-off-text').textContent = me.camOn ? 'No camera' : 'Camera is off';
  const typed = $('pre-name').value.trim();
  if (typed) $('preview-avatar').textContent = initials(typed);
  else $('preview-avatar').innerHTML = icon('user');
  if (me.camTrack) me.camTrack.enabled = me.camOn;
  if (me.micTrack) me.micTrack.enabled = me.micOn;
  setToggle($('pre-mic'), {
    pressed: !me.micOn,
    label: me.micOn ? 'Turn off microphone' : 'Turn on microphone',
    iconName: 'mic',
    off: !me.micOn || !me.micTrack,
  });
  setToggle($('pre-cam'), {
    pressed: !me.camOn,
    label: me.camOn ? 'Turn off camera' : 'Turn on camera',
    iconName: 'cam',
    off: !me.camOn || !me.camTrack,
  });
}

async function refreshDeviceLists() {
  const devices = await listDevices();
  fillSelect($('pre-camera'), devices.video, trackDeviceId(me.camTrack));
  fillSelect($('pre-microphone'), devices.audio, trackDeviceId(me.micTrack));
  fillSelect($('set-camera'), devices.video, trackDeviceId(me.camTrack));
  fillSelect($('set-microphone'), devices.audio, trackDeviceId(me.micTrack));
}

function initPrejoin() {
  $('pre-mic').addEventListener('click', () => {
    me.micOn = !me.micOn;
    renderPrejoin();
  });
  $('pre-cam').addEventListener('click', async () => {
    me.camOn = !me.camOn;
    if (!me.camOn && me.camTrack) {
      // Off means off: the camera is let go of (light out) and nothing is
      // published for it until it is turned on in the call.
      me.camDeviceId = trackDeviceId(me.camTrack);
      me.camTrack.stop();
      me.camTrack = null;
    } else if (me.camOn && !me.camTrack) {
      me.camTrack = await openChosenCamera('pre-camera');
      if (me.camTrack) me.camDeviceId = null;
    }
    renderPrejoin();
  });
  $('pre-name').addEventListener('input', renderPrejoin);
  $('pre-camera').addEventListener('change', () => switchDevice('video', $('pre-camera').value));
  $('pre-microphone').addEventListener('change', () => switchDevice('audio', $('pre-microphone').value));
  $('pre-back').addEventListener('click', () => {
    stopLocalMedia();
    history.pushState(null, '', `/${location.search}`);
    route();
  });
  $('prejoin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const name = $('pre-name').value.trim();
    if (!name) return;
    rememberName(name);
    joinCall();
  });
}

// ---- devices during pre-join and the call ----------------------------------------

async function switchDevice(kind, deviceId) {
  const old = kind === 'video' ? me.camTrack : me.micTrack;
  if (old && trackDeviceId(old) === deviceId) return;
  if (kind === 'video' && !me.camOn) {
    me.camDeviceId = deviceId; // opened when the camera is turned on
    return;
  }
  const r = await openDevice(kind, deviceId);
  if (!r.track) {
    alertUser(r.error);
    return;
  }
  const local = kind === 'video' ? me.camera : me.mic;
  r.track.enabled = kind === 'video' ? me.camOn : me.micOn;
  if (local && call) {
    try {
      await call.replaceTrack(local, r.track);
    } catch (err) {
      r.track.stop();
      alertUser(`Could not switch device: ${errorText(err)}`);
      return;
    }
  }
  if (kind === 'video') me.camTrack = r.track;
  else me.micTrack = r.track;
  if (old) old.stop();
  renderPrejoin();
  renderCall();
  refreshDeviceLists();
}

function stopLocalMedia() {
  for (const t of [me.camTrack, me.micTrack, me.screen && me.screen.track]) if (t) t.stop();
  me.camTrack = me.micTrack = null;
  me.mic = me.camera = me.screen = null;
}

// ---- the call ------------------------------------------------------------------------

const chatSeen = new Set();
let unread = 0;
let panel = null; // 'chat' | 'people' | null
let tick = null;

async function joinCall() {
  clearAlert();
  leaving = false;
  $('pre-join').disabled = true;
  banner('Joining…');
  call = new Confab({ transport, base: '' });
  window.confabCall = call;
  wireCall(call);
  try {
    await call.join(me.room, me.name);
  } catch (err) {
    banner('');
    $('pre-join').disabled = false;
    const failed = call;
    call = null;
    failed.leave().catch(() => {});
    alertUser(errorText(err));
    if (document.body.dataset.screen !== 'prejoin') openPrejoin(me.room, me.name);
    return;
  }
  banner('');
  $('pre-join').disabled = false;
  resetChat();
  for (const m of call.chat || []) addChat(m, false);
  $('call-room').textContent = me.room;
  $('copy-link').setAttribute('aria-label', `Copy meeting link for ${me.room}`);
  show('call');
  view.clear();
  renderCall();
  tick = setInterval(renderCall, 1000);
  await publishLocal();
}

async function publishLocal() {
  try {
    if (me.micTrack) {
      me.mic = await call.publish(me.micTrack, { source: 'microphone' });
      if (!me.micOn) await call.setMuted(me.mic, true);
    }
    if (me.camTrack) {
      me.camera = await call.publish(me.camTrack, { source: 'camera' });
      if (!me.camOn) {
        await call.setMuted(me.camera, true);
        me.camTrack.stop(); // light off; cameraBackOn opens it again
      }
    }
  } catch (err) {
    alertUser(`Could not send your audio or video: ${errorText(err)}`);
  }
  renderCall();
}

function wireCall(c) {
  const rerender = () => c === call && renderCall();
  for (const ev of ['peer-joined', 'peer-left', 'track-added', 'track-removed', 'track-muted', 'quality', 'rejoined']) {
    c.on(ev, rerender);
  }
  c.on('chat', ({ message }) => c === call && addChat(message, true));
  c.on('state', ({ state }) => c === call && onState(state));
  c.on('error', (e) => c === call && alertUser(errorText(e)));
}

function onState(state) {
  if (state === 'reconnecting') banner('Reconnecting…');
  else if (state === 'connected') banner('');
  else if (state === 'closed' && !leaving && document.body.dataset.screen === 'call') {
    banner('');
    alertUser('The connection to the meeting was lost.');
    endCall('You were disconnected');
  }
  renderCall();
}

function renderCall() {
  if (!call || document.body.dataset.screen !== 'call') return;
  view.render(call, me);
  const count = renderPeople($('people-list'), call, me);
  $('people-count').textContent = String(count);
  $('btn-people').setAttribute('aria-label', `People (${count})`);
  const micMuted = !me.mic || me.mic.muted;
  setToggle($('btn-mic'), {
    pressed: micMuted,
    label: micMuted ? 'Turn on microphone' : 'Turn off microphone',
    iconName: 'mic',
    off: micMuted,
  });
  const camOff = !me.camera || me.camera.muted;
  setToggle($('btn-cam'), {
    pressed: camOff,
    label: camOff ? 'Turn on camera' : 'Turn off camera',
    iconName: 'cam',
    off: camOff,
  });
  setToggle($('btn-share'), {
    pressed: !!me.screen,
    label: me.screen ? 'Stop presenting' : 'Share screen',
    iconName: 'share',
    off: false,
  });
  $('btn-share').classList.toggle('active', !!me.screen);
  $('btn-mic').classList.toggle('off', micMuted);
  $('btn-cam').classList.toggle('off', camOff);
  $('clock').textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

async function toggleMic() {
  if (!call) return;
  if (!me.mic) {
    const r = await openDevice('audio', $('set-microphone').value);
    if (!r.track) return alertUser(r.error);
    me.micTrack = r.track;
    me.micOn = true;
    me.mic = await call.publish(r.track, { source: 'microphone' }).catch((err) => alertUser(errorText(err)));
  } else {
    me.micOn = me.mic.muted;
    // setMuted flips the flag at once; show it before the server confirms.
    const done = call.setMuted(me.mic, !me.micOn);
    renderCall();
    await done.catch((err) => alertUser(errorText(err)));
  }
  renderCall();
}

async function toggleCam() {
  if (!call) return;
  if (!me.camera) {
    const track = await openChosenCamera('set-camera');
    if (!track) return;
    me.camTrack = track;
    me.camDeviceId = null;
    me.camOn = true;
    me.camera = await call.publish(track, { source: 'camera' }).catch((err) => alertUser(errorText(err)));
  } else if (me.camOn) {
    // The others see the avatar (the mute flag), and the camera is let go
    // of, so that its light goes out as in every meeting app.
    me.camOn = false;
    const done = call.setMuted(me.camera, true);
    if (me.camTrack) me.camTrack.stop();
    renderCall();
    await done.catch((err) => alertUser(errorText(err)));
  } else {
    await cameraBackOn();
  }
  renderCall();
}

// The camera picked while it was off, else the one in the selector
// selectId; null (and the user told why) when it cannot be opened.
async function openChosenCamera(selectId) {
  const r = await openDevice('video', me.camDeviceId || $(selectId).value);
  if (!r.track) alertUser(r.error);
  return r.track || null;
}

// Opens the camera again on the same published track: no renegotiation.
async function cameraBackOn() {
  const track = await openChosenCamera('set-camera');
  if (!track) return;
  try {
    await call.replaceTrack(me.camera, track);
  } catch (err) {
    track.stop();
    return alertUser(`Could not turn the camera on: ${errorText(err)}`);
  }
  if (me.camTrack && me.camTrack !== track) me.camTrack.stop();
  me.camTrack = track;
  me.camDeviceId = null;
  me.camOn = true;
  const done = call.setMuted(me.camera, false);
  renderCall();
  await done.catch((err) => alertUser(errorText(err)));
}

async function toggleShare() {
  if (!call) return;
  if (me.screen) return stopShare();
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15 } }, audio: false });
  } catch (err) {
    if (err && err.name !== 'NotAllowedError') alertUser(`Could not share your screen: ${err.message || err}`);
    return;
  }
  const track = stream.getVideoTracks()[0];
  track.contentHint = 'detail';
  try {
    me.screen = await call.publish(track, { source: 'screen' });
  } catch (err) {
    track.stop();
    alertUser(`Could not share your screen: ${errorText(err)}`);
    return;
  }
  // The browser's own "Stop sharing" ends the track.
  track.addEventListener('ended', () => stopShare());
  renderCall();
}

async function stopShare() {
  const local = me.screen;
  if (!local) return;
  me.screen = null;
  local.track.stop();
  renderCall();
  if (call) await call.unpublish(local).catch(() => {});
}

async function leaveCall() {
  if (!call) return;
  leaving = true;
  const c = call;
  endCall('You left the meeting');
  await c.leave().catch(() => {});
}

function endCall(title) {
  clearInterval(tick);
  tick = null;
  call = null;
  view.clear();
  stopLocalMedia();
  closePanel();
  $('left-title').textContent = title;
  show('left');
  $('left-rejoin').focus();
}

// ---- chat and panels -------------------------------------------------------------------

function resetChat() {
  chatSeen.clear();
  $('chat-list').replaceChildren();
  unread = 0;
  renderBadge();
}

function addChat(m, live) {
  const key = `${m.id}|${m.ts}|${m.peer_id}`;
  if (chatSeen.has(key)) return;
  chatSeen.add(key);
  const mine = call && m.peer_id === call.peerId;
  const li = document.createElement('li');
  li.className = mine ? 'msg mine' : 'msg';
  const time = new Date(m.ts || Date.now()).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  li.innerHTML =
    `<div class="msg-head"><span class="msg-name">${escapeHtml(mine ? 'You' : m.name)}</span>` +
    `<time>${escapeHtml(time)}</time></div><div class="msg-text"></div>`;
  li.querySelector('.msg-text').textContent = m.text;
  const list = $('chat-list');
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  list.append(li);
  if (atBottom || mine) list.scrollTop = list.scrollHeight;
  if (live && !mine && panel !== 'chat') {
    unread++;
    renderBadge();
  }
}

function renderBadge() {
  const b = $('chat-badge');
  b.hidden = unread === 0;
  b.textContent = unread > 99 ? '99+' : String(unread);
  $('btn-chat').setAttribute('aria-label', unread ? `Chat (${unread} unread)` : 'Chat');
}

function openPanel(which) {
  if (panel === which) return closePanel();
  panel = which;
  $('panel').hidden = false;
  $('panel-title').textContent = which === 'chat' ? 'In-call messages' : 'People';
  $('chat-pane').hidden = which !== 'chat';
  $('people-pane').hidden = which !== 'people';
  $('btn-chat').setAttribute('aria-pressed', String(which === 'chat'));
  $('btn-people').setAttribute('aria-pressed', String(which === 'people'));
  document.body.classList.add('panel-open');
  if (which === 'chat') {
    unread = 0;
    renderBadge();
    const list = $('chat-list');
    list.scrollTop = list.scrollHeight;
    $('chat-input').focus();
  }
  view.layout();
}

function closePanel() {
  panel = null;
  $('panel').hidden = true;
  $('btn-chat').setAttribute('aria-pressed', 'false');
  $('btn-people').setAttribute('aria-pressed', 'false');
  document.body.classList.remove('panel-open');
  view.layout();
}

function initCall() {
  setIcon($('btn-settings'), 'settings');
  setIcon($('btn-leave'), 'leave');
  setIcon($('btn-people'), 'people');
  setIcon($('btn-chat'), 'chat');
  setIcon($('panel-close'), 'close');
  setIcon($('chat-send'), 'send');
  setIcon($('alert-close'), 'close');
  setIcon($('copy-link'), 'link');
  $('btn-mic').addEventListener('click', toggleMic);
  $('btn-cam').addEventListener('click', toggleCam);
  $('btn-share').addEventListener('click', toggleShare);
  $('btn-leave').addEventListener('click', leaveCall);
  $('btn-chat').addEventListener('click', () => openPanel('chat'));
  $('btn-people').addEventListener('click', () => openPanel('people'));
  $('panel-close').addEventListener('click', () => {
    const from = panel === 'chat' ? 'btn-chat' : 'btn-people';
    closePanel();
    $(from).focus();
  });
  $('alert-close').addEventListener('click', clearAlert);
  $('copy-link').addEventListener('click', async () => {
    const url = `${location.origin}/r/${encodeURIComponent(me.room)}`;
    try {
      await navigator.clipboard.writeText(url);
      toast('Meeting link copied');
    } catch {
      toast(url); // no clipboard here (e.g. plain HTTP): show it to copy by hand
    }
  });
  $('btn-settings').addEventListener('click', async () => {
    await refreshDeviceLists();
    $('settings').showModal();
  });
  $('set-camera').addEventListener('change', () => switchDevice('video', $('set-camera').value));
  $('set-microphone').addEventListener('change', () => switchDevice('audio', $('set-microphone').value));
  $('chat-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $('chat-input');
    const text = input.value.trim();
    if (!text || !call) return;
    input.value = '';
    try {
      await call.sendChat(text);
    } catch (err) {
      input.value = text;
      alertUser(`Message not sent: ${errorText(err)}`);
    }
  });
  $('left-rejoin').addEventListener('click', () => openPrejoin(me.room, me.name));
  $('left-home').addEventListener('click', () => {
    history.pushState(null, '', `/${location.search}`);
    route();
  });
  $('panel').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') $('panel-close').click();
  });
  // Meet's shortcuts: Ctrl+D microphone, Ctrl+E camera.
  document.addEventListener('keydown', (e) => {
    if (!call || !(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const key = e.key.toLowerCase();
    if (key === 'd') toggleMic();
    else if (key === 'e') toggleCam();
    else return;
    e.preventDefault();
  });
  view.onAudioBlocked = () => {
    if ($('sound-btn')) return;
    const b = document.createElement('button');
    b.id = 'sound-btn';
    b.type = 'button';
    b.className = 'btn primary sound-btn';
    b.textContent = 'Click to hear the others';
    b.addEventListener('click', () => {
      view.resumeAudio();
      b.remove();
    });
    document.body.append(b);
  };
}

// ---- routing ----------------------------------------------------------------------------

function route() {
  if (call) return; // in a call the URL does not change the screen
  const m = location.pathname.match(/^\/r\/([^/]+)\/?$/);
  const room = m ? decodeURIComponent(m[1]) : params.get('room');
  const name = (params.get('name') || '').trim();
  if (room && ROOM_RE.test(room) && name && !m) {
    // A scripted link: join at once with camera and microphone on.
    rememberName(name);
    me.room = room;
    show('prejoin');
    $('prejoin-room').textContent = room;
    $('pre-name').value = me.name;
    ensureDevices().then(() => {
      renderPrejoin();
      joinCall();
    });
    return;
  }
  if (room && ROOM_RE.test(room)) {
    openPrejoin(room, name || localStorage.getItem(NAME_KEY) || '');
    return;
  }
  stopLocalMedia();
  $('home-room').value = room || '';
  show('home');
  ($('home-name').value ? $('home-room') : $('home-name')).focus();
}

initHome();
initPrejoin();
initCall();
window.addEventListener('popstate', route);
window.addEventListener('pagehide', () => {
  if (call) call.leave().catch(() => {});
});
route();
