// Signaling transports for the Confab client: the same JSON messages over a
// WebSocket or, where a WebSocket cannot connect, over HTTP long-poll
// (docs/protocol.md, "HTTP long-poll").
//
// A transport has
//   name             'websocket' or 'longpoll'
//   open             true until it closed
//   send(text)       sends one message (a JSON text)
//   sendOnUnload(t)  sends one last message while the page goes away
//   close()          closes it
// and calls handlers.message(msg) for each message received (parsed) and
// handlers.closed({ code, reason }) once when it closed after opening.

export const WS_OPEN_TIMEOUT_MS = 3000;

const LP_RETRIES = 3; // failed polls in a row before giving up
const LP_RETRY_MS = 1000;
const JSON_HEADERS = { 'Content-Type': 'application/json' };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseOrReport(text, handlers) {
  try {
    return JSON.parse(text);
  } catch (err) {
    handlers.invalid(err);
    return null;
  }
}

// The server's origin: the page's own, or the one of base (a URL).
function serverOrigin(base) {
  return base ? new URL(base, location.href) : location;
}

// Resolves once the WebSocket is open; rejects if it errors or closes
// before that, or is not open within timeoutMs (some proxies hold it).
export function openWebSocket(handlers, timeoutMs = WS_OPEN_TIMEOUT_MS, base = '') {
  const origin = serverOrigin(base);
  const scheme = origin.protocol === 'https:' ? 'wss' : 'ws';
  return new Promise((resolve, reject) => {
    let opened = false;
    let settled = false;
    const ws = new WebSocket(`${scheme}://${origin.host}/ws`);
    const giveUp = (why) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(why));
    };
    const timer = setTimeout(() => {
      giveUp(`WebSocket not open after ${timeoutMs} ms`);
      ws.onclose = null;
      try {
        ws.close();
      } catch {
        // already closing
      }
    }, timeoutMs);
    const transport = {
      name: 'websocket',
      ws,
      get open() {
        return opened && ws.readyState === 1; // OPEN
      },
      send: (text) => ws.send(text),
      sendOnUnload: (text) => ws.send(text),
      close: () => ws.close(),
    };
    ws.onopen = () => {
      if (settled) return;
      settled = true;
      opened = true;
      clearTimeout(timer);
      resolve(transport);
    };
    ws.onerror = () => giveUp('WebSocket failed');
    ws.onmessage = (ev) => {
      const msg = parseOrReport(ev.data, handlers);
      if (msg) handlers.message(msg);
    };
    ws.onclose = (ev) => {
      if (!opened) {
        giveUp(`WebSocket closed before it opened (${ev.code})`);
        return;
      }
      handlers.closed({ code: ev.code, reason: ev.reason });
    };
  });
}

// Creates a long-poll session, then keeps one GET pending at all times and
// sends messages with one POST at a time (batched while one is in flight),
// so that the server sees them in order.
export async function openLongPoll(handlers, origin = '') {
  const base = `${serverOrigin(origin).origin}/lp`;
  const created = await fetch(base, { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  if (created.status !== 201 && created.status !== 200) {
    throw new Error(`long-poll session refused (HTTP ${created.status})`);
  }
  const { sid } = await created.json();
  const url = `${base}/${sid}`;
  let open = true;
  let posting = false;
  const outbox = [];

  const end = (code, reason) => {
    if (!open) return;
    open = false;
    handlers.closed({ code, reason });
  };

  async function flush() {
    if (posting || !open || outbox.length === 0) return;
    posting = true;
    const body = `[${outbox.splice(0).join(',')}]`;
    try {
      const r = await fetch(url, { method: 'POST', headers: JSON_HEADERS, body });
      if (!r.ok) end(1006, r.status === 404 ? 'session expired' : `POST failed (HTTP ${r.status})`);
    } catch {
      end(1006, 'POST failed');
    }
    posting = false;
    flush();
  }

  // One GET's answer (its body already read): true to poll again.
  function receive(r, text) {
    if (r.status === 404) {
      end(1006, 'session expired');
      return false;
    }
    if (!r.ok) {
      end(1006, `poll failed (HTTP ${r.status})`);
      return false;
    }
    const msgs = parseOrReport(text, handlers);
    for (const msg of Array.isArray(msgs) ? msgs : []) {
      if (!open) return false;
      // The server's last word on a closed session, like a close frame.
      if (msg.type === 'close') {
        end(msg.code, msg.reason);
        return false;
      }
      handlers.message(msg);
    }
    return open;
  }

  async function poll() {
    let failures = 0;
    while (open) {
      let r;
      let text = '';
      try {
        r = await fetch(url, { cache: 'no-store' });
        // The body can fail after the headers (a reset, a server restart):
        // that is a failed poll like any other, not the end of polling.
        if (r.ok) text = await r.text();
      } catch {
        if (++failures >= LP_RETRIES) end(1006, 'poll failed');
        else await sleep(LP_RETRY_MS);
        continue;
      }
      failures = 0;
      if (!receive(r, text)) return;
    }
  }

  // Whatever goes wrong, the session is reported closed, never left open
  // with nobody polling.
  poll().catch(() => end(1006, 'poll failed'));
  return {
    name: 'longpoll',
    sid,
    get open() {
      return open;
    },
    send(text) {
      outbox.push(text);
      flush();
    },
    // keepalive lets the request outlive the page.
    sendOnUnload(text) {
      fetch(url, { method: 'POST', headers: JSON_HEADERS, body: `[${text}]`, keepalive: true }).catch(() => {});
    },
    close() {
      if (!open) return;
      fetch(url, { method: 'DELETE', keepalive: true }).catch(() => {});
      end(1000, '');
    },
  };
}

// mode: 'longpoll' or 'websocket' forces one; anything else tries the
// WebSocket first and falls back to long-poll on its own. base: the
// server's URL when it is not the page's origin ('' for the page's).
export async function connectTransport(handlers, mode, base = '') {
  if (mode === 'longpoll') return openLongPoll(handlers, base);
  if (mode === 'websocket') return openWebSocket(handlers, WS_OPEN_TIMEOUT_MS, base);
  try {
    return await openWebSocket(handlers, WS_OPEN_TIMEOUT_MS, base);
  } catch (err) {
    console.warn(`${err.message}: falling back to HTTP long-poll`);
    return openLongPoll(handlers, base);
  }
}
