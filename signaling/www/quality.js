// Connection-quality hint per remote peer, from two getStats() samples of
// the subscribe connection (docs/client.md, "Quality").
//
// Pure: takes the inbound-rtp entries of each sample, returns a verdict.
// The thresholds follow what users notice: a few percent of loss or tens
// of milliseconds of jitter degrade audio; a camera below ~12 frames per
// second or a frozen picture looks broken.

const POOR = { loss: 0.08, jitterS: 0.1, cameraFps: 5 };
const FAIR = { loss: 0.02, jitterS: 0.03, cameraFps: 12 };

// One inbound-rtp entry reduced to the counters that matter.
export function inboundSample(s) {
  return {
    at: s.timestamp,
    kind: s.kind,
    packetsReceived: s.packetsReceived || 0,
    packetsLost: Math.max(0, s.packetsLost || 0),
    jitter: s.jitter || 0,
    framesDecoded: s.framesDecoded || 0,
    freezeCount: s.freezeCount || 0,
  };
}

// tracks: [{ prev, cur, muted, source }] for one peer, where prev and cur
// are inboundSample()s of the same track (prev may be null).
// Returns { quality: 'good'|'fair'|'poor'|'unknown', stats }.
export function judgeQuality(tracks) {
  let received = 0;
  let lost = 0;
  let jitter = 0;
  let fps = null;
  let freezes = 0;
  let silent = false;
  let measured = false;
  for (const { prev, cur, muted, source } of tracks) {
    if (!prev || !cur || cur.at <= prev.at) continue;
    measured = true;
    const seconds = (cur.at - prev.at) / 1000;
    const dRecv = cur.packetsReceived - prev.packetsReceived;
    received += Math.max(0, dRecv);
    lost += Math.max(0, cur.packetsLost - prev.packetsLost);
    if (cur.kind === 'audio') jitter = Math.max(jitter, cur.jitter);
    if (muted) continue; // a muted track may legitimately send little
    if (dRecv <= 0) silent = true;
    if (cur.kind === 'video') {
      freezes += Math.max(0, cur.freezeCount - prev.freezeCount);
      // Screen shares send few frames while the picture does not change.
      if (source === 'camera') {
        const f = (cur.framesDecoded - prev.framesDecoded) / seconds;
        fps = fps === null ? f : Math.min(fps, f);
      }
    }
  }
  const loss = received + lost > 0 ? lost / (received + lost) : 0;
  const stats = { loss, jitter, fps, freezes, silent };
  if (!measured) return { quality: 'unknown', stats };
  if (silent || loss >= POOR.loss || jitter >= POOR.jitterS || (fps !== null && fps < POOR.cameraFps)) {
    return { quality: 'poor', stats };
  }
  if (loss >= FAIR.loss || jitter >= FAIR.jitterS || freezes > 0 || (fps !== null && fps < FAIR.cameraFps)) {
    return { quality: 'fair', stats };
  }
  return { quality: 'good', stats };
}
