// The table of bench/compare.sh: for each preset, the median over runs of
// each figure for Confab and for Janus, and the ratio Confab / Janus
// (below 1: Confab uses less, or loses less).
//
//   node compare.mjs OUT_DIR COMPARE_OUT.json PRESET...
//
// Reads OUT_DIR/<preset>-<server>-<n>.json (confab-bench media reports).
// Exit status 1 when a report is missing, malformed, or lists problems.
import fs from 'node:fs';
import path from 'node:path';

const [dir, outFile, ...presets] = process.argv.slice(2);
if (!dir || !outFile || presets.length === 0) {
  console.error('usage: node compare.mjs OUT_DIR COMPARE_OUT.json PRESET...');
  process.exit(2);
}

const FIGURES = [
  ['server', 'cpu_us_per_fwd_packet', 'CPU per forwarded packet (us)'],
  ['server', 'per_packet_over_floor', 'CPU per packet / floor'],
  ['server', 'cpu_pct', 'server CPU (%)'],
  ['quality', 'loss_pct', 'loss (%)'],
  ['quality', 'latency_p50_ms', 'latency p50 (ms)'],
  ['quality', 'latency_p99_ms', 'latency p99 (ms)'],
  ['server', 'rss_kib_per_subscriber', 'RSS per subscriber (KiB)'],
  ['server', 'rss_mib', 'server RSS (MiB)'],
];

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};

let bad = false;
function reports(preset, server) {
  const re = new RegExp(`^${preset}-${server}-\\d+\\.json$`);
  const files = fs.readdirSync(dir).filter((f) => re.test(f));
  if (files.length === 0) {
    console.error(`compare: no report for ${preset} on ${server}`);
    bad = true;
  }
  return files.flatMap((f) => {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (!r.ok) {
        console.error(`compare: ${f} lists problems: ${(r.problems || []).join('; ')}`);
        bad = true;
      }
      return r.results && typeof r.results === 'object' ? [r] : [];
    } catch (e) {
      console.error(`compare: ${f}: ${e.message}`);
      bad = true;
      return [];
    }
  });
}

const fmt = (x) => (x === null ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));
const summary = {};
for (const preset of presets) {
  const by = { confab: reports(preset, 'confab'), janus: reports(preset, 'janus') };
  summary[preset] = {};
  console.log(`\n${preset} (medians of ${by.confab.length} Confab and ${by.janus.length} Janus runs)`);
  console.log(`  ${'figure'.padEnd(32)}${'Confab'.padStart(12)}${'Janus'.padStart(12)}${'Confab/Janus'.padStart(14)}`);
  for (const [sec, key, label] of FIGURES) {
    const c = median(by.confab.map((r) => r.results[sec]?.[key]));
    const j = median(by.janus.map((r) => r.results[sec]?.[key]));
    const ratio = c !== null && j !== null && j !== 0 ? c / j : null;
    summary[preset][`${sec}.${key}`] = { confab: c, janus: j, ratio };
    console.log(`  ${label.padEnd(32)}${fmt(c).padStart(12)}${fmt(j).padStart(12)}${fmt(ratio).padStart(14)}`);
  }
}
fs.writeFileSync(outFile, JSON.stringify(summary, null, 2) + '\n');
process.exit(bad ? 1 : 0);
