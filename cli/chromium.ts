/**
 * Debian's Chromium for `pinpoint certify`, the browser tests and benchmarks: where it is
 * ($PINPOINT_CHROMIUM or /usr/bin/chromium) and the flags this machine needs (no sandbox as root, no
 * background networking on a closed network).
 */
export const CHROMIUM = process.env.PINPOINT_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
