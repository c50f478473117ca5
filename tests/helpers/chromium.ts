import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium), or $CHROMIUM_PATH. */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** True when there is no Chromium to run. */
export const chromiumMissing = !existsSync(CHROMIUM);

/**
 * The `skip` option of a Chromium suite: in CI a missing Chromium fails the suite (the suite
 * checks `chromiumMissing` and fails), on a developer's machine it is skipped with a reason.
 */
export const chromiumSkip: string | false =
  chromiumMissing && !process.env['CI']
    ? `no Chromium at ${CHROMIUM} (apt-get install chromium)`
    : false;

/** Launches headless Chromium with nothing running in the background; closed at teardown. */
export async function launchChromium(t: { teardown(fn: () => unknown): void }): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(() => browser.close());
  return browser;
}
