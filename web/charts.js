// baydex charts: pure functions from a report model (the JSON of `baydex_report::ReportModel`,
// served by `baydex serve` and inlined in report.html) to ECharts option objects. Shared by the
// HTML report (inlined) and the portal (imported). No build step, no dependencies: the only
// global it touches is the `echarts` object passed to `registerBoundaries`.
//
// API (every `opts` field is optional; `lang` is 'zh' | 'en', default 'en'; `period` defaults to
// the last period; `node` to the index):
//   text(t, lang)                         a bilingual {en, zh} text in one language
//   unitName(model, code, lang)           display name of a unit (its code when unknown)
//   nodeName(model, code, lang)           display name of a framework node
//   periodOf(model, period)               the period entry of model.results (default: last)
//   values(model, {period, node})         [{code, value, rank, tier}] of a node, by rank
//   tierColor(model, band)                colour of a tier band code (best = darkest)
//   hasCoordinates(model)                 true when some unit has lon/lat (a point map is possible)
//   registerBoundaries(echarts, model, geojson, name = 'baydex-units')
//                                         registers a GeoJSON FeatureCollection whose features carry
//                                         properties.code = unit code; returns the map name when
//                                         every unit of the model has a feature, else null
//   mapOption(model, {lang, period, node, map, byTier})
//                                         choropleth of a node on the registered map `map`; without
//                                         `map`, a point map from unit lon/lat; null when neither
//   tierBarOption(model, {lang, period, node})
//                                         horizontal bars of a node's scores, best first, coloured
//                                         by tier (one colour when untiered)
//   radarOption(model, {lang, period, units: [code, code?]})
//                                         one or two units across model.profile_nodes (null
//                                         with fewer than three)
//   heatmapOption(model, {lang, period, level})
//                                         Pearson correlation matrix of the nodes of one level
//                                         (default: the audit's default level); null without audit
//   weightsOption(model, {lang, period, nodes})
//                                         weight (share among siblings) and effective weight of the
//                                         nodes (default: model.dimensions)
//   changeOption(model, {lang, node, units})
//                                         the node's score of every unit (or `units`) over periods;
//                                         null with a single period
//   flowMapOption(model, {lang, map, top})
//                                         cross-city flows (model.flows) as lines between the units,
//                                         width ∝ flow, over the registered map `map` (a `geo`
//                                         component) or, without it, over lon/lat axes; cities sized
//                                         by network strength, hubs darker; null without flows or
//                                         coordinates. `top` = number of pairs drawn (default all kept)
//   flowPairsOption(model, {lang, top})   horizontal bars of the strongest pairs (flow, share label)
//   flowHubsOption(model, {lang})         every city's network strength, hubs highlighted, PageRank
//                                         in the tooltip
//   rankIntervalOption(model, {lang})     uncertainty (model.sensitivity): every unit's 5–95% rank
//                                         interval over the runs as a bar, the median rank as a
//                                         diamond and the nominal rank as a ring, best first; null
//                                         without a sensitivity section
//   sobolOption(model, {lang})            first-order (Si) and total-order (STi) Sobol indices of
//                                         every uncertain input, bootstrap 5–95% in the labels and
//                                         tooltip; null without a Saltelli design
// Every option builder also takes `animation` (default true; the printable report passes false).
// The functions never mutate the model.

const INK = '#1f2a37';
const MUTED = '#6b7280';
const GRID = '#e5e7eb';
const FONT = '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Sequential palette (light → dark) for scores. */
export const SEQUENTIAL = ['#eef6f4', '#c9e6df', '#94cfc2', '#5bb3a2', '#2f8f80', '#176b61', '#0b4a43'];
/** Two-unit comparison colours. */
export const PAIR = ['#0f766e', '#c2410c'];
const TIER_COLORS = ['#0b4a43', '#2f8f80', '#7cc2b2', '#b9ddd4', '#dceee9'];
const LINE_COLORS = ['#0f766e', '#c2410c', '#1d4ed8', '#a16207', '#7c3aed', '#be123c', '#047857', '#4b5563',
  '#0369a1', '#b45309', '#6d28d9', '#9f1239'];

const L = {
  score: { en: 'Score', zh: '得分' },
  rank: { en: 'Rank', zh: '排名' },
  tier: { en: 'Tier', zh: '梯队' },
  weight: { en: 'Weight (share among siblings)', zh: '权重（同级占比）' },
  effective: { en: 'Effective weight in the index', zh: '在总指数中的有效权重' },
  missing: { en: 'no data', zh: '无数据' },
  lon: { en: 'Longitude', zh: '经度' },
  lat: { en: 'Latitude', zh: '纬度' },
};

/** A bilingual text in one language, falling back to the other form. */
export function text(t, lang = 'en') {
  if (t == null) return '';
  if (typeof t === 'string') return t;
  const a = lang === 'zh' ? t.zh : t.en;
  const b = lang === 'zh' ? t.en : t.zh;
  return a || b || '';
}

const lbl = (key, lang) => text(L[key], lang);

export function unitName(model, code, lang = 'en') {
  const u = model.units.find((x) => x.code === code);
  return u ? text(u.name, lang) : code;
}

export function nodeName(model, code, lang = 'en') {
  const n = model.framework.find((x) => x.code === code);
  return n ? text(n.name, lang) : code;
}

export function periodOf(model, period) {
  const r = model.results;
  if (period != null) {
    const p = r.find((x) => x.period === String(period));
    if (p) return p;
  }
  return r[r.length - 1];
}

export function values(model, { period, node } = {}) {
  const p = periodOf(model, period);
  const code = node || model.root;
  const res = p.nodes[code];
  if (!res) return [];
  const out = p.units.map((u, i) => ({ code: u, value: res.score[i], rank: res.rank[i], tier: res.tier[i] }));
  out.sort((a, b) => (a.rank ?? 1e9) - (b.rank ?? 1e9) || a.code.localeCompare(b.code));
  return out;
}

export function tierColor(model, band) {
  const bands = (model.tiers && model.tiers.bands) || [];
  const i = bands.findIndex((b) => b[0] === band);
  if (i < 0) return '#9ca3af';
  if (bands.length <= TIER_COLORS.length) {
    // Spread the palette over the bands so that two bands still contrast.
    const step = bands.length > 1 ? (TIER_COLORS.length - 1) / (bands.length - 1) : 0;
    return TIER_COLORS[Math.round(i * step)];
  }
  return TIER_COLORS[Math.min(i, TIER_COLORS.length - 1)];
}

function bandName(model, band, lang) {
  const b = model.tiers && model.tiers.bands.find((x) => x[0] === band);
  return b ? text(b[1], lang) : band || '';
}

const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));

function base(opts) {
  return {
    animation: opts.animation !== false,
    textStyle: { fontFamily: FONT, color: INK },
    tooltip: { confine: true },
  };
}

export function hasCoordinates(model) {
  return model.units.some((u) => u.lon != null && u.lat != null);
}

export function registerBoundaries(echarts, model, geojson, name = 'baydex-units') {
  if (!echarts || !geojson || !Array.isArray(geojson.features)) return null;
  const codes = new Set(geojson.features.map((f) => f.properties && f.properties.code));
  if (!model.units.every((u) => codes.has(u.code))) return null;
  // Keep only the model's units so that the map frames them.
  const wanted = new Set(model.units.map((u) => u.code));
  const fc = { type: 'FeatureCollection', features: geojson.features.filter((f) => wanted.has(f.properties.code)) };
  echarts.registerMap(name, fc);
  return name;
}

function extent(vals) {
  const v = vals.filter((x) => x != null && Number.isFinite(x));
  if (!v.length) return [0, 1];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (lo === hi) { lo -= 1; hi += 1; }
  return [lo, hi];
}

function tooltipFor(model, lang, rows) {
  const byCode = new Map(rows.map((r) => [r.code, r]));
  return (p) => {
    const code = p.data && p.data.code ? p.data.code : p.name;
    const r = byCode.get(code);
    if (!r) return unitName(model, code, lang);
    const tier = r.tier ? `<br>${lbl('tier', lang)}: ${bandName(model, r.tier, lang)}` : '';
    const v = r.value == null ? lbl('missing', lang) : fmt(r.value);
    return `<b>${unitName(model, code, lang)}</b><br>${lbl('score', lang)}: ${v}<br>${lbl('rank', lang)}: ${r.rank ?? '—'}${tier}`;
  };
}

function visualMap(model, rows, opts, lang) {
  const tiered = opts.byTier && rows.some((r) => r.tier);
  if (tiered) {
    return {
      type: 'piecewise', orient: 'vertical', left: 8, bottom: 8, itemWidth: 14, itemHeight: 10,
      textStyle: { color: INK, fontSize: 11 },
      pieces: model.tiers.bands.map((b, i) => ({ value: i, label: text(b[1], lang), color: tierColor(model, b[0]) })),
    };
  }
  const [lo, hi] = extent(rows.map((r) => r.value));
  return {
    type: 'continuous', min: Math.floor(lo), max: Math.ceil(hi), calculable: false, orient: 'vertical',
    left: 8, bottom: 8, itemWidth: 12, itemHeight: 110, inRange: { color: SEQUENTIAL },
    text: [fmt(Math.ceil(hi), 0), fmt(Math.floor(lo), 0)], textStyle: { color: INK, fontSize: 11 },
  };
}

/**
 * Vertical label offsets (px) that keep the labels of very close units apart (Zhuhai and Macao on
 * the GBA maps): of two units nearer than 6% of the map's extent, the northern label moves up and
 * the southern one down. Returns a function code → the `label` of that data item (or undefined).
 */
function labelNudges(model) {
  const pts = model.units.filter((u) => u.lon != null && u.lat != null);
  const dy = new Map();
  if (pts.length >= 2) {
    const span = Math.max(
      Math.max(...pts.map((u) => u.lon)) - Math.min(...pts.map((u) => u.lon)),
      Math.max(...pts.map((u) => u.lat)) - Math.min(...pts.map((u) => u.lat)),
    );
    const near = 0.06 * span;
    for (let i = 0; i < pts.length; i += 1) {
      for (let j = i + 1; j < pts.length; j += 1) {
        const [a, b] = [pts[i], pts[j]];
        if (Math.hypot(a.lon - b.lon, a.lat - b.lat) >= near) continue;
        const [north, south] = a.lat >= b.lat ? [a, b] : [b, a];
        if (!dy.has(north.code)) dy.set(north.code, -8);
        if (!dy.has(south.code)) dy.set(south.code, 8);
      }
    }
  }
  return (code) => (dy.has(code) ? { offset: [0, dy.get(code)] } : undefined);
}

export function mapOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  const node = opts.node || model.root;
  const rows = values(model, { period: opts.period, node });
  const bandIndex = (t) => (model.tiers ? model.tiers.bands.findIndex((b) => b[0] === t) : -1);
  const val = (r) => (opts.byTier && r.tier ? bandIndex(r.tier) : r.value);
  const title = nodeName(model, node, lang);
  const nudge = labelNudges(model);
  if (opts.map) {
    return {
      ...base(opts),
      title: { text: title, left: 'center', top: 4, textStyle: { fontSize: 14, fontWeight: 600, color: INK } },
      tooltip: { trigger: 'item', confine: true, formatter: tooltipFor(model, lang, rows) },
      visualMap: visualMap(model, rows, opts, lang),
      series: [{
        type: 'map', map: opts.map, nameProperty: 'code', roam: false, top: 34, bottom: 8, left: 'center',
        aspectScale: 0.92, selectedMode: false,
        label: {
          show: true, fontSize: 11, color: INK, textBorderColor: '#fff', textBorderWidth: 2,
          formatter: (p) => unitName(model, p.name, lang),
        },
        // Small neighbours (Zhuhai and Macao) have their labels side by side: move them apart.
        itemStyle: { borderColor: '#ffffff', borderWidth: 1, areaColor: '#f3f4f6' },
        emphasis: { label: { show: true, fontWeight: 700 }, itemStyle: { areaColor: '#fbbf24' } },
        data: rows.map((r) => ({ name: r.code, code: r.code, value: val(r), label: nudge(r.code) })),
      }],
    };
  }
  if (!hasCoordinates(model)) return null;
  const pts = rows
    .map((r) => ({ r, u: model.units.find((x) => x.code === r.code) }))
    .filter((x) => x.u && x.u.lon != null && x.u.lat != null);
  const [lo, hi] = extent(pts.map((x) => x.r.value));
  return {
    ...base(opts),
    title: { text: title, left: 'center', top: 4, textStyle: { fontSize: 14, fontWeight: 600, color: INK } },
    tooltip: { trigger: 'item', confine: true, formatter: tooltipFor(model, lang, rows) },
    visualMap: { ...visualMap(model, rows, opts, lang), dimension: 2 },
    grid: { left: 90, right: 24, top: 40, bottom: 36 },
    xAxis: { type: 'value', scale: true, name: lbl('lon', lang), nameLocation: 'middle', nameGap: 24, splitLine: { lineStyle: { color: GRID } } },
    yAxis: { type: 'value', scale: true, name: lbl('lat', lang), nameLocation: 'middle', nameGap: 36, splitLine: { lineStyle: { color: GRID } } },
    series: [{
      type: 'scatter',
      symbolSize: (d) => (d[2] == null ? 8 : 10 + 22 * ((d[2] - lo) / (hi - lo || 1))),
      label: { show: true, position: 'right', fontSize: 11, formatter: (p) => unitName(model, p.data.code, lang) },
      itemStyle: { borderColor: '#fff', borderWidth: 1 },
      data: pts.map(({ r, u }) => ({ value: [u.lon, u.lat, val(r)], code: r.code, label: nudge(r.code) })),
    }],
  };
}

export function tierBarOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  const node = opts.node || model.root;
  const rows = values(model, { period: opts.period, node }).filter((r) => r.value != null);
  rows.reverse(); // best at the top of a horizontal bar chart
  const tiers = model.tiers ? model.tiers.bands : [];
  const present = tiers.filter((b) => rows.some((r) => r.tier === b[0]));
  const series = present.length
    ? present.map((b) => ({
      name: text(b[1], lang), type: 'bar', stack: 'all', barMaxWidth: 18,
      itemStyle: { color: tierColor(model, b[0]), borderRadius: [0, 3, 3, 0] },
      label: { show: true, position: 'right', fontSize: 10, color: INK, formatter: (p) => (p.value == null ? '' : fmt(p.value)) },
      data: rows.map((r) => (r.tier === b[0] ? r.value : null)),
    }))
    : [{
      name: lbl('score', lang), type: 'bar', barMaxWidth: 18, itemStyle: { color: SEQUENTIAL[4], borderRadius: [0, 3, 3, 0] },
      label: { show: rows.length <= 30, position: 'right', fontSize: 10, color: INK, formatter: (p) => fmt(p.value) },
      data: rows.map((r) => r.value),
    }];
  return {
    ...base(opts),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true },
    legend: present.length ? { top: 0, textStyle: { color: INK } } : undefined,
    grid: { left: 8, right: 40, top: present.length ? 30 : 10, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: GRID } }, axisLabel: { color: MUTED } },
    yAxis: {
      type: 'category', data: rows.map((r) => unitName(model, r.code, lang)),
      axisLabel: { color: INK, fontSize: rows.length > 30 ? 9 : 12, interval: 0 }, axisTick: { show: false },
    },
    series,
  };
}

export function radarOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  const p = periodOf(model, opts.period);
  const nodes = model.profile_nodes;
  if (nodes.length < 3) return null; // a radar needs three axes
  const units = (opts.units && opts.units.length ? opts.units : [p.ranking[0]]).slice(0, 2);
  let max = 0;
  let min = 0;
  for (const n of nodes) {
    for (const v of p.nodes[n].score) {
      if (v != null) { max = Math.max(max, v); min = Math.min(min, v); }
    }
  }
  // Scores on 0–100 keep the full scale; other scales use their own range.
  if (max <= 100 && min >= 0 && max > 1) max = 100;
  const data = units.map((u, k) => {
    const i = p.units.indexOf(u);
    return {
      name: unitName(model, u, lang),
      value: nodes.map((n) => (i < 0 ? null : p.nodes[n].score[i])),
      lineStyle: { color: PAIR[k], width: 2 },
      itemStyle: { color: PAIR[k] },
      areaStyle: { color: PAIR[k], opacity: 0.12 },
    };
  });
  return {
    ...base(opts),
    tooltip: { trigger: 'item', confine: true },
    legend: { bottom: 0, textStyle: { color: INK } },
    radar: {
      indicator: nodes.map((n) => ({ name: nodeName(model, n, lang), max, min: min < 0 ? min : 0 })),
      radius: '58%', center: ['50%', '48%'], splitNumber: 4,
      axisName: { color: INK, fontSize: 11 },
      splitLine: { lineStyle: { color: GRID } },
      splitArea: { areaStyle: { color: ['#fafafa', '#ffffff'] } },
    },
    series: [{ type: 'radar', symbolSize: 4, data }],
  };
}

export function heatmapOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  const p = periodOf(model, opts.period);
  if (!p.audit) return null;
  const level = opts.level ?? p.audit.default_level;
  const m = p.audit.matrices.find((x) => x.row_level === level && x.col_level === level);
  if (!m || m.rows.length < 2) return null;
  const data = [];
  m.rows.forEach((_, i) => m.cols.forEach((__, j) => data.push([j, i, m.r[i][j] == null ? '-' : m.r[i][j]])));
  const names = (codes) => codes.map((c) => nodeName(model, c, lang));
  const big = m.rows.length > 12;
  return {
    ...base(opts),
    tooltip: {
      confine: true,
      formatter: (q) => `${nodeName(model, m.rows[q.value[1]], lang)} × ${nodeName(model, m.cols[q.value[0]], lang)}<br>r = ${q.value[2] === '-' ? '—' : fmt(q.value[2], 2)}`,
    },
    grid: { left: 8, right: 70, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: names(m.cols), axisLabel: { rotate: 40, fontSize: big ? 9 : 11, color: INK, interval: 0 }, splitArea: { show: false } },
    yAxis: { type: 'category', data: names(m.rows), inverse: true, axisLabel: { fontSize: big ? 9 : 11, color: INK, interval: 0 } },
    visualMap: {
      min: -1, max: 1, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120, itemWidth: 12,
      inRange: { color: ['#b91c1c', '#f3c0b5', '#f8fafc', '#a7d8cf', '#0f766e'] }, textStyle: { color: INK, fontSize: 11 },
    },
    series: [{
      type: 'heatmap', data,
      label: { show: !big, fontSize: 10, formatter: (q) => (q.value[2] === '-' ? '' : fmt(q.value[2], 2)) },
      itemStyle: { borderColor: '#fff', borderWidth: 1 },
    }],
  };
}

export function weightsOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  const p = periodOf(model, opts.period);
  const codes = opts.nodes || model.dimensions;
  const w = new Map(p.weights.map((x) => [x.node, x]));
  const byCode = new Map(model.framework.map((n) => [n.code, n]));
  const share = (c) => {
    const n = byCode.get(c);
    const sibs = n && n.parent ? byCode.get(n.parent).children : [c];
    const total = sibs.reduce((s, x) => s + ((w.get(x) || {}).weight || 0), 0);
    const own = (w.get(c) || {}).weight;
    return own == null || !total ? null : own / total;
  };
  const rows = codes.slice().reverse();
  const pct = (x) => (x == null ? null : +(x * 100).toFixed(2));
  return {
    ...base(opts),
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: (v) => (v == null ? '—' : `${fmt(v, 1)}%`) },
    legend: { top: 0, textStyle: { color: INK } },
    grid: { left: 8, right: 48, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { formatter: '{value}%', color: MUTED }, splitLine: { lineStyle: { color: GRID } } },
    yAxis: { type: 'category', data: rows.map((c) => nodeName(model, c, lang)), axisLabel: { color: INK, interval: 0, fontSize: rows.length > 20 ? 9 : 12 }, axisTick: { show: false } },
    series: [
      { name: lbl('weight', lang), type: 'bar', barMaxWidth: 12, itemStyle: { color: '#94cfc2' }, data: rows.map((c) => pct(share(c))) },
      {
        name: lbl('effective', lang), type: 'bar', barMaxWidth: 12, itemStyle: { color: '#0f766e' },
        label: { show: rows.length <= 20, position: 'right', fontSize: 10, formatter: (q) => (q.value == null ? '' : `${fmt(q.value, 1)}%`) },
        data: rows.map((c) => pct((w.get(c) || {}).effective_weight)),
      },
    ],
  };
}

export function changeOption(model, opts = {}) {
  const lang = opts.lang || 'en';
  if (model.results.length < 2) return null;
  const node = opts.node || model.root;
  const last = model.results[model.results.length - 1];
  const units = opts.units && opts.units.length ? opts.units : last.ranking;
  const series = units.map((u, k) => ({
    name: unitName(model, u, lang), type: 'line', showSymbol: false, smooth: false,
    lineStyle: { width: 2 }, color: LINE_COLORS[k % LINE_COLORS.length],
    endLabel: { show: units.length <= 12, formatter: (q) => q.seriesName, fontSize: 10, color: INK },
    labelLayout: { moveOverlap: 'shiftY' },
    data: model.results.map((p) => {
      const i = p.units.indexOf(u);
      const r = p.nodes[node];
      return i < 0 || !r ? null : r.score[i];
    }),
  }));
  return {
    ...base(opts),
    tooltip: { trigger: 'axis', confine: true, valueFormatter: (v) => fmt(v) },
    legend: { show: units.length > 12, type: 'scroll', bottom: 0 },
    // Room above the plot for the axis name, which starts at the axis line (right of the tick labels).
    grid: { left: 8, right: 80, top: 40, bottom: units.length > 12 ? 30 : 8, containLabel: true },
    xAxis: { type: 'category', data: model.results.map((p) => p.period), boundaryGap: false, axisLabel: { color: MUTED } },
    yAxis: {
      type: 'value', name: nodeName(model, node, lang), nameLocation: 'end', nameGap: 14,
      nameTextStyle: { color: MUTED, align: 'left', verticalAlign: 'bottom' },
      splitLine: { lineStyle: { color: GRID } }, axisLabel: { color: MUTED },
    },
    series,
  };
}

const FLOW_LINE = '#c2410c';
const FLOW_NODE = '#0f766e';
const FLOW_HUB = '#0b4a43';

const fmtFlow = (x) => (x == null ? '—' : Math.abs(x) >= 100 ? Math.round(x).toLocaleString('en-US') : Number(x).toFixed(Math.abs(x) >= 1 ? 1 : 2));
const pairName = (model, p, lang) => `${unitName(model, p.a, lang)}${lang === 'zh' ? '—' : '–'}${unitName(model, p.b, lang)}`;
const FL = {
  flow: { en: 'Flow (both directions)', zh: '双向流量' },
  share: { en: 'share of all flows', zh: '占全部流量' },
  strength: { en: 'Network strength (in + out)', zh: '网络强度（流入 + 流出）' },
  hub: { en: 'hub', zh: '枢纽' },
  pagerank: { en: 'PageRank', zh: 'PageRank' },
  net: { en: 'Net inflow', zh: '净流入' },
  illustrative: { en: 'ILLUSTRATIVE OD DATA', zh: '示意 OD 数据' },
};
const fl = (key, lang) => text(FL[key], lang);

export function flowMapOption(model, opts = {}) {
  const f = model.flows;
  if (!f || !hasCoordinates(model)) return null;
  const lang = opts.lang || 'en';
  const at = new Map(model.units.filter((u) => u.lon != null && u.lat != null).map((u) => [u.code, [u.lon, u.lat]]));
  const pairs = f.pairs.slice(0, opts.top || f.pairs.length).filter((p) => at.has(p.a) && at.has(p.b) && p.total > 0);
  if (!pairs.length) return null;
  const max = Math.max(...pairs.map((p) => p.total));
  const nodes = f.network.nodes.filter((n) => at.has(n.unit));
  const smax = Math.max(...nodes.map((n) => n.strength), 1e-12);
  // Strongest last so that they are drawn on top.
  const lines = pairs.slice().reverse().map((p) => {
    const w = p.total / max;
    return {
      coords: [at.get(p.a), at.get(p.b)], pair: p,
      lineStyle: { width: 0.8 + 9 * w, opacity: 0.35 + 0.55 * w, color: FLOW_LINE },
    };
  });
  const nudge = labelNudges(model);
  const points = nodes.map((n) => ({
    label: nudge(n.unit),
    name: n.unit, value: [...at.get(n.unit), n.strength], node: n,
    symbolSize: 7 + 18 * Math.sqrt(n.strength / smax),
    itemStyle: { color: n.hub ? FLOW_HUB : FLOW_NODE, borderColor: '#fff', borderWidth: 1.5 },
  }));
  const tooltip = {
    trigger: 'item', confine: true,
    formatter: (q) => {
      if (q.seriesType === 'lines') {
        const p = q.data.pair;
        return `<b>${pairName(model, p, lang)}</b><br>${fl('flow', lang)}: ${fmtFlow(p.total)} (${(p.share * 100).toFixed(1)}% ${fl('share', lang)})<br>` +
          `${unitName(model, p.a, lang)} → ${unitName(model, p.b, lang)}: ${fmtFlow(p.ab)}<br>${unitName(model, p.b, lang)} → ${unitName(model, p.a, lang)}: ${fmtFlow(p.ba)}`;
      }
      const n = q.data.node;
      if (!n) return q.name;
      const c = f.cities.find((x) => x.unit === n.unit) || {};
      return `<b>${unitName(model, n.unit, lang)}</b>${n.hub ? ` · ${fl('hub', lang)}` : ''}<br>${fl('strength', lang)}: ${fmtFlow(n.strength)}<br>` +
        `${fl('net', lang)}: ${c.net > 0 ? '+' : ''}${fmtFlow(c.net)}<br>${fl('pagerank', lang)}: ${fmt(n.pagerank, 3)}`;
    },
  };
  const title = f.illustrative
    ? { text: fl('illustrative', lang), left: 'center', top: 4, textStyle: { fontSize: 12, fontWeight: 700, color: '#b45309' } }
    : undefined;
  const label = { show: true, position: 'right', fontSize: 11, color: INK, textBorderColor: '#fff', textBorderWidth: 2, formatter: (q) => unitName(model, q.name, lang) };
  if (opts.map) {
    return {
      ...base(opts), title, tooltip,
      geo: {
        map: opts.map, nameProperty: 'code', roam: false, top: 30, bottom: 8, left: 'center', aspectScale: 0.92,
        silent: true, label: { show: false },
        itemStyle: { areaColor: '#eef2f1', borderColor: '#b7c4c0', borderWidth: 0.8 },
      },
      series: [
        { type: 'lines', coordinateSystem: 'geo', zlevel: 1, data: lines, polyline: false, lineStyle: { curveness: 0.18, cap: 'round' } },
        { type: 'scatter', coordinateSystem: 'geo', zlevel: 2, data: points, label },
      ],
    };
  }
  return {
    ...base(opts), title, tooltip,
    grid: { left: 60, right: 60, top: 34, bottom: 36 },
    xAxis: { type: 'value', scale: true, name: lbl('lon', lang), nameLocation: 'middle', nameGap: 24, splitLine: { lineStyle: { color: GRID } } },
    yAxis: { type: 'value', scale: true, name: lbl('lat', lang), nameLocation: 'middle', nameGap: 40, splitLine: { lineStyle: { color: GRID } } },
    series: [
      { type: 'lines', coordinateSystem: 'cartesian2d', data: lines, lineStyle: { curveness: 0.18, cap: 'round' } },
      { type: 'scatter', data: points, label },
    ],
  };
}

export function flowPairsOption(model, opts = {}) {
  const f = model.flows;
  if (!f || !f.pairs.length) return null;
  const lang = opts.lang || 'en';
  const rows = f.pairs.slice(0, opts.top || f.top).reverse();
  return {
    ...base(opts),
    title: f.illustrative ? { text: fl('illustrative', lang), right: 8, top: 0, textStyle: { fontSize: 11, fontWeight: 700, color: '#b45309' } } : undefined,
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (qs) => {
        const p = rows[qs[0].dataIndex];
        return `<b>${pairName(model, p, lang)}</b><br>${fl('flow', lang)}: ${fmtFlow(p.total)} (${(p.share * 100).toFixed(1)}%)<br>A→B ${fmtFlow(p.ab)} · B→A ${fmtFlow(p.ba)}`;
      },
    },
    grid: { left: 8, right: 56, top: f.illustrative ? 22 : 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: GRID } }, axisLabel: { color: MUTED, hideOverlap: true, formatter: (v) => fmtFlow(v) } },
    yAxis: { type: 'category', data: rows.map((p) => pairName(model, p, lang)), axisLabel: { color: INK, interval: 0, fontSize: rows.length > 15 ? 10 : 12 }, axisTick: { show: false } },
    series: [{
      name: fl('flow', lang), type: 'bar', barMaxWidth: 18,
      itemStyle: { color: FLOW_LINE, borderRadius: [0, 3, 3, 0] },
      label: { show: true, position: 'right', fontSize: 10, color: INK, formatter: (q) => `${(rows[q.dataIndex].share * 100).toFixed(1)}%` },
      data: rows.map((p) => p.total),
    }],
  };
}

export function flowHubsOption(model, opts = {}) {
  const f = model.flows;
  if (!f || !f.network.nodes.length) return null;
  const lang = opts.lang || 'en';
  const rows = f.network.nodes.slice().sort((a, b) => a.strength - b.strength || b.unit.localeCompare(a.unit));
  return {
    ...base(opts),
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (qs) => {
        const n = rows[qs[0].dataIndex];
        return `<b>${unitName(model, n.unit, lang)}</b>${n.hub ? ` · ${fl('hub', lang)}` : ''}<br>${fl('strength', lang)}: ${fmtFlow(n.strength)}<br>${fl('pagerank', lang)}: ${fmt(n.pagerank, 3)}`;
      },
    },
    grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: GRID } }, axisLabel: { color: MUTED, hideOverlap: true, formatter: (v) => fmtFlow(v) } },
    yAxis: { type: 'category', data: rows.map((n) => unitName(model, n.unit, lang) + (n.hub ? ` ★` : '')), axisLabel: { color: INK, interval: 0, fontSize: rows.length > 20 ? 9 : 12 }, axisTick: { show: false } },
    series: [{
      name: fl('strength', lang), type: 'bar', barMaxWidth: 14,
      label: { show: rows.length <= 20, position: 'right', fontSize: 10, color: INK, formatter: (q) => fmtFlow(q.value) },
      data: rows.map((n) => ({ value: n.strength, itemStyle: { color: n.hub ? FLOW_HUB : '#94cfc2', borderRadius: [0, 3, 3, 0] } })),
    }],
  };
}

const SA = {
  interval: { en: '5–95% of the runs', zh: '5%–95% 的运行' },
  median: { en: 'Median rank', zh: '排名中位数' },
  nominal: { en: 'Nominal rank', zh: '基准排名' },
  rankAxis: { en: 'Rank (1 = best)', zh: '排名（1 = 最好）' },
  si: { en: 'Si (first order)', zh: 'Si（一阶）' },
  sti: { en: 'STi (total order)', zh: 'STi（总效应）' },
  illustrative: { en: 'ILLUSTRATIVE DATA', zh: '示意数据' },
};
const sa = (key, lang) => text(SA[key], lang);
const fmtRank = (x) => (x == null ? '—' : Math.abs(x - Math.round(x)) < 0.05 ? String(Math.round(x)) : x.toFixed(1));

export function rankIntervalOption(model, opts = {}) {
  const s = model.sensitivity;
  if (!s || !s.units.length) return null;
  const lang = opts.lang || 'en';
  const rows = s.units;
  const n = rows.length;
  const names = rows.map((u) => unitName(model, u.unit, lang));
  const tip = (i) => {
    const u = rows[i];
    const tiers = (s.tier_bands || []).map((b, k) => (u.tiers[k] ? `${text(b[1], lang)} ${(u.tiers[k] * 100).toFixed(0)}%` : null)).filter(Boolean);
    return `<b>${names[i]}</b><br>${sa('nominal', lang)}: ${u.nominal_rank ?? '—'}<br>${sa('median', lang)}: ${fmtRank(u.rank_median)}<br>` +
      `${sa('interval', lang)}: ${fmtRank(u.rank_q5)}–${fmtRank(u.rank_q95)}${tiers.length ? `<br>${tiers.join(' · ')}` : ''}`;
  };
  return {
    ...base(opts),
    title: model.index.illustrative ? { text: sa('illustrative', lang), right: 8, top: 0, textStyle: { fontSize: 11, fontWeight: 700, color: '#b45309' } } : undefined,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, formatter: (qs) => tip(qs[0].dataIndex) },
    legend: { bottom: 0, textStyle: { color: INK }, data: [sa('interval', lang), sa('median', lang), sa('nominal', lang)] },
    // Room below the axis name for a legend that wraps onto two lines on a phone.
    grid: { left: 8, right: 24, top: model.index.illustrative ? 24 : 8, bottom: 76, containLabel: true },
    xAxis: {
      type: 'value', min: 0, max: n + 1, interval: n > 20 ? 5 : 1, name: sa('rankAxis', lang), nameLocation: 'middle', nameGap: 24,
      nameTextStyle: { color: MUTED }, axisLabel: { color: MUTED, formatter: (v) => (v >= 1 && v <= n ? String(v) : '') },
      splitLine: { lineStyle: { color: GRID } },
    },
    yAxis: { type: 'category', inverse: true, data: names, axisLabel: { color: INK, interval: 0, fontSize: n > 20 ? 9 : 12 }, axisTick: { show: false } },
    series: [
      {
        name: sa('interval', lang), type: 'custom', itemStyle: { color: '#94cfc2' },
        // A bar from the 5th to the 95th percentile, 3 px wider at each end so that an interval of
        // one place still shows as a short block under its marker.
        renderItem: (params, api) => {
          const lo = api.coord([api.value(1), api.value(0)]);
          const hi = api.coord([api.value(2), api.value(0)]);
          const h = Math.max(4, api.size([0, 1])[1] * 0.45);
          return { type: 'rect', shape: { x: lo[0] - 3, y: lo[1] - h / 2, width: hi[0] - lo[0] + 6, height: h, r: 2 }, style: { fill: '#94cfc2' } };
        },
        encode: { x: [1, 2], y: 0 },
        data: rows.map((u, i) => [i, u.rank_q5, u.rank_q95]).filter((d) => d[1] != null && d[2] != null),
        z: 1,
      },
      {
        name: sa('median', lang), type: 'scatter', symbol: 'diamond', symbolSize: 11, itemStyle: { color: '#0b4a43' }, z: 3,
        data: rows.map((u, i) => [u.rank_median, i]),
      },
      {
        name: sa('nominal', lang), type: 'scatter', symbol: 'circle', symbolSize: 14, z: 2,
        itemStyle: { color: 'rgba(0,0,0,0)', borderColor: '#c2410c', borderWidth: 2 },
        data: rows.map((u, i) => [u.nominal_rank, i]),
      },
    ],
  };
}

export function sobolOption(model, opts = {}) {
  const s = model.sensitivity;
  if (!s || !s.sobol || !s.sobol.length) return null;
  const lang = opts.lang || 'en';
  const label = (name) => {
    const i = s.inputs.find((x) => x.name === name);
    return i ? text(i.label, lang) : name;
  };
  const rows = s.sobol.slice().reverse();
  const ci = (a, b) => (a == null || b == null ? '' : ` (${fmt(a, 2)}–${fmt(b, 2)})`);
  const series = [
    ['si', '#94cfc2', 'si_q5', 'si_q95'],
    ['sti', '#0f766e', 'sti_q5', 'sti_q95'],
  ].map(([k, color, lo, hi]) => ({
    name: sa(k, lang), type: 'bar', barMaxWidth: 16, itemStyle: { color, borderRadius: [0, 3, 3, 0] },
    label: { show: true, position: 'right', fontSize: 10, color: INK, formatter: (q) => `${fmt(rows[q.dataIndex][k], 2)}${ci(rows[q.dataIndex][lo], rows[q.dataIndex][hi])}` },
    data: rows.map((r) => r[k]),
  }));
  return {
    ...base(opts),
    tooltip: {
      trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true,
      formatter: (qs) => {
        const r = rows[qs[0].dataIndex];
        return `<b>${label(r.input)}</b><br>${sa('si', lang)}: ${fmt(r.si, 3)}${ci(r.si_q5, r.si_q95)}<br>${sa('sti', lang)}: ${fmt(r.sti, 3)}${ci(r.sti_q5, r.sti_q95)}`;
      },
    },
    legend: { top: 0, textStyle: { color: INK } },
    grid: { left: 8, right: 110, top: 30, bottom: 8, containLabel: true },
    xAxis: { type: 'value', min: (v) => Math.min(0, v.min), max: (v) => Math.max(1, v.max), splitLine: { lineStyle: { color: GRID } }, axisLabel: { color: MUTED } },
    yAxis: { type: 'category', data: rows.map((r) => label(r.input)), axisLabel: { color: INK, interval: 0 }, axisTick: { show: false } },
    series,
  };
}
