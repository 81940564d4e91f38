// Headless Chromium gathers ICE candidates with a STUN server and prints
// them, one "candidate TYPE IP:PORT" line each (tests/stun/nat.sh runs it
// behind a NAT). Uses playwright-core from tests/e2e.
//   node chromium_srflx.mjs STUN_IP STUN_PORT
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../e2e/package.json'));
const { chromium } = require('playwright-core');
const [ip, port] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    // Real addresses in host candidates, not mDNS names.
    '--disable-features=WebRtcHideLocalIpsWithMdns'],
});
try {
  const page = await browser.newPage();
  const cands = await page.evaluate(async (url) => {
    const pc = new RTCPeerConnection({ iceServers: [{ urls: url }] });
    pc.createDataChannel('x');
    const out = [];
    const done = new Promise((resolve) => {
      pc.onicecandidate = (e) => (e.candidate ? out.push(e.candidate.candidate) : resolve());
      setTimeout(resolve, 20000);
    });
    await pc.setLocalDescription(await pc.createOffer());
    await done;
    pc.close();
    return out;
  }, `stun:${ip}:${port}`);
  for (const c of cands) {
    const f = c.split(' ');
    // candidate:foundation component protocol priority ip port typ TYPE ...
    if (f[2].toLowerCase() === 'udp') console.log(`candidate ${f[7]} ${f[4]}:${f[5]}`);
  }
} finally {
  await browser.close();
}
