/**
 * Debian's Chromium for every browser test and benchmark: where it is, the flags this machine needs
 * (no sandbox as root, no background networking on a closed network) and when tests may skip.
 */
import { existsSync } from 'node:fs';

import { CHROMIUM } from '../../cli/chromium.ts';

export { CHROMIUM, CHROMIUM_ARGS } from '../../cli/chromium.ts';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** Why browser tests would skip, or null when they must run. In CI (CI=true) they never skip. */
export function skipReason(): string | null {
  if (chromiumAvailable()) return null;
  if (process.env.CI === 'true') return null;
  return `Chromium not found at ${CHROMIUM} (apt-get install chromium); browser tests skipped locally`;
}
