// End-to-end test of the portal against a running `baydex serve` (Debian chromium, headless):
//   node portal.mjs BASE_URL ARTIFACT_DIR
// Loads the portal, switches language, clicks a city on the map (its profile appears), compares
// two cities, picks another dimension and period (gba-panel), checks that the map and charts drew
// (non-blank canvases), that nothing was requested outside the server and that the console
// stayed clean, on a desktop and a phone-sized viewport. Screenshots go to ARTIFACT_DIR.
// Exits non-zero with a list of failures.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launch } from './browser.mjs';

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error('usage: node portal.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const origin = new URL(base).origin;
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
};

/** Fraction of non-white, non-transparent pixels in every canvas inside `selector`. */
async function inked(page, selector) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return -1;
    let total = 0;
    let ink = 0;
    for (const c of root.querySelectorAll('canvas')) {
      const ctx = c.getContext('2d');
      if (!ctx || !c.width || !c.height) continue;
      const d = ctx.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 16) {
        total += 1;
        if (d[i + 3] > 0 && (d[i] < 245 || d[i + 1] < 245 || d[i + 2] < 245)) ink += 1;
      }
    }
    return total ? ink / total : -1;
  }, selector);
}

/** The visible text elements of a chart (labels, axis names, tick labels) with their rectangles
 * in the chart's pixels, read from the chart's own scene graph (zrender) after layout. */
async function texts(page, id) {
  return page.evaluate((id) => {
    const chart = echarts.getInstanceByDom(document.getElementById(id));
    const zr = chart.getZr();
    zr.flush();
    const out = [];
    const seen = new Set();
    const add = (t) => {
      if (!t || t.type !== 'text' || seen.has(t) || t.ignore || t.invisible || !t.style || t.style.text == null || t.style.text === '') return;
      if (t.style.opacity === 0) return;
      seen.add(t);
      t.updateTransform();
      const r = t.getBoundingRect().clone();
      if (t.transform) r.applyTransform(t.transform);
      out.push({ text: String(t.style.text), x: r.x, y: r.y, w: r.width, h: r.height });
    };
    for (const root of zr.storage.getRoots()) {
      root.traverse((el) => {
        add(el);
        if (el.getTextContent) add(el.getTextContent());
      });
    }
    return { texts: out, width: chart.getWidth(), height: chart.getHeight() };
  }, id);
}

const overlap = (a, b) => a.x < b.x + b.w - 0.5 && b.x < a.x + a.w - 0.5 && a.y < b.y + b.h - 0.5 && b.y < a.y + a.h - 0.5;
const box = (t) => `${t.text}@${t.x.toFixed(0)},${t.y.toFixed(0)} ${t.w.toFixed(0)}×${t.h.toFixed(0)}`;

/** Both labels are drawn and they do not overlap. */
async function labelsApart(page, id, a, b, what) {
  const { texts: all } = await texts(page, id);
  const ta = all.find((t) => t.text === a);
  const tb = all.find((t) => t.text === b);
  check(Boolean(ta && tb), `${what}: labels ${a} and ${b} drawn on #${id}`);
  if (ta && tb) check(!overlap(ta, tb), `${what}: labels ${a} and ${b} do not overlap on #${id} (${box(ta)} / ${box(tb)})`);
}

/** Clicks the map at a unit's coordinates (converted to pixels by the chart itself). */
async function clickUnitOnMap(page, code) {
  await page.locator('#map').scrollIntoViewIfNeeded();
  const xy = await page.evaluate((c) => {
    const el = document.getElementById('map');
    const chart = echarts.getInstanceByDom(el);
    return fetch(`/api/projects/gba/units`).then((r) => r.json()).then((j) => {
      const u = j.units.find((x) => x.code === c);
      const p = chart.convertToPixel({ seriesIndex: 0 }, [u.lon, u.lat]);
      const r = el.getBoundingClientRect();
      return [r.left + p[0], r.top + p[1]];
    });
  }, code);
  await page.mouse.click(xy[0], xy[1]);
}

async function session(browser, name, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'zh-CN' });
  const page = await context.newPage();
  const errors = [];
  const outside = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) outside.push(r.url()); });
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
  const shot = async (label) => {
    await page.evaluate(() => window.scrollTo(0, 0)); // the sticky header would cover the top otherwise
    await page.screenshot({ path: join(artifacts, `${name}-${label}.png`), fullPage: true });
  };

  await page.goto(`${base}/?lang=zh`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  await page.waitForTimeout(600); // let the charts' entry animations finish before screenshots

  check((await page.textContent('#title')).includes('粤港澳大湾区数字经济指数'), `${name}: zh title`);
  check(await page.isVisible('#banner'), `${name}: illustrative banner shown`);
  check((await page.textContent('#banner')).includes('示意数据'), `${name}: banner in zh`);
  check((await page.textContent('#narrative')).includes('深圳'), `${name}: zh narrative names the cities`);
  for (const id of ['map', 'bars', 'radar', 'weights', 'heatmap']) {
    const f = await inked(page, `#${id}`);
    check(f > 0.01, `${name}: #${id} drew (${(f * 100).toFixed(1)}% inked)`);
  }
  // The flows panel (GET /api/projects/gba/flows): flow map with lines, top pairs, hubs, labelled
  // illustrative, narrative from the API's numbers.
  check(await page.isVisible('#flows-card'), `${name}: flows panel shown`);
  check(await page.isVisible('#flows-banner'), `${name}: flows panel labelled illustrative`);
  check((await page.textContent('#flows-banner')).includes('示意 OD 数据'), `${name}: flows label in zh`);
  const flows = await page.evaluate(() => fetch('/api/projects/gba/flows').then((r) => r.json()));
  const top = flows.pairs[0];
  check((await page.textContent('#flows-narrative')).includes(`${(top.share * 100).toFixed(1)}%`), `${name}: flows narrative gives the top pair's share`);
  for (const id of ['flowmap', 'flowpairs', 'flowhubs']) {
    const f = await inked(page, `#${id}`);
    check(f > 0.005, `${name}: #${id} drew (${(f * 100).toFixed(1)}% inked)`);
  }
  const lines = await page.evaluate(() => {
    const o = echarts.getInstanceByDom(document.getElementById('flowmap')).getOption();
    return o.series.find((x) => x.type === 'lines').data.length;
  });
  check(lines === flows.pairs.length, `${name}: flow map draws every kept pair (${lines} of ${flows.pairs.length})`);
  const bars = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('flowpairs')).getOption().series[0].data.length);
  check(bars === Math.min(flows.top, flows.pairs.length), `${name}: top-pairs chart has ${bars} bars`);
  await page.locator('#flows-card').screenshot({ path: join(artifacts, `${name}-flows-zh.png`) });
  await labelsApart(page, 'map', '珠海', '澳门', `${name} zh`);
  await labelsApart(page, 'flowmap', '珠海', '澳门', `${name} zh`);
  await page.locator('#map-card').screenshot({ path: join(artifacts, `${name}-map-zh.png`) });
  // The sensitivity panel (GET /api/projects/gba/sensitivity): rank intervals with a median
  // marker per city, Sobol bars per input, sentences in zh.
  const sa = await page.evaluate(() => fetch('/api/projects/gba/sensitivity').then((r) => r.json()));
  check(await page.isVisible('#sensitivity-card'), `${name}: sensitivity panel shown`);
  for (const id of ['rankinterval', 'sobol']) {
    const f = await inked(page, `#${id}`);
    check(f > 0.01, `${name}: #${id} drew (${(f * 100).toFixed(1)}% inked)`);
  }
  const medians = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('rankinterval')).getOption().series[1].data.length);
  check(medians === sa.units.length, `${name}: a median marker per city (${medians} of ${sa.units.length})`);
  const sobolBars = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('sobol')).getOption().series[1].data.length);
  check(sobolBars === sa.sobol.length, `${name}: an STi bar per input (${sobolBars})`);
  check((await page.textContent('#sensitivity-text')).includes('排名'), `${name}: sensitivity sentences in zh`);
  await page.locator('#sensitivity-card').screenshot({ path: join(artifacts, `${name}-sensitivity-zh.png`) });
  await shot('zh');

  // Click a city on the map: Guangzhou's profile appears (Shenzhen leads, so it is shown first).
  await clickUnitOnMap(page, 'GZ');
  await page.waitForFunction(() => document.getElementById('profile').dataset.unit === 'GZ', null, { timeout: 5000 })
    .catch(() => {});
  check(await page.getAttribute('#profile', 'data-unit') === 'GZ', `${name}: clicking Guangzhou on the map opens its profile`);
  check((await page.textContent('#profile .city-name')) === '广州', `${name}: profile titled 广州`);

  // Compare with Shenzhen: two radar series and a comparison table.
  await page.selectOption('#compare', 'SZ');
  const radarSeries = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('radar')).getOption().series[0].data.length);
  check(radarSeries === 2, `${name}: radar overlays two cities (${radarSeries})`);
  const rows = await page.locator('#compare-rows tbody tr').count();
  check(rows === 7, `${name}: comparison table has the index and six dimensions (${rows})`);
  await page.waitForTimeout(500);
  await shot('zh-compare');

  // Pick another dimension: the map shows it.
  await page.selectOption('#node', 'INF');
  const mapTitle = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('map')).getOption().title[0].text);
  check(mapTitle === '数字基础设施', `${name}: map shows the chosen dimension (${mapTitle})`);

  // Switch language.
  await page.click('#lang-toggle');
  check((await page.textContent('#title')) === 'GBA Digital Economy Index', `${name}: en title`);
  check((await page.textContent('#banner')).includes('Illustrative data'), `${name}: banner in en`);
  check((await page.textContent('#profile .city-name')) === 'Guangzhou', `${name}: profile in en`);
  check(await page.evaluate(() => document.documentElement.lang) === 'en', `${name}: html lang=en`);
  const mapTitleEn = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('map')).getOption().title[0].text);
  check(mapTitleEn === 'Digital infrastructure', `${name}: map title in en (${mapTitleEn})`);
  check((await page.textContent('#flows-banner')).includes('Illustrative OD data'), `${name}: flows label in en`);
  check((await page.textContent('#flows-narrative')).includes('most linked pair'), `${name}: flows narrative in en`);
  await page.waitForTimeout(500);
  await page.locator('#flows-card').screenshot({ path: join(artifacts, `${name}-flows-en.png`) });
  await labelsApart(page, 'map', 'Zhuhai', 'Macao', `${name} en`);
  await labelsApart(page, 'flowmap', 'Zhuhai', 'Macao', `${name} en`);
  await page.locator('#map-card').screenshot({ path: join(artifacts, `${name}-map-en.png`) });
  check((await page.textContent('#sensitivity-text')).includes('mean absolute rank shift'), `${name}: sensitivity sentences in en`);
  await page.locator('#sensitivity-card').screenshot({ path: join(artifacts, `${name}-sensitivity-en.png`) });
  await shot('en');

  // Another project and period: the real-data panel, no illustrative banner, change chart drawn.
  await page.selectOption('#project', 'gba-panel');
  await page.waitForFunction(() => document.getElementById('period').options.length > 10, null, { timeout: 10000 });
  check(!(await page.isVisible('#banner')), `${name}: no banner on real data`);
  check(!(await page.isVisible('#flows-card')), `${name}: no flows panel for a project without flows`);
  await page.selectOption('#period', '2010');
  const barsYear = await page.evaluate(() => document.getElementById('period').value);
  check(barsYear === '2010', `${name}: period 2010 chosen`);
  await page.waitForTimeout(500);
  const change = await inked(page, '#change');
  check(change > 0.01, `${name}: change over time drew (${(change * 100).toFixed(1)}% inked)`);
  // The y-axis name sits above the plot, clear of the tick labels and inside the chart.
  const yName = await page.evaluate(() => echarts.getInstanceByDom(document.getElementById('change')).getOption().yAxis[0].name);
  const ch = await texts(page, 'change');
  const nameBox = ch.texts.find((t) => t.text === yName);
  check(Boolean(nameBox), `${name}: change chart shows its y-axis name (${yName})`);
  if (nameBox) {
    const hit = ch.texts.filter((t) => t !== nameBox && overlap(t, nameBox));
    check(hit.length === 0, `${name}: the y-axis name overlaps no tick label (${box(nameBox)}; ${hit.map(box).join(', ')})`);
    check(nameBox.y >= 0 && nameBox.x >= 0 && nameBox.x + nameBox.w <= ch.width + 1, `${name}: the y-axis name is inside the chart (${box(nameBox)} in ${ch.width}×${ch.height})`);
  }
  await page.locator('#change-card').screenshot({ path: join(artifacts, `${name}-change-en.png`) });
  const map2010 = await inked(page, '#map');
  check(map2010 > 0.01, `${name}: panel map drew`);
  await shot('en-panel-2010');

  if (viewport.width < 500) {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(overflow <= 1, `${name}: no horizontal scrolling on a phone (${overflow}px)`);
  }
  check(outside.length === 0, `${name}: no requests outside the server ${outside.join(' ')}`);
  check(errors.length === 0, `${name}: no console errors ${errors.join(' | ')}`);
  await context.close();
}

const browser = await launch();
try {
  await session(browser, 'desktop', { width: 1366, height: 900 });
  await session(browser, 'phone', { width: 390, height: 844 });
} catch (e) {
  failures.push(`exception: ${e.stack || e}`);
  console.error(e);
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`\n${failures.length} portal check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('portal: every check passed');
