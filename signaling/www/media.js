// Local devices for the meeting page: open the camera and microphone, list
// them, and turn their failures into sentences a user can act on.

const VIDEO = { width: { ideal: 960 }, height: { ideal: 540 }, frameRate: { ideal: 30 } };

function constraint(kind, deviceId) {
  const base = kind === 'video' ? { ...VIDEO } : { echoCancellation: true, noiseSuppression: true };
  if (deviceId) base.deviceId = { exact: deviceId };
  return base;
}

// One device kind ('audio' or 'video'): {track}, or {error, reason} with a
// message for the user and why ('blocked', 'missing', 'busy', 'other').
export async function openDevice(kind, deviceId = '') {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return { reason: 'other', error: 'This browser cannot use a camera or microphone here (the page needs HTTPS or localhost).' };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraint(kind, deviceId) });
    return { track: stream.getTracks()[0] };
  } catch (err) {
    const reason = deviceReason(err);
    return { reason, error: deviceError(kind === 'video' ? 'camera' : 'microphone', reason, err) };
  }
}

function deviceReason(err) {
  switch (err && err.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'blocked';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    case 'NotReadableError':
      return 'busy';
    default:
      return 'other';
  }
}

// what: 'camera', 'microphone' or 'camera and microphone'.
export function deviceError(what, reason, err = null) {
  const them = what.includes(' and ') ? 'them' : 'it';
  switch (reason) {
    case 'blocked':
      return `Access to your ${what} was blocked. Allow ${them} in the browser's site settings and reload, or join without ${them}.`;
    case 'missing':
      return `No ${what} was found.`;
    case 'busy':
      return `Your ${what} ${them === 'it' ? 'is' : 'are'} in use by another application.`;
    default:
      return `Could not start your ${what}${err && err.message ? `: ${err.message}` : ''}.`;
  }
}

// {video: [{deviceId, label}], audio: [...]}; labels are empty until the user
// granted access once.
export async function listDevices() {
  const out = { video: [], audio: [] };
  if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) return out;
  const devices = await navigator.mediaDevices.enumerateDevices().catch(() => []);
  for (const d of devices) {
    const kind = d.kind === 'videoinput' ? 'video' : d.kind === 'audioinput' ? 'audio' : null;
    if (!kind || !d.deviceId) continue;
    const n = out[kind].length + 1;
    out[kind].push({ deviceId: d.deviceId, label: d.label || (kind === 'video' ? `Camera ${n}` : `Microphone ${n}`) });
  }
  return out;
}

// Fills a <select> with the devices of one kind, selecting the current one.
export function fillSelect(select, devices, currentId) {
  select.replaceChildren();
  if (!devices.length) {
    select.append(new Option('None found', ''));
    select.disabled = true;
    return;
  }
  select.disabled = false;
  for (const d of devices) select.append(new Option(d.label, d.deviceId, false, d.deviceId === currentId));
}

export function trackDeviceId(track) {
  return (track && track.getSettings && track.getSettings().deviceId) || '';
}
