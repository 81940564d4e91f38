// Checks confab-bench JSON reports and prints the median of every figure.
//
//   node summary.mjs SUMMARY_OUT.json RUN.json...
//
// Exit status 1 when a report is malformed or reports a problem: this is
// what the ctest smoke run asserts (correctness only, no timing).
import fs from 'node:fs';

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) {
  console.error('usage: node summary.mjs SUMMARY_OUT.json RUN.json...');
  process.exit(2);
}

// Returns a list of what is wrong with the shape of one report.
function shapeErrors(r) {
  const errs = [];
  const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObj(r)) return ['not a JSON object'];
  if (typeof r.mode !== 'string') errs.push('mode is not a string');
  if (typeof r.ok !== 'boolean') errs.push('ok is not a boolean');
  if (!Array.isArray(r.problems) || !r.problems.every((p) => typeof p === 'string'))
    errs.push('problems is not a list of strings');
  if (r.ok !== (Array.isArray(r.problems) && r.problems.length === 0))
    errs.push('ok disagrees with problems');
  if (!isObj(r.config)) errs.push('config is not an object');
  if (!isObj(r.results)) return [...errs, 'results is not an object'];
  for (const [sec, figs] of Object.entries(r.results)) {
    if (!isObj(figs)) errs.push(`results.${sec} is not an object`);
    else
      for (const [k, v] of Object.entries(figs))
        if (v !== null && !Number.isFinite(v)) errs.push(`results.${sec}.${k} is not a number`);
  }
  return errs;
}

// The signaling scenario's own correctness rules, checked from the figures
// rather than trusting "ok" alone.
function signalingErrors(r) {
  const errs = [];
  const j = r.results.join ?? {};
  if (j.joined !== r.config.peers) errs.push(`joined ${j.joined} of ${r.config.peers}`);
  const c = r.results.chat;
  if (r.config.chat_rate > 0) {
    if (!c) errs.push('no chat results');
    else {
      if (c.lost !== 0) errs.push(`${c.lost} chat events lost`);
      if (c.id_gaps) errs.push(`${c.id_gaps} breaks in a room's message ids`);
      if (!(c.delivered > 0)) errs.push('no chat event delivered');
      if (c.delivered !== c.expected) errs.push(`delivered ${c.delivered} of ${c.expected}`);
    }
  }
  return errs;
}

const median = (xs) => {
  const s = xs.filter((x) => x !== null).sort((a, b) => a - b);
  if (s.length === 0) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

let bad = false;
const reports = [];
for (const f of files) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(f, 'utf8'));
  } catch (e) {
    console.error(`${f}: ${e.message}`);
    bad = true;
    continue;
  }
  const errs = shapeErrors(r);
  if (errs.length === 0 && r.mode === 'signaling') errs.push(...signalingErrors(r));
  if (errs.length === 0 && !r.ok) errs.push(...r.problems);
  for (const e of errs) console.error(`${f}: ${e}`);
  if (errs.length) bad = true;
  reports.push(r);
}

const summary = { runs: reports.length, files, config: reports[0]?.config ?? null, median: {} };
for (const r of reports)
  for (const [sec, figs] of Object.entries(r.results ?? {}))
    for (const k of Object.keys(figs ?? {})) (summary.median[sec] ??= {})[k] = null;
console.log(`median of ${reports.length} run(s):`);
for (const [sec, figs] of Object.entries(summary.median)) {
  console.log(sec);
  for (const k of Object.keys(figs)) {
    const vals = reports.map((r) => r.results?.[sec]?.[k] ?? null);
    figs[k] = median(vals);
    const shown = vals.map((v) => (v === null ? '-' : +v.toFixed(3))).join(', ');
    console.log(`  ${k.padEnd(24)} ${String(figs[k] === null ? '-' : +figs[k].toFixed(3)).padStart(12)}   (${shown})`);
  }
}
fs.writeFileSync(out, JSON.stringify(summary, null, 2) + '\n');
console.log(bad ? 'FAILED' : 'all runs ok');
process.exit(bad ? 1 : 0);
