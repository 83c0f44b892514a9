// Opens a generated report.html in headless Debian chromium and checks it:
//   node tests/browser/report.mjs <report.html> <screenshot-dir> [--expect-banner|--expect-no-banner] [--expect-map]
//        [--expect-flows|--expect-no-flows] [--expect-sensitivity|--expect-no-sensitivity]
// - no console errors and no page errors;
// - no network request at all (anything but file:, data:, blob:, about: fails the test);
// - every chart element rendered (an SVG with drawn shapes, or a non-empty canvas), and the map
//   when --expect-map;
// - the illustrative banner present (--expect-banner) or absent (--expect-no-banner);
// - the flows section (--expect-flows): its flow map (lines drawn), top-pairs and hubs charts, and
//   its illustrative-OD banner when the model says the OD data are illustrative; or no flows
//   section at all (--expect-no-flows);
// - the uncertainty and sensitivity section (--expect-sensitivity): its rank-interval chart (a
//   marker per unit drawn) and Sobol bars, and its sentences; or none (--expect-no-sensitivity);
// - screenshots: desktop (1280 wide, full page), phone (390 wide, first screen) and print (A4
//   media emulation, full page) plus a PDF through Chromium's print path.
// Exit code 0 when every check passes; 1 with the failures listed otherwise.
import { pathToFileURL } from 'node:url';
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { launch } from './browser.mjs';

const [html, shots, ...flags] = process.argv.slice(2);
if (!html || !shots) {
  console.error('usage: node tests/browser/report.mjs <report.html> <screenshot-dir> [--expect-banner|--expect-no-banner] [--expect-map]');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });
const stem = basename(resolve(html, '..')) + '-' + basename(html, '.html');
const failures = [];
const fail = (m) => failures.push(m);

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => {
    const u = r.url();
    if (!/^(file|data|blob|about):/.test(u)) requests.push(u);
  });
  page.on('console', (m) => { if (m.type() === 'error') fail(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));
  await page.goto(pathToFileURL(resolve(html)).href, { waitUntil: 'load' });
  await page.waitForFunction(() => document.body.dataset.charts !== undefined, null, { timeout: 30000 })
    .catch(() => fail('the chart driver never finished (document.body.dataset.charts unset)'));

  const stats = await page.evaluate(() => {
    const els = [...document.querySelectorAll('[data-chart]')];
    const drawn = (el) => {
      const svg = el.querySelector('svg');
      if (svg) return svg.querySelectorAll('path, rect, circle, polygon, polyline, text').length;
      const c = el.querySelector('canvas');
      if (!c || !c.width || !c.height) return 0;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4 * 97) if (d[i] !== 0) n += 1;
      return n;
    };
    return {
      charts: els.map((el) => ({ kind: el.dataset.chart, node: el.dataset.node || el.dataset.units || '', shapes: drawn(el), rendered: el.dataset.rendered === 'true', w: el.clientWidth, h: el.clientHeight })),
      banner: !!document.getElementById('illustrative-banner'),
      flowsBanner: !!document.getElementById('flows-illustrative'),
      flowsIllustrative: !!(JSON.parse(document.getElementById('baydex-model').textContent).flows || {}).illustrative,
      flowLines: (() => {
        const el = document.querySelector('[data-chart="flowmap"] svg');
        // Flow lines are stroked paths without fill; count them.
        return el ? [...el.querySelectorAll('path')].filter((p) => (p.getAttribute('fill') === 'none' || !p.getAttribute('fill')) && p.getAttribute('stroke')).length : 0;
      })(),
      sections: [...document.querySelectorAll('main > section')].map((s) => s.id),
      narrative: [...document.querySelectorAll('#summary .narrative p')].map((p) => p.textContent),
    };
  });
  if (stats.charts.length === 0) fail('no chart in the report');
  for (const c of stats.charts) {
    if (!c.rendered || c.shapes < 3) fail(`chart ${c.kind} ${c.node} not rendered (${c.shapes} shapes, ${c.w}x${c.h})`);
  }
  const kinds = new Set(stats.charts.map((c) => c.kind));
  for (const k of ['tierbar', 'radar', 'weights']) {
    if (k === 'tierbar' && !stats.sections.includes('tiers')) continue;
    if (!kinds.has(k)) fail(`no ${k} chart`);
  }
  if (flags.includes('--expect-map') && !kinds.has('map')) fail('no map');
  if (flags.includes('--expect-flows')) {
    if (!stats.sections.includes('flows')) fail('no flows section');
    for (const k of ['flowmap', 'flowpairs', 'flowhubs']) if (!kinds.has(k)) fail(`no ${k} chart`);
    if (stats.flowLines < 3) fail(`the flow map draws ${stats.flowLines} lines`);
    if (stats.flowsIllustrative && !stats.flowsBanner) fail('the flows section of illustrative OD data has no banner');
  }
  if (flags.includes('--expect-no-flows') && (stats.sections.includes('flows') || [...kinds].some((k) => k.startsWith('flow')))) {
    fail('a flows section is shown for a project without [flows]');
  }
  if (flags.includes('--expect-sensitivity')) {
    const sa = await page.evaluate(() => ({
      units: (JSON.parse(document.getElementById('baydex-model').textContent).sensitivity || { units: [] }).units.length,
      sentences: document.querySelectorAll('#sensitivity .narrative p').length,
    }));
    if (!stats.sections.includes('sensitivity')) fail('no sensitivity section');
    for (const k of ['rankinterval', 'sobol']) if (!kinds.has(k)) fail(`no ${k} chart`);
    const ri = stats.charts.find((c) => c.kind === 'rankinterval');
    // Per unit an interval bar, a median marker and a nominal marker.
    if (!ri || ri.shapes < 3 * sa.units) fail(`the rank-interval chart draws ${ri && ri.shapes} shapes for ${sa.units} units`);
    if (sa.sentences < 3) fail(`the sensitivity section has ${sa.sentences} sentences`);
  }
  if (flags.includes('--expect-no-sensitivity') && (stats.sections.includes('sensitivity') || kinds.has('rankinterval') || kinds.has('sobol'))) {
    fail('a sensitivity section is shown without --sensitivity');
  }
  if (flags.includes('--expect-banner') && !stats.banner) fail('the illustrative banner is missing');
  if (flags.includes('--expect-no-banner') && stats.banner) fail('an illustrative banner is shown for real data');
  if (stats.narrative.length === 0) fail('no narrative');

  await page.screenshot({ path: join(shots, `${stem}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, `${stem}-phone.png`) });
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.emulateMedia({ media: 'print' });
  await page.evaluate(() => window.dispatchEvent(new Event('beforeprint')));
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, `${stem}-print.png`), fullPage: true });
  await page.pdf({ path: join(shots, `${stem}.pdf`), format: 'A4', printBackground: true });

  if (requests.length) fail(`network requests: ${requests.join(', ')}`);
  if (stats.sections.includes('flows')) {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.emulateMedia({ media: 'screen' });
    await page.waitForTimeout(300);
    await page.locator('#flows').screenshot({ path: join(shots, `${stem}-flows.png`) });
  }
  console.log(JSON.stringify({ html, charts: stats.charts.length, sections: stats.sections, banner: stats.banner, flowLines: stats.flowLines }));
  await context.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log(`report browser check passed: ${html}`);
