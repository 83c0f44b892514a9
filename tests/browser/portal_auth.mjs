// The portal's access token against a `baydex serve --auth FILE` (Debian chromium, headless):
//   node portal_auth.mjs BASE_URL ARTIFACT_DIR ANALYST_TOKEN VIEWER_TOKEN
// The access file makes `gba` public and `gba-panel` readable by role `analyst` only
// (crates/cli/tests/portal_browser.rs writes it). Checks that the restricted project is invisible
// and refused (401) without a token, refused (403) with a token of another role, and visible and
// drawn with the analyst's token; that a token that is not valid is reported (401) in zh and en;
// that the token lives in sessionStorage only (not localStorage, not another tab) and travels as
// `Authorization: Bearer`; and that "clear" forgets it. Screenshots go to ARTIFACT_DIR.
// Exits non-zero with a list of failures.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [base, artifacts, analyst, viewer] = process.argv.slice(2);
if (!base || !artifacts || !analyst || !viewer) {
  console.error('usage: node portal_auth.mjs BASE_URL ARTIFACT_DIR ANALYST_TOKEN VIEWER_TOKEN');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const origin = new URL(base).origin;
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

const projectIds = (page) => page.evaluate(() => [...document.getElementById('project').options].map((o) => o.value));
const status = async (page) => ({
  visible: await page.isVisible('#status'),
  code: await page.getAttribute('#status', 'data-status'),
  text: (await page.textContent('#status')) || '',
});
const ready = async (page) => {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  await page.waitForTimeout(300);
};
/** Waits until the portal finished the project list after a token change. */
const settled = (page) => page.waitForFunction(() => {
  const s = document.getElementById('status');
  return !(s.textContent || '').match(/Loading|加载中/);
}, null, { timeout: 20000 });

async function useToken(page, token) {
  if (!(await page.isVisible('#token'))) await page.click('#token-box summary');
  await page.fill('#token', token);
  await page.click('#token-apply');
  await page.waitForTimeout(200);
  await settled(page);
  await page.waitForTimeout(300);
}

async function clearToken(page) {
  if (!(await page.isVisible('#token-clear'))) await page.click('#token-box summary');
  await page.click('#token-clear');
  await page.waitForTimeout(200);
  await settled(page);
  await page.waitForTimeout(300);
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  const outside = [];
  const authHeaders = [];
  page.on('console', (m) => {
    // The browser logs every refused request; those are what this test provokes.
    if (m.type() === 'error' && !/status of (401|403)/.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url());
    if (r.url().includes('/api/projects/gba-panel')) authHeaders.push(r.headers().authorization || '');
  });

  // Anonymous: only the public project; the restricted one is refused with 401.
  await page.goto(`${base}/?lang=zh`);
  await ready(page);
  check(JSON.stringify(await projectIds(page)) === '["gba"]', `anonymous: only the public project is listed (${await projectIds(page)})`);
  check(await page.isVisible('#token-box summary'), 'the token control is in the header');
  check((await page.textContent('#token-box summary')).includes('令牌'), 'token control labelled in zh');
  const anon = await page.evaluate(() => fetch('/api/projects/gba-panel/report').then((r) => r.status));
  check(anon === 401, `anonymous GET /api/projects/gba-panel/report is refused (${anon})`);

  // Asking for the restricted project by URL: the public one is shown, the refusal explained.
  await page.goto(`${base}/?lang=zh&project=gba-panel`);
  await ready(page);
  let s = await status(page);
  check(s.visible && s.code === '401', `?project=gba-panel without a token: 401 shown (${s.code})`);
  check(s.text.includes('未授权（401）') && s.text.includes('gba-panel'), `401 message in zh: ${s.text}`);
  check((await page.textContent('#title')).includes('粤港澳大湾区'), 'the public project is shown meanwhile');
  await page.click('#lang-toggle');
  s = await status(page);
  check(s.text.includes('Not authorised (401)') && s.text.includes('not public'), `401 message in en: ${s.text}`);
  check((await page.textContent('#token-box summary')).includes('Token'), 'token control labelled in en');
  await page.screenshot({ path: join(artifacts, 'auth-401-en.png') });
  await page.click('#lang-toggle');

  // A token that is not valid: 401 for everything, said so; the cards are hidden.
  await useToken(page, 'not-a-valid-token');
  s = await status(page);
  check(s.visible && s.code === '401' && s.text.includes('令牌无效'), `invalid token: 401 in zh (${s.text})`);
  check(!(await page.isVisible('#summary-card')), 'invalid token: no data shown');
  await page.screenshot({ path: join(artifacts, 'auth-invalid-zh.png') });
  await clearToken(page);
  check(JSON.stringify(await projectIds(page)) === '["gba"]', 'after clearing the invalid token: the public project again');
  check(await page.isVisible('#summary-card'), 'after clearing: the data are shown again');

  // A valid token without the project's role: still not listed, 403 explained.
  await useToken(page, viewer);
  s = await status(page);
  check(JSON.stringify(await projectIds(page)) === '["gba"]', 'viewer: the restricted project is not listed');
  check(s.visible && s.code === '403' && s.text.includes('禁止访问（403）'), `viewer: 403 in zh (${s.text})`);
  check(await page.isVisible('#token-state'), 'the header says a token is in use');
  await page.screenshot({ path: join(artifacts, 'auth-403-zh.png') });
  await clearToken(page);

  // The analyst's token: the restricted project is listed, loads and draws.
  authHeaders.length = 0;
  await useToken(page, analyst);
  const ids = await projectIds(page);
  check(ids.includes('gba') && ids.includes('gba-panel'), `analyst: both projects listed (${ids})`);
  check(await page.isVisible('#project-ctl'), 'analyst: the project picker is shown');
  check(await page.evaluate(() => document.getElementById('project').value) === 'gba-panel', 'analyst: the wanted project is shown');
  await page.waitForFunction(() => document.getElementById('period').options.length > 10, null, { timeout: 10000 }).catch(() => {});
  check(await page.evaluate(() => document.getElementById('period').options.length) > 10, 'analyst: the panel\'s periods');
  s = await status(page);
  check(!s.visible, `analyst: no error (${s.text})`);
  check(authHeaders.length > 0 && authHeaders.every((h) => h === `Bearer ${analyst}`), `requests for gba-panel carry Authorization: Bearer (${authHeaders.length})`);
  const stored = await page.evaluate(() => ({
    session: sessionStorage.getItem('baydex.token'),
    local: Object.keys(localStorage).map((k) => localStorage.getItem(k)),
    url: location.href,
  }));
  check(stored.session === analyst, 'the token is in sessionStorage');
  check(!stored.local.some((v) => v && v.includes(analyst)), 'the token is not in localStorage');
  check(!stored.url.includes(analyst), 'the token is not in the URL');
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(artifacts, 'auth-analyst-zh.png') });

  // Reloading the tab keeps it; another tab does not have it.
  await page.reload();
  await ready(page);
  check((await projectIds(page)).includes('gba-panel'), 'after a reload the token is still in use (same tab)');
  const other = await context.newPage();
  await other.goto(`${base}/?lang=en`);
  await ready(other);
  check(JSON.stringify(await projectIds(other)) === '["gba"]', 'another tab has no token');
  await other.close();

  // Clear: forgotten, the restricted project gone.
  await clearToken(page);
  check(JSON.stringify(await projectIds(page)) === '["gba"]', 'after clearing: only the public project');
  check(await page.evaluate(() => sessionStorage.getItem('baydex.token')) === null, 'after clearing: sessionStorage empty');
  check(!(await page.isVisible('#token-state')), 'after clearing: the header says no token');

  check(outside.length === 0, `no requests outside the server ${outside.join(' ')}`);
  check(errors.length === 0, `no console errors ${errors.join(' | ')}`);
  await context.close();
} catch (e) {
  failures.push(`exception: ${e.stack || e}`);
  console.error(e);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`\n${failures.length} portal token check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('portal token: every check passed');
