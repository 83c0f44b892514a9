// Smoke check that playwright-core can drive Debian's chromium here: node smoke.mjs
import { launch } from './browser.mjs';
const browser = await launch();
const page = await browser.newPage();
await page.setContent('<p id="x">ok</p>');
const text = await page.textContent('#x');
await browser.close();
if (text !== 'ok') { console.error('chromium smoke test failed'); process.exit(1); }
console.log('chromium smoke test passed');
