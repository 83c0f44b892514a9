// Draws every element with a data-chart attribute from the embedded model, with the functions of
// web/charts.js above (same module). SVG renderer: crisp when printed.
const model = JSON.parse(document.getElementById('baydex-model').textContent);
const lang = document.documentElement.dataset.lang || 'en';
const geoEl = document.getElementById('baydex-geo');
const mapName = geoEl ? registerBoundaries(echarts, model, JSON.parse(geoEl.textContent)) : null;
const charts = [];
const builders = {
  map: (el) => mapOption(model, { lang, node: el.dataset.node, map: mapName, animation: false }),
  tierbar: (el) => tierBarOption(model, { lang, node: el.dataset.node, animation: false }),
  radar: (el) => radarOption(model, { lang, units: (el.dataset.units || '').split(',').filter(Boolean), animation: false }),
  heatmap: (el) => heatmapOption(model, { lang, level: Number(el.dataset.level), animation: false }),
  weights: () => weightsOption(model, { lang, animation: false }),
  change: (el) => changeOption(model, { lang, node: el.dataset.node, animation: false }),
  flowmap: () => flowMapOption(model, { lang, map: mapName, animation: false }),
  flowpairs: () => flowPairsOption(model, { lang, animation: false }),
  flowhubs: () => flowHubsOption(model, { lang, animation: false }),
  rankinterval: () => rankIntervalOption(model, { lang, animation: false }),
  sobol: () => sobolOption(model, { lang, animation: false }),
};
let drawn = 0;
for (const el of document.querySelectorAll('[data-chart]')) {
  const option = builders[el.dataset.chart] && builders[el.dataset.chart](el);
  if (!option) { el.remove(); continue; }
  const chart = echarts.init(el, null, { renderer: 'svg' });
  // A viewBox lets the print style scale the drawing to the page width whatever the screen size.
  const fit = () => {
    const svg = el.querySelector('svg');
    if (svg) svg.setAttribute('viewBox', `0 0 ${chart.getWidth()} ${chart.getHeight()}`);
  };
  chart.on('finished', fit);
  chart.setOption(option);
  fit();
  charts.push(chart);
  el.dataset.rendered = 'true';
  drawn += 1;
}
// On screen, charts follow the window. In print they are not redrawn (their containers have no
// fixed height there): the print style scales the screen drawing through its viewBox.
const printing = () => window.matchMedia && window.matchMedia('print').matches;
window.addEventListener('resize', () => { if (!printing()) charts.forEach((c) => c.resize()); });
document.body.dataset.charts = String(drawn);
