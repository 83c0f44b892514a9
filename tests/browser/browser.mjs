// Shared launcher for the browser tests: Debian's chromium (never a downloaded browser) with the
// flags that work on a closed network; playwright gives every launch a fresh temporary profile.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.BAYDEX_CHROMIUM || '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}
