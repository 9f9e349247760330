/**
 * Inline SVG icons (24×24, stroke = currentColor), in the style of the Lucide/Feather sets. Every
 * button icon of the app comes from here: glyphs such as ⏸ ⏮ ⤳ are missing from common Linux fonts
 * (Debian's Chromium draws a box), an SVG path draws the same everywhere.
 */
const svg = (body: string) =>
  `<svg viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

export const icons = {
  notebook: svg(
    '<path d="M6 3h11a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H6z"/><path d="M6 3v18"/><path d="M10 8h5M10 12h5"/>',
  ),
  proof: svg('<path d="M3 3v18h18"/><path d="M7 15l4-5 3 3 5-7"/>'),
  graph: svg(
    '<circle cx="5" cy="6" r="2"/><circle cx="19" cy="6" r="2"/><circle cx="12" cy="18" r="2"/><path d="M6.5 7.5l4.5 9M17.5 7.5l-4.5 9M7 6h10"/>',
  ),
  dispute: svg(
    '<path d="M12 3v18"/><path d="M5 7h14"/><path d="M5 7l-3 7a4 4 0 0 0 6 0z"/><path d="M19 7l-3 7a4 4 0 0 0 6 0z"/>',
  ),
  ledger: svg(
    '<ellipse cx="12" cy="6" rx="7" ry="3"/><path d="M5 6v6c0 1.7 3.1 3 7 3s7-1.3 7-3V6"/><path d="M5 12v6c0 1.7 3.1 3 7 3s7-1.3 7-3v-6"/>',
  ),
  play: svg('<path d="M7 4l13 8-13 8z"/>'),
  playAll: svg('<path d="M4 4l9 8-9 8z"/><path d="M13 4l9 8-9 8z"/>'),
  stop: svg('<rect x="6" y="6" width="12" height="12" rx="1.5"/>'),
  save: svg(
    '<path d="M5 3h11l3 3v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/><path d="M7 3v5h8V3M7 21v-7h10v7"/>',
  ),
  open: svg('<path d="M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z"/>'),
  plus: svg('<path d="M12 5v14M5 12h14"/>'),
  up: svg('<path d="M12 19V5M5 12l7-7 7 7"/>'),
  down: svg('<path d="M12 5v14M19 12l-7 7-7-7"/>'),
  trash: svg('<path d="M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3"/>'),
  x: svg('<path d="M6 6l12 12M18 6L6 18"/>'),
  alert: svg('<path d="M12 3l10 18H2z"/><path d="M12 10v4M12 18h.01"/>'),
  command: svg('<path d="M9 6a3 3 0 1 0-3 3h12a3 3 0 1 0-3-3v12a3 3 0 1 0 3-3H6a3 3 0 1 0 3 3z"/>'),
  clear: svg('<path d="M4 20h16M7 16l10-10M14 4l6 6"/>'),
  text: svg('<path d="M5 6h14M12 6v13M9 19h6"/>'),
  check: svg('<path d="M5 12l5 5 9-10"/>'),
  clock: svg('<circle cx="12" cy="12" r="9"/><path d="M12 7v5l3 2"/>'),
  download: svg('<path d="M12 4v11M7 10l5 5 5-5"/><path d="M5 20h14"/>'),
  file: svg('<path d="M6 3h8l5 5v13H6z"/><path d="M14 3v5h5"/>'),
  pause: svg(
    '<rect x="6" y="4" width="4" height="16" rx="1"/><rect x="14" y="4" width="4" height="16" rx="1"/>',
  ),
  prev: svg('<path d="M15 5l-7 7 7 7"/>'),
  next: svg('<path d="M9 5l7 7-7 7"/>'),
  skipStart: svg('<path d="M6 5v14"/><path d="M18 5l-9 7 9 7z"/>'),
  skipEnd: svg('<path d="M18 5v14"/><path d="M6 5l9 7-9 7z"/>'),
  rerun: svg('<path d="M20 12a8 8 0 1 1-2.3-5.7"/><path d="M20 4v5h-5"/>'),
  replay: svg('<path d="M4 12a8 8 0 1 0 2.3-5.7"/><path d="M4 4v5h5"/>'),
  zoomIn: svg('<circle cx="11" cy="11" r="7"/><path d="M20 20l-4-4M11 8v6M8 11h6"/>'),
  zoomOut: svg('<circle cx="11" cy="11" r="7"/><path d="M20 20l-4-4M8 11h6"/>'),
  fit: svg('<path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5"/>'),
  longEdges: svg(
    '<circle cx="5" cy="18" r="2"/><circle cx="19" cy="6" r="2"/><path d="M6.5 16.5C9 9 14 14 17.5 7.5" stroke-dasharray="3 2"/>',
  ),
  arrowLeft: svg('<path d="M19 12H5M11 6l-6 6 6 6"/>'),
  arrowRight: svg('<path d="M5 12h14M13 6l6 6-6 6"/>'),
} as const;

export type IconName = keyof typeof icons;

/** The accessible name of an icon-only control: its tooltip without a trailing "(shortcut)". */
export function accessibleName(title: string): string {
  return title.replace(/\s*\([^()]*\)\s*$/, '').trim() || title;
}

/**
 * Markup of a button's face: the icon (hidden from assistive tech) and, unless `iconOnly`, its visible
 * label. Used by d3-built controls and views whose `button()` takes HTML.
 */
export function iconLabel(name: IconName, label: string, iconOnly = false): string {
  const icon = icons[name].replace('<svg ', '<svg class="icon" aria-hidden="true" focusable="false" ');
  const esc = label.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return iconOnly ? icon : `${icon}<span>${esc}</span>`;
}
