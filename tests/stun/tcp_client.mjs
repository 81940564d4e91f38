// A minimal STUN Binding client over TCP (RFC 8489 6.2.2), written from the
// RFC independently of stun/: connects from --local to the server, sends one
// Binding request, and prints the XOR-MAPPED-ADDRESS of the answer as
// "mapped IP:PORT local IP:PORT". With --garbage it first sends bytes that
// are not STUN and expects the server to hang up. Exit 0 on success.
//   node tcp_client.mjs SERVER PORT LOCAL [--garbage]
import net from 'node:net';
import crypto from 'node:crypto';

const [host, port, local, mode] = process.argv.slice(2);
const tid = crypto.randomBytes(12);
const req = Buffer.alloc(20);
req.writeUInt16BE(0x0001, 0);
req.writeUInt16BE(0, 2);
req.writeUInt32BE(0x2112a442, 4);
tid.copy(req, 8);

function parse(buf) {
  if (buf.length < 20 || buf.readUInt16BE(0) !== 0x0101) throw new Error(`not a Binding success: ${buf.toString('hex')}`);
  if (!buf.subarray(8, 20).equals(tid)) throw new Error('transaction id differs');
  const end = 20 + buf.readUInt16BE(2);
  for (let off = 20; off + 4 <= end; ) {
    const type = buf.readUInt16BE(off), len = buf.readUInt16BE(off + 2);
    if (type === 0x0020 && buf[off + 5] === 1) {
      const p = buf.readUInt16BE(off + 6) ^ 0x2112;
      const ip = [0, 1, 2, 3].map((i) => buf[off + 8 + i] ^ req[4 + i]).join('.');
      return `${ip}:${p}`;
    }
    off += 4 + ((len + 3) & ~3);
  }
  throw new Error('no XOR-MAPPED-ADDRESS');
}

const sock = net.connect({ host, port: Number(port), localAddress: local });
const timer = setTimeout(() => { console.error('timeout'); process.exit(1); }, 10000);
let got = Buffer.alloc(0);
sock.on('connect', () => sock.write(mode === '--garbage' ? Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n') : req));
sock.on('data', (d) => {
  got = Buffer.concat([got, d]);
  if (got.length >= 20 && got.length >= 20 + got.readUInt16BE(2)) {
    if (mode === '--garbage') { console.error('answered garbage'); process.exit(1); }
    console.log(`mapped ${parse(got)} local ${sock.localAddress}:${sock.localPort}`);
    clearTimeout(timer);
    sock.end();
  }
});
sock.on('close', () => {
  if (mode === '--garbage') { console.log('closed on garbage'); clearTimeout(timer); process.exit(0); }
});
sock.on('error', (e) => { console.error(e.message); process.exit(1); });
