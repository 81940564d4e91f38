// Inline SVG icons for the meeting page, drawn for Confab on a 24×24 grid
// with round strokes, so that they follow the text colour (currentColor).

const SLASH = '<path d="M4 3.5l16 17"/>';

const PATHS = {
  mic: '<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0M12 17.5V21M8.5 21h7"/>',
  cam: '<rect x="3" y="6.5" width="12.5" height="11" rx="2.5"/><path d="M15.5 10.5l5-3v9l-5-3z"/>',
  share: '<rect x="3" y="4" width="18" height="12.5" rx="2"/><path d="M8.5 20.5h7M12 16.5v4M12 13V7.5M9.3 10.2L12 7.5l2.7 2.7"/>',
  settings: '<path d="M4 7h9M18 7h2M4 17h3M12 17h8"/><circle cx="15.5" cy="7" r="2.3"/><circle cx="9.5" cy="17" r="2.3"/>',
  leave: '<path d="M2.8 14.2c5-4.6 13.4-4.6 18.4 0 .4.4.4 1 .1 1.4l-1.6 1.9c-.3.4-.9.5-1.3.2l-2.6-1.7a1 1 0 0 1-.4-.9l.2-2.1a12 12 0 0 0-7.2 0l.2 2.1c0 .4-.1.7-.4.9l-2.6 1.7c-.4.3-1 .2-1.3-.2l-1.6-1.9c-.3-.4-.3-1 .1-1.4z" fill="currentColor" stroke="none"/>',
  chat: '<path d="M4.5 5h15a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-4.5 3.5V17h-1A1.5 1.5 0 0 1 3 15.5v-9A1.5 1.5 0 0 1 4.5 5z"/>',
  people: '<circle cx="9" cy="8.5" r="3.2"/><path d="M3 19.5a6 6 0 0 1 12 0"/><circle cx="17" cy="9.5" r="2.4"/><path d="M16 14.3a4.6 4.6 0 0 1 5 4.7"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  send: '<path d="M4 12l16-7.5-5.5 16-3-6.5z"/><path d="M11.5 14l3-3.5"/>',
  user: '<circle cx="12" cy="8.5" r="3.5"/><path d="M5 20a7 7 0 0 1 14 0"/>',
  arrow: '<path d="M5 12h14M13 6l6 6-6 6"/>',
  link: '<path d="M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1"/><path d="M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"/>',
};

export function icon(name, { off = false, label = null } = {}) {
  const body = (PATHS[name] || '') + (off ? SLASH : '');
  const aria = label ? `role="img" aria-label="${label}"` : 'aria-hidden="true"';
  return `<svg class="icon" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" ${aria}>${body}</svg>`;
}

// Three bars, filled up to the level of the connection quality.
export function qualityIcon(quality) {
  const level = { good: 3, fair: 2, poor: 1 }[quality] || 0;
  const bars = [0, 1, 2]
    .map((i) => {
      const h = 5 + i * 4;
      const on = i < level ? 'on' : 'off';
      return `<rect class="${on}" x="${4 + i * 6}" y="${20 - h}" width="4" height="${h}" rx="1"/>`;
    })
    .join('');
  return `<svg class="icon quality-bars q-${quality || 'unknown'}" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true">${bars}</svg>`;
}
