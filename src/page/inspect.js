// nmtx inspect: the page. Plain JavaScript and SVG, talking to the server's JSON API
// (docs/inspect.md). The URL's hash holds the state (tab, run, sentence, settings,
// forced prefix), so a view can be shared and reopened.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const state = { runs: [], shown: new Set(), result: null, scored: null, triage: null, sort: { key: 'index', dir: 1 }, prefix: [], openNodes: new Set() };

// ---- small helpers ------------------------------------------------------------------
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
const fmt = (x, digits = 2) => (x === null || x === undefined ? '—' : Number(x).toFixed(digits));

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
  return data;
}

function status(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

// Colour of a log-probability: green, the deeper the surer the model (white: p near 0).
function probColour(logProb) {
  const p = Math.exp(logProb);
  return `hsl(145, 55%, ${Math.round(97 - 35 * p)}%)`;
}

// The indices of `a` outside a longest common subsequence with `b`: the tokens that
// changed from b to a (an intervention's continuation, another run's output, the reference).
function changedIndices(a, b) {
  const n = a.length, m = b.length;
  const L = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; --i) for (let j = m - 1; j >= 0; --j) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const changed = new Set();
  let i = 0, j = 0;
  while (i < n) {
    if (j < m && a[i] === b[j]) { ++i; ++j; } else if (j < m && L[i][j + 1] >= L[i + 1][j]) { ++j; } else { changed.add(i); ++i; }
  }
  return changed;
}

// ---- legends: one per view, every colour it uses --------------------------------------
const KEYS = {
  attention: () => el('span', { class: 'key' }, el('span', { class: 'ramp', style: 'background: linear-gradient(90deg, #fff, var(--attention))' }), 'attention weight 0 → 1'),
  difference: () => el('span', { class: 'key' }, el('span', { class: 'ramp', style: 'background: linear-gradient(90deg, var(--less), #fff, var(--attention))' }), 'less ← same → more attention than the first run'),
  position: () => el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'border: 2px solid var(--position); border-radius: 50%' }), 'predicted position p_t, dashed: its window'),
  probability: () => el('span', { class: 'key' }, el('span', { class: 'ramp', style: 'background: linear-gradient(90deg, hsl(145,55%,97%), hsl(145,55%,62%))' }), "the model's probability of the token 0 → 1"),
  changed: (what) => el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'background: var(--changed)' }), `changed from ${what}`),
  reference: () => el('span', { class: 'key' }, el('span', { style: 'text-decoration: underline dashed; text-underline-offset: 3px' }, 'abc'), 'not in the reference'),
  gold: () => [
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'border: 2px solid var(--gold)' }), 'gold link (sure)'),
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'border: 2px dashed var(--gold)' }), 'gold link (possible)'),
  ],
  line: () => el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'background: var(--attention)' }), 'a weight: width and opacity'),
  tree: () => [
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'border: 1px solid var(--ink); border-radius: 50%; background: #fff' }), 'kept'),
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'background: var(--ink); border-radius: 50%' }), 'finished'),
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'background: #e5e7eb; border: 1px solid var(--pruned); border-radius: 50%' }), 'pruned'),
    el('span', { class: 'key' }, el('span', { class: 'swatch', style: 'background: var(--ink); height: 3px' }), 'the returned hypothesis'),
    el('span', { class: 'key' }, 'token, log p(token), Σ: log p of the hypothesis so far'),
  ],
};
function legend(id, ...keys) { $(id).replaceChildren(...keys.flat()); }

// ---- the URL holds the state ----------------------------------------------------------
function settings() {
  return {
    beam: Number($('beam').value), alpha: Number($('alpha').value), hard: $('hard').checked,
    monotonic: $('monotonic').checked, window: Number($('window').value),
  };
}

function saveHash() {
  const s = settings();
  const params = new URLSearchParams({
    tab: document.querySelector('nav button.active').dataset.tab, run: $('run').value, source: $('source').value,
    beam: s.beam, alpha: s.alpha, hard: s.hard ? 1 : 0, monotonic: s.monotonic ? 1 : 0, window: s.window,
  });
  if (state.prefix.length) params.set('prefix', state.prefix.join(','));
  if (state.training) {
    params.set('trun', state.training.run);
    params.set('tsentence', $('training-sentence').value || 0);
    params.set('tview', $('training-view').value);
    const steps = state.training.data.steps;
    if (steps.length) params.set('tstep', steps[Number($('training-step').value)]);
  }
  if ($('target').value) params.set('target', $('target').value);
  history.replaceState(null, '', '#' + params.toString());
}

function loadHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has('run') && Number(params.get('run')) < state.runs.length) $('run').value = params.get('run');
  for (const k of ['beam', 'alpha', 'window']) if (params.has(k)) $(k).value = params.get(k);
  for (const k of ['hard', 'monotonic']) if (params.has(k)) $(k).checked = params.get(k) === '1';
  if (params.has('source')) $('source').value = params.get('source');
  if (params.has('target')) $('target').value = params.get('target');
  state.prefix = params.get('prefix') ? params.get('prefix').split(',').map(Number) : [];
  if (params.has('trun') && Number(params.get('trun')) < state.runs.length) $('training-run').value = params.get('trun');
  if (params.has('tview')) $('training-view').value = params.get('tview');
  if (params.has('tstep')) state.trainingWanted = { step: Number(params.get('tstep')), sentence: Number(params.get('tsentence') || 0) };
  if (params.has('tab')) showTab(params.get('tab'));
  return params.has('source') && params.get('source').trim() !== '';
}

// ---- runs -----------------------------------------------------------------------------
function renderRuns() {
  const body = document.querySelector('#run-table tbody');
  body.replaceChildren();
  for (const r of state.runs) {
    const box = el('input', { type: 'checkbox', 'data-run': r.run });
    box.checked = state.shown.has(r.run);
    box.addEventListener('change', () => (box.checked ? state.shown.add(r.run) : state.shown.delete(r.run)));
    const s = r.summary;
    body.append(el('tr', {}, el('td', {}, box), el('td', {}, el('span', { class: 'swatch', style: `background: ${r.colour}` }), r.name),
      el('td', { text: r.variant }),
      el('td', { text: r.cell }), el('td', { class: 'num', text: r.parameters.toLocaleString('en') }),
      el('td', { class: 'num', text: s.steps ?? '—' }), el('td', { text: r.checkpoint }),
      el('td', { class: 'num', text: fmt(s.dev_bleu) }), el('td', { class: 'num', text: fmt(s.test_bleu) })));
  }
  // A comparison still training: its runs without a checkpoint yet, listed.
  $('unfinished').replaceChildren(...(state.unfinished.length ? [`not finished yet (start nmtx inspect again to load them): ${
    state.unfinished.map((u) => `${u.name} (${u.why})`).join(', ')}`] : []));
  for (const id of ['run', 'triage-run', 'training-run']) {
    $(id).replaceChildren(...state.runs.map((r) => el('option', { value: r.run, text: `${r.name} (${r.variant})` })));
  }
  updateSets();
}

function updateSets() {
  const run = state.runs[Number($('run').value)];
  $('pick-set').replaceChildren(el('option', { value: '', text: '—' }),
    ...run.sets.map((s) => el('option', { value: s.name, text: `${s.name} (${s.sentences})` })));
  const triageRun = state.runs[Number($('triage-run').value)];
  $('triage-set').replaceChildren(...triageRun.sets.map((s) => el('option', { value: s.name, text: s.name })));
}

async function pickSet() {
  const set = $('pick-set').value;
  $('pick-sentence').replaceChildren();
  $('pick-sentence').hidden = !set;
  if (!set) return;
  const data = await api('/api/sentences', { run: Number($('run').value), set });
  state.sentences = data.sentences;
  $('pick-sentence').replaceChildren(el('option', { value: '', text: 'choose a sentence' }),
    ...data.sentences.map((s) => el('option', { value: s.index, text: `${s.index}: ${s.source.slice(0, 80)}` })));
}

// ---- views ----------------------------------------------------------------------------
// Heatmap of a (T, S) matrix: rows the output tokens, columns the source tokens. Local
// attention's p_t (a ring) and window [p_t - D, p_t + D] (a dashed box) on each row.
function heatmap(source, output, weights, options = {}) {
  const cell = 22, left = 90, top = 70;
  const S = source.length, T = output.length;
  const W = left + S * cell + 10, H = top + T * cell + 10;
  const svg = el('svg:svg', { class: 'heatmap', width: W, height: H, viewBox: `0 0 ${W} ${H}`, 'data-rows': T, 'data-cols': S });
  source.forEach((tok, s) => {
    svg.append(el('svg:text', { class: 'label src', 'data-s': s, transform: `translate(${left + s * cell + cell / 2 + 4},${top - 6}) rotate(-55)`, text: tok }));
  });
  output.forEach((tok, t) => {
    svg.append(el('svg:text', { class: 'label out', 'data-t': t, x: left - 6, y: top + t * cell + cell * 0.68, 'text-anchor': 'end', text: tok }));
  });
  weights.forEach((row, t) => row.forEach((w, s) => {
    const value = options.diff ? w : Math.max(0, Math.min(1, w));
    const fill = options.diff ? (w >= 0 ? `rgba(33,102,172,${Math.min(1, Math.abs(w))})` : `rgba(179,88,6,${Math.min(1, Math.abs(w))})`)
      : `rgba(33,102,172,${value})`;
    const rect = el('svg:rect', { class: 'cell', x: left + s * cell, y: top + t * cell, width: cell, height: cell, fill, 'data-t': t, 'data-s': s, 'data-w': w });
    rect.append(el('svg:title', { text: `${output[t]} → ${source[s]}: ${w.toFixed(4)}` }));
    if (options.onclick) rect.addEventListener('click', () => options.onclick(t, s));
    svg.append(rect);
  }));
  // Gold links (source, row): sure ones outlined, possible ones dashed.
  if (options.gold) {
    const sure = new Set(options.gold.sure.map(([s, t]) => `${s},${t}`));
    const possible = options.gold.possible.filter(([s, t]) => !sure.has(`${s},${t}`));
    for (const [kind, links] of [['sure', options.gold.sure], ['possible', possible]]) {
      for (const [s, t] of links) {
        if (t >= T || s >= S) continue;
        svg.append(el('svg:rect', { class: `gold ${kind}`, x: left + s * cell + 1.5, y: top + t * cell + 1.5, width: cell - 3, height: cell - 3, 'data-t': t, 'data-s': s }));
      }
    }
  }
  if (options.positions && options.window !== undefined) {
    options.positions.forEach((p, t) => {
      if (t >= T) return;
      const y = top + t * cell;
      const from = Math.max(0, p - options.window), to = Math.min(S - 1, p + options.window);
      svg.append(el('svg:rect', { class: 'window', x: left + from * cell, y: y + 1, width: Math.max(0, (to - from + 1)) * cell, height: cell - 2 }));
      svg.append(el('svg:circle', { class: 'pt', 'data-t': t, cx: left + p * cell + cell / 2, cy: y + cell / 2, r: 4 }));
    });
  }
  return svg;
}

// Bipartite view: source tokens above, output tokens below, a line per weight.
function bipartite(source, output, weights) {
  const gap = 48, height = 120;
  const width = Math.max(source.length, output.length) * gap + 40;
  const svg = el('svg:svg', { class: 'bipartite', width, height, viewBox: `0 0 ${width} ${height}` });
  const xs = (n, i) => 20 + (i + 0.5) * (width - 40) / n;
  weights.forEach((row, t) => row.forEach((w, s) => {
    if (w < 0.01) return;
    svg.append(el('svg:line', { class: 'link', 'data-t': t, 'data-s': s, x1: xs(source.length, s), y1: 24, x2: xs(output.length, t), y2: height - 24,
      'stroke-width': 0.5 + 4 * w, 'stroke-opacity': w }));
  }));
  source.forEach((tok, s) => svg.append(el('svg:text', { class: 'label src', 'data-s': s, x: xs(source.length, s), y: 16, 'text-anchor': 'middle', text: tok })));
  output.forEach((tok, t) => svg.append(el('svg:text', { class: 'label out', 'data-t': t, x: xs(output.length, t), y: height - 8, 'text-anchor': 'middle', text: tok })));
  return svg;
}

// Hovering a token (in the token list, a heatmap label or a bipartite label) highlights its
// row or column in every view of the container, and the matching lines. Delegated: one pair
// of listeners per container, whatever is drawn in it later (another head, another run).
function linkHover(container) {
  if (container.dataset.hover) return;
  container.dataset.hover = '1';
  const mark = (attr, value, on) => {
    container.querySelectorAll(`[data-${attr}="${value}"]`).forEach((n) => n.classList.toggle('hl', on));
    container.querySelectorAll('.link').forEach((line) => line.classList.toggle('dim', on && line.dataset[attr] !== String(value)));
  };
  const follow = (on) => (event) => {
    const node = event.target.closest('.label, .token');
    if (!node || node.contains(event.relatedTarget)) return;  // moving within the token
    const attr = node.dataset.t !== undefined ? 't' : 's';
    if (node.dataset[attr] !== undefined) mark(attr, node.dataset[attr], on);
  };
  container.addEventListener('mouseover', follow(true));
  container.addEventListener('mouseout', follow(false));
}

// Multi-head attention (a hypothesis's `heads`, (k, T, S), whose mean `attention` is): the
// mean and each head as small multiples that are tabs; choosing one calls draw(weights,
// head) (head -1: the mean) to redraw the views with its matrix, as BertViz shows heads.
// `selected` is the tab chosen at first; nothing for other variants.
function headTabs(attention, heads, draw, selected = -1) {
  if (!heads || !heads.length) return [];
  const strip = el('div', { class: 'head-tabs', role: 'tablist' });
  [['mean of heads', attention], ...heads.map((weights, j) => [`head ${j + 1}`, weights])].forEach(([name, weights], k) => {
    const tab = el('button', { class: 'head-tab', role: 'tab', 'data-head': k - 1, 'aria-selected': String(k - 1 === selected), title: `show ${name}` },
      miniHeatmap(weights), el('span', { text: name }));
    tab.addEventListener('click', () => {
      strip.querySelectorAll('.head-tab').forEach((b) => b.setAttribute('aria-selected', String(b === tab)));
      draw(weights, k - 1);
    });
    strip.append(tab);
  });
  return [strip];
}

// A small heatmap without labels: at most about 72 px a side, cells of 2 to 6 px.
function miniHeatmap(weights) {
  const T = weights.length, S = T ? weights[0].length : 0;
  const cell = Math.max(2, Math.min(6, Math.floor(72 / Math.max(S, T, 1))));
  const svg = el('svg:svg', { class: 'mini', width: S * cell, height: T * cell, viewBox: `0 0 ${S * cell} ${T * cell}` });
  weights.forEach((row, t) => row.forEach((w, s) => {
    if (w >= 0.02) svg.append(el('svg:rect', { x: s * cell, y: t * cell, width: cell, height: cell, fill: `rgba(33,102,172,${Math.min(1, w)})` }));
  }));
  return svg;
}

// The output tokens coloured by probability; `marks.changed` (indices) in yellow,
// `marks.offReference` (indices) underlined.
function tokenList(tokens, logProbs, marks = {}) {
  return el('div', { class: 'tokens' }, ...tokens.map((tok, t) => {
    const span = el('span', { class: 'token', 'data-t': t, text: tok, title: `log p = ${logProbs[t].toFixed(4)}` });
    span.style.background = probColour(logProbs[t]);
    if (marks.changed && marks.changed.has(t)) span.classList.add('changed');
    if (marks.offReference && marks.offReference.has(t)) span.classList.add('off-reference');
    return span;
  }));
}

// The beam tree as a tidy tree: one column per depth, leaves on rows of their own, a node
// on the row of its best child. An edge leaves its parent after the label, turns down in the
// gap between two columns and enters its child from the left, so no edge crosses a node or
// a label. Below each node only the children on the way to a finished hypothesis are
// shown; the rest (pruned candidates and hypotheses that fell off the beam) are counted in
// a "+N" that opens them (the check box above opens all).
const textWidth = (() => {
  const ctx = document.createElement('canvas').getContext('2d');
  return (text, size = 12) => { ctx.font = `${size}px system-ui, sans-serif`; return ctx.measureText(text).width; };
})();

function beamTree(tree, onPick, openAll = false) {
  const nodes = tree.nodes;
  const children = nodes.map(() => []);
  nodes.forEach((n, i) => { if (n.parent >= 0) children[n.parent].push(i); });
  children.forEach((c) => c.sort((a, b) => nodes[b].log_prob - nodes[a].log_prob));
  const best = new Set();
  if (tree.results.length) for (let i = tree.results[0]; i >= 0; i = nodes[i].parent) best.add(i);
  // A node leads to a finished hypothesis, or not.
  const leads = nodes.map((n) => n.fate === 'finished');
  for (let i = nodes.length - 1; i >= 0; --i) if (leads[i] && nodes[i].parent >= 0) leads[nodes[i].parent] = true;
  const size = nodes.map(() => 1);
  for (let i = nodes.length - 1; i > 0; --i) if (nodes[i].parent >= 0) size[nodes[i].parent] += size[i];
  const open = state.openNodes;
  const shown = (i) => children[i].filter((c) => openAll || open.has(i) || leads[c]);
  const hiddenCount = (i) => children[i].filter((c) => !shown(i).includes(c)).reduce((sum, c) => sum + size[c], 0);

  const rowH = 30, pad = 8, gapW = 26;
  const label = (n) => (n.parent < 0 ? '<s>' : n.token);
  const scores = (n) => (n.parent < 0 ? '' : `${n.token_log_prob.toFixed(2)} Σ ${n.log_prob.toFixed(2)}`);
  const row = nodes.map(() => -1), depthOf = nodes.map((n) => n.depth);
  let rows = 0;
  (function place(i) {  // leaves take the next row; a node the row of its first (best) child
    const kids = shown(i);
    if (!kids.length) { row[i] = rows++; return; }
    kids.forEach(place);
    row[i] = row[kids[0]];
  })(0);
  const visible = nodes.map((_, i) => row[i] >= 0);
  const depth = Math.max(...nodes.map((n, i) => (visible[i] ? n.depth : 0)));
  const colW = Array.from({ length: depth + 1 }, () => 0);
  nodes.forEach((n, i) => {
    if (!visible[i]) return;
    const more = hiddenCount(i) ? 4 + textWidth(`+${hiddenCount(i)}`, 10) : 0;
    colW[n.depth] = Math.max(colW[n.depth], 10 + Math.max(textWidth(label(n)), textWidth(scores(n), 10) + more));
  });
  const x = [pad + 6];
  for (let d = 1; d <= depth; ++d) x.push(x[d - 1] + colW[d - 1] + gapW + 12);
  const width = x[depth] + colW[depth] + pad, height = rows * rowH + 2 * pad;
  const y = (i) => pad + row[i] * rowH + 10;
  const svg = el('svg:svg', { class: 'beam-tree', width, height });
  const labelEnd = (i) => x[depthOf[i]] + 10 + Math.max(textWidth(label(nodes[i])), textWidth(scores(nodes[i]), 10) + (hiddenCount(i) ? 4 + textWidth(`+${hiddenCount(i)}`, 10) : 0));
  nodes.forEach((n, i) => {  // edges first, under the nodes
    if (!visible[i] || n.parent < 0) return;
    const p = n.parent, trunk = x[n.depth] - 6 - gapW / 2, from = Math.min(labelEnd(p) + 2, trunk);
    svg.append(el('svg:path', { class: 'edge' + (best.has(i) ? ' best' : ''), 'data-from': p, 'data-to': i,
      d: `M${from.toFixed(1)},${y(p)} H${trunk.toFixed(1)} V${y(i)} H${(x[n.depth] - 6).toFixed(1)}` }));
  });
  nodes.forEach((n, i) => {
    if (!visible[i]) return;
    const g = el('svg:g', { class: `node ${n.fate}${best.has(i) ? ' best' : ''}`, 'data-node': i, transform: `translate(${x[n.depth]},${y(i)})` });
    g.append(el('svg:circle', { r: 5 }), el('svg:text', { class: 'token-text', x: 9, y: 4, text: label(n) }));
    if (n.parent >= 0) g.append(el('svg:text', { class: 'scores', x: 9, y: 16, text: scores(n) }));
    const hidden = hiddenCount(i);
    if (hidden || open.has(i)) {
      const more = el('svg:text', { class: 'more', 'data-node': i, x: 13 + textWidth(scores(n), 10), y: 16, text: open.has(i) ? '−' : `+${hidden}` });
      more.append(el('svg:title', { text: open.has(i) ? 'close what was pruned below this node' : `${hidden} pruned node(s) below this one: open them` }));
      more.addEventListener('click', (e) => { e.stopPropagation(); open.has(i) ? open.delete(i) : open.add(i); drawTree(); });
      g.append(more);
    }
    g.append(el('svg:title', { text: `${label(n)}: log p(token) = ${n.parent < 0 ? 0 : n.token_log_prob.toFixed(4)}, total ${n.log_prob.toFixed(4)} (${n.fate})` }));
    if (n.parent >= 0) g.addEventListener('click', () => onPick(i));
    svg.append(g);
  });
  return svg;
}

// ---- translate, force a prefix, intervene, score ---------------------------------------
function translateRequest(extra = {}) {
  const run = Number($('run').value);
  const s = settings();
  return Object.assign({ run, source: $('source').value, beam: s.beam, alpha: s.alpha, n_best: 1, hard: s.hard,
    monotonic: s.monotonic, window: s.window, prefix: state.prefix }, extra);
}

// The picked sentence's gold links (a set's sentence, from *pick* or a triage row) when the
// rows are its reference: the source is the picked one and the output tokens are the
// reference's; null otherwise. Rows may end with </s>, which has no link.
function goldOf(rows) {
  const p = state.picked;
  if (!p || !p.gold || $('source').value !== p.source) return null;
  const tokens = rows[rows.length - 1] === '</s>' ? rows.slice(0, -1) : rows;
  return tokens.join(' ') === p.reference.split(/\s+/).filter(Boolean).join(' ') ? p.gold : null;
}

// The AER of each output token's most attended source token against gold (Och & Ney 2003).
function sentenceAer(weights, tokens, gold) {
  const sure = new Set(gold.sure.map(([s, t]) => `${s},${t}`)), possible = new Set(gold.possible.map(([s, t]) => `${s},${t}`));
  let inSure = 0, inPossible = 0;
  for (let t = 0; t < tokens; ++t) {
    const s = weights[t].indexOf(Math.max(...weights[t]));
    inSure += sure.has(`${s},${t}`);
    inPossible += possible.has(`${s},${t}`);
  }
  return 1 - (inSure + inPossible) / (tokens + sure.size);
}

function goldNote(gold, weights, rows) {
  const tokens = rows[rows.length - 1] === '</s>' ? rows.length - 1 : rows.length;
  return el('span', { class: 'key gold-aer', text: `this sentence's AER ${sentenceAer(weights, tokens, gold).toFixed(3)}` });
}

function attentionViews(container, source, output, hyp, run, onclick) {
  const views = el('div', { class: 'views' }), note = el('div', { class: 'legend' });
  const gold = goldOf(output);
  const options = { onclick, gold };
  if (run.local && hyp.positions) Object.assign(options, { positions: hyp.positions, window: run.window });
  const draw = (weights) => {
    if (gold) note.replaceChildren(...KEYS.gold(), goldNote(gold, weights, output));
    views.replaceChildren(heatmap(source, output, weights, options), bipartite(source, output, weights));
  };
  if (gold) container.append(note);
  container.append(...headTabs(hyp.attention, hyp.heads, draw), views);
  draw(hyp.attention);
}

async function translate() {
  saveHash();
  status('translating…');
  try {
    const data = await api('/api/translate', translateRequest());
    state.result = data;
    const run = state.runs[data.run];
    const hyp = data.hypotheses[0];
    $('hint').hidden = true;
    $('result').hidden = false;
    // Against the reference when there is one (a picked sentence, a triage row), for words.
    const reference = $('target').value.trim();
    const words = hyp.text !== undefined && hyp.tokens.filter((t) => t !== '</s>').join(' ') === hyp.text;
    const offReference = reference && words ? changedIndices(hyp.tokens.filter((t) => t !== '</s>'), reference.split(/\s+/)) : null;
    $('output').replaceChildren(tokenList(hyp.tokens, hyp.token_log_probs, { offReference }));
    legend('legend-tokens', KEYS.probability(), offReference ? KEYS.reference() : []);
    const gold = goldOf(hyp.tokens);
    const draw = (weights) => {
      legend('legend-heatmap', KEYS.attention(), run.local && hyp.positions ? KEYS.position() : [],
        gold ? [...KEYS.gold(), goldNote(gold, weights, hyp.tokens)] : []);
      $('heatmap').replaceChildren(heatmap(data.source_tokens, hyp.tokens, weights, {
        onclick: (t, s) => { $('iv-step').value = t; $('iv-position').value = s; },
        gold,
        ...(run.local && hyp.positions ? { positions: hyp.positions, window: run.window } : {}),
      }));
      $('bipartite').replaceChildren(bipartite(data.source_tokens, hyp.tokens, weights));
    };
    $('heads').replaceChildren(...headTabs(hyp.attention, hyp.heads, draw));
    draw(hyp.attention);
    legend('legend-bipartite', KEYS.line());
    legend('legend-tree', KEYS.tree());
    drawTree();
    $('prefix-note').replaceChildren();
    if (data.prefix.length) {
      const clear = el('button', { id: 'clear-prefix', text: 'clear' });
      clear.addEventListener('click', () => { state.prefix = []; translate(); });
      $('prefix-note').append(`forced prefix: ${data.prefix.length} token(s) `, clear);
    }
    linkHover($('result'));
    status(`log p = ${hyp.log_prob.toFixed(4)}, score ${hyp.score.toFixed(4)}, decoded in ${data.decode_ms.toFixed(1)} ms`);
  } catch (e) {
    status(e.message, true);
  }
}

function drawTree() {
  if (!state.result) return;
  if (state.treeOf !== state.result) state.openNodes.clear();  // a new tree starts closed
  state.treeOf = state.result;
  const tree = state.result.tree;
  $('tree').replaceChildren(beamTree(tree, (i) => forcePrefix(tree, i), $('show-pruned').checked));
}

// The prefix of node i: its ancestors' tokens (without <s>); </s> is not forced.
function forcePrefix(tree, i) {
  const ids = [];
  for (let n = i; tree.nodes[n].parent >= 0; n = tree.nodes[n].parent) ids.unshift(tree.nodes[n].id);
  if (tree.nodes[i].token === '</s>') ids.pop();
  state.prefix = ids;
  translate();
}

// Choosing a sentence or a run starts afresh: a forced prefix (ids of one run's vocabulary)
// and an intervention (a step and position of one sentence) belong to what they were made on.
function forgetSteering() {
  state.prefix = [];
  $('intervention').replaceChildren();
  $('prefix-note').replaceChildren();
}

async function intervene() {
  const kind = $('iv-kind').value;
  const intervention = { kind, step: Number($('iv-step').value), position: Number($('iv-position').value) };
  if (kind === 'scale') intervention.factor = Number($('iv-factor').value);
  status('re-decoding…');
  try {
    const [before, after] = await Promise.all([api('/api/translate', translateRequest()), api('/api/translate', translateRequest({ intervention }))]);
    const run = state.runs[before.run];
    const out = $('intervention');
    out.replaceChildren();
    const original = before.hypotheses[0].tokens;
    for (const [title, data] of [['original', before], [`${kind} at step ${intervention.step}, position ${intervention.position}`, after]]) {
      const hyp = data.hypotheses[0];
      const changed = data === after ? changedIndices(hyp.tokens, original) : null;
      const panel = el('div', { class: 'panel', 'data-panel': title === 'original' ? 'original' : 'changed' }, el('h3', { text: title }),
        tokenList(hyp.tokens, hyp.token_log_probs, { changed }));
      attentionViews(panel, data.source_tokens, hyp.tokens, hyp, run);
      out.append(panel);
    }
    legend('legend-intervention', KEYS.probability(), KEYS.changed('the original'), KEYS.attention(), run.local ? KEYS.position() : []);
    linkHover(out);
    status('intervention applied');
  } catch (e) {
    status(e.message, true);
  }
}

async function score() {
  saveHash();
  try {
    const data = await api('/api/score', { run: Number($('run').value), source: $('source').value, target: $('target').value });
    state.scored = data;
    const run = state.runs[data.run];
    const out = $('scored');
    out.replaceChildren(el('div', { class: 'legend' }, KEYS.probability(), KEYS.attention(), run.local && data.positions ? KEYS.position() : []),
      tokenList(data.tokens, data.token_log_probs), el('div', { class: 'muted', text: `log p = ${data.log_prob.toFixed(4)}` }));
    attentionViews(out, data.source_tokens, data.tokens, data, run);
    linkHover(out);
  } catch (e) {
    status(e.message, true);
  }
}

// ---- compare runs ---------------------------------------------------------------------
// A run's panel title, with its colour (the same as in report.html).
function runTitle(run, suffix) {
  return el('h3', {}, el('span', { class: 'swatch', style: `background: ${state.runs[run].colour}` }), `${state.runs[run].name}${suffix}`);
}

async function compare() {
  const runs = [...state.shown].sort((a, b) => a - b);
  const out = $('compare-out');
  out.replaceChildren();
  if (runs.length < 1) { out.append(el('p', { text: 'tick runs in the table above' })); return; }
  const s = settings();
  try {
    const results = await Promise.all(runs.map((run) => api('/api/translate', { run, source: $('source').value, beam: s.beam, alpha: s.alpha })));
    const sameSource = results.every((r) => JSON.stringify(r.source_tokens) === JSON.stringify(results[0].source_tokens));
    $('compare-diff').disabled = !sameSource;
    if ($('compare-diff').checked && sameSource) {
      // Force the first run's output through every run: the same tokens on both axes.
      const target = results[0].hypotheses[0].text;
      const scored = await Promise.all(runs.map((run) => api('/api/score', { run, source: $('source').value, target })));
      const base = scored[0].attention;
      scored.forEach((d, k) => {
        const weights = k === 0 ? d.attention : d.attention.map((row, t) => row.map((w, j) => w - base[t][j]));
        const panel = el('div', { class: 'panel', 'data-run': runs[k] }, runTitle(runs[k], k ? ' − ' + state.runs[runs[0]].name : ''));
        panel.append(heatmap(d.source_tokens, d.tokens, weights, { diff: k > 0 }));
        out.append(panel);
      });
      legend('legend-compare', KEYS.attention(), runs.length > 1 ? KEYS.difference() : []);
    } else {
      const first = results[0].hypotheses[0].tokens;
      results.forEach((d, k) => {
        const hyp = d.hypotheses[0];
        const changed = k ? changedIndices(hyp.tokens, first) : null;
        const panel = el('div', { class: 'panel', 'data-run': runs[k] }, runTitle(runs[k], ` (${state.runs[runs[k]].variant})`),
          tokenList(hyp.tokens, hyp.token_log_probs, { changed }));
        attentionViews(panel, d.source_tokens, hyp.tokens, hyp, state.runs[runs[k]]);
        out.append(panel);
      });
      legend('legend-compare', KEYS.probability(), runs.length > 1 ? KEYS.changed('the first run') : [], KEYS.attention(),
        runs.some((r) => state.runs[r].local) ? KEYS.position() : []);
    }
    linkHover(out);
  } catch (e) {
    out.append(el('p', { class: 'error', text: e.message }));
  }
}

// ---- triage ---------------------------------------------------------------------------
const COLUMNS = [
  ['index', '#', 0], ['bleu', 'BLEU', 1], ['log_prob', 'log p', 2], ['source_length', '|src|', 0], ['output_length', '|out|', 0],
  ['entropy', 'entropy', 3], ['coverage', 'coverage dev.', 3], ['aer', 'AER', 3], ['argmax_accuracy', 'argmax acc.', 3],
  ['source', 'source', null], ['output', 'output', null], ['reference', 'reference', null],
];

async function loadTriage() {
  const run = Number($('triage-run').value), set = $('triage-set').value;
  $('triage-summary').textContent = 'decoding the set…';
  try {
    state.triage = await api('/api/triage', { run, set });
    const t = state.triage;
    $('triage-summary').textContent = `BLEU ${fmt(t.bleu)} (${t.bleu_signature})${t.aer === null ? '' : `, AER ${fmt(t.aer, 4)}`}, ${t.rows.length} sentences`;
    renderTriage();
    // BLEU by length for every run on this set.
    const all = await Promise.all(state.runs.map((r) => (r.sets.some((x) => x.name === set) ? api('/api/triage', { run: r.run, set }) : null)));
    $('buckets').replaceChildren(bucketChart(all.filter(Boolean)));
  } catch (e) {
    $('triage-summary').textContent = e.message;
  }
}

// A filter: parts joined by `and`, each a condition on a numeric column (`bleu<20`,
// `aer >= 0.3`) or text to find in the source, output or reference. A part that names a
// column or an operator and is not a condition is an error, said in the count's place.
const CONDITION = /^\s*([a-z_]+)\s*(<=|>=|!=|<|>|=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*$/;
function parseFilter(text) {
  const numeric = COLUMNS.filter(([, , digits]) => digits !== null).map(([k]) => k);
  const parts = text.split(/\s+and\s+/i).map((p) => p.trim()).filter(Boolean);
  const tests = [];
  for (const part of parts) {
    const m = part.match(CONDITION);
    if (m) {
      if (!numeric.includes(m[1])) return { error: `"${m[1]}" is not a numeric column: ${numeric.join(', ')}` };
      const x = Number(m[3]), key = m[1], op = m[2];
      tests.push((row) => row[key] !== null && ({ '<': row[key] < x, '>': row[key] > x, '<=': row[key] <= x, '>=': row[key] >= x,
        '=': row[key] === x, '!=': row[key] !== x })[op]);
    } else if (/[<>=]/.test(part)) {
      return { error: `"${part}" is not a condition: write COLUMN OP NUMBER (e.g. bleu<20, aer>=0.3), OP one of < <= > >= = !=` };
    } else {
      const needle = part.toLowerCase();
      tests.push((row) => [row.source, row.output, row.reference].some((t) => t.toLowerCase().includes(needle)));
    }
  }
  return { test: (row) => tests.every((t) => t(row)) };
}

function renderTriage() {
  const t = state.triage;
  if (!t) return;
  const { key, dir } = state.sort;
  const head = el('tr', {}, ...COLUMNS.map(([k, label]) => {
    const th = el('th', { 'data-key': k, text: label });
    if (k === key) th.classList.add(dir > 0 ? 'sorted-asc' : 'sorted-desc');
    th.addEventListener('click', () => { state.sort = { key: k, dir: k === key ? -dir : 1 }; renderTriage(); });
    return th;
  }));
  document.querySelector('#triage-table thead').replaceChildren(head);
  const filter = parseFilter($('triage-filter').value);
  $('triage-count').textContent = filter.error || `${t.rows.filter(filter.test).length} of ${t.rows.length} rows match`;
  $('triage-count').className = filter.error ? 'error' : 'muted';
  const rows = filter.error ? t.rows : t.rows.filter(filter.test);
  rows.sort((a, b) => {
    const x = a[key], y = b[key];
    if (x === y) return a.index - b.index;
    if (x === null) return 1;
    if (y === null) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  document.querySelector('#triage-table tbody').replaceChildren(...rows.map((r) => {
    const tr = el('tr', { 'data-index': r.index }, ...COLUMNS.map(([k, , digits]) =>
      el('td', { class: digits === null ? '' : 'num', text: digits === null ? r[k] : fmt(r[k], digits) })));
    tr.addEventListener('click', () => {
      $('run').value = String(t.run);
      $('source').value = r.source;
      $('target').value = r.reference;
      state.picked = r;
      forgetSteering();
      showTab('translate');
      translate();
    });
    return tr;
  }));
}

function bucketChart(triages) {
  const buckets = [...new Set(triages.flatMap((t) => t.buckets.map((b) => b.from)))].sort((a, b) => a - b);
  const groupW = Math.max(40, 14 * triages.length + 12), height = 180, left = 36;
  const W = left + buckets.length * groupW + 160, H = height + 40;
  const svg = el('svg:svg', { class: 'buckets', width: W, height: H, viewBox: `0 0 ${W} ${H}` });
  const colour = (t) => state.runs[t.run].colour;  // a run's colour, as in report.html
  [0, 25, 50, 75, 100].forEach((v) => svg.append(el('svg:text', { x: left - 4, y: height - v * height / 100 + 4, 'text-anchor': 'end', text: v })));
  buckets.forEach((from, i) => {
    triages.forEach((t, k) => {
      const b = t.buckets.find((x) => x.from === from);
      if (!b) return;
      const h = b.bleu * height / 100;
      const rect = el('svg:rect', { class: 'bar', x: left + i * groupW + 6 + k * 14, y: height - h, width: 12, height: h, style: `fill: ${colour(t)}` });
      rect.append(el('svg:title', { text: `${state.runs[t.run].name}: ${b.from}-${b.to} tokens, ${b.sentences} sentences, BLEU ${b.bleu.toFixed(2)}` }));
      svg.append(rect);
    });
    const b = triages.flatMap((t) => t.buckets).find((x) => x.from === from);
    svg.append(el('svg:text', { x: left + i * groupW + groupW / 2, y: height + 16, 'text-anchor': 'middle', text: `${b.from}-${b.to}` }));
  });
  triages.forEach((t, k) => svg.append(el('svg:text', { x: left + buckets.length * groupW + 10, y: 14 + 16 * k, style: `fill: ${colour(t)}`, text: state.runs[t.run].name })));
  return svg;
}

// ---- the training view: attention over training ---------------------------------------
// A small line chart of (step, value) points; `marker`: the step marked by a vertical line;
// `snapshots`: the steps whose dots move the slider there when clicked.
function lineChart(title, points, marker, snapshots, onPick) {
  const W = 270, H = 130, left = 46, right = 10, top = 18, bottom = 20;
  const svg = el('svg:svg', { class: 'curve', width: W, height: H, viewBox: `0 0 ${W} ${H}`, 'data-title': title, 'data-points': points.length });
  svg.append(el('svg:text', { class: 'title', x: left, y: 12, text: title }));
  if (!points.length) return svg;
  const steps = points.map((p) => p.step), values = points.map((p) => p.value);
  const x0 = Math.min(0, ...steps), x1 = Math.max(...steps, 1);
  let y0 = Math.min(...values), y1 = Math.max(...values);
  if (y1 === y0) { const pad = Math.abs(y0) * 0.1 || 0.5; y0 -= pad; y1 += pad; }  // a constant series (a learning rate)
  const x = (s) => left + (s - x0) * (W - left - right) / (x1 - x0);
  const y = (v) => top + (y1 - v) * (H - top - bottom) / (y1 - y0);
  const label = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2)
    : Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(3) : v.toExponential(1));
  svg.append(el('svg:line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }));
  svg.append(el('svg:text', { class: 'tick', x: left - 4, y: top + 4, 'text-anchor': 'end', text: label(y1) }));
  svg.append(el('svg:text', { class: 'tick', x: left - 4, y: H - bottom, 'text-anchor': 'end', text: label(y0) }));
  svg.append(el('svg:text', { class: 'tick', x: W - right, y: H - 6, 'text-anchor': 'end', text: `step ${x1}` }));
  svg.append(el('svg:polyline', { class: 'series', points: points.map((p) => `${x(p.step)},${y(p.value)}`).join(' ') }));
  for (const p of points) {
    const dot = el('svg:circle', { class: 'point', cx: x(p.step), cy: y(p.value), r: snapshots.has(p.step) ? 3 : 1.5, 'data-step': p.step, 'data-value': p.value });
    dot.append(el('svg:title', { text: `step ${p.step}: ${p.value}` }));
    if (snapshots.has(p.step)) dot.addEventListener('click', () => onPick(p.step));
    svg.append(dot);
  }
  if (marker !== null) svg.append(el('svg:line', { class: 'marker', x1: x(marker), x2: x(marker), y1: top - 4, y2: H - bottom, 'data-step': marker }));
  return svg;
}

async function loadTraining() {
  const run = Number($('training-run').value);
  const data = await api('/api/training', { run });
  state.training = { run, data, cache: new Map(), head: -1 };
  $('training-note').textContent = data.note || (data.steps.length ? '' : 'no validation has recorded a snapshot yet');
  $('training-sentence').replaceChildren(...data.sentences.map((s, k) => el('option', {
    value: k, text: `#${s.index} (${s.source.length} tokens): ${s.source.slice(0, 8).join(' ')}${s.source.length > 8 ? ' …' : ''}` })));
  const slider = $('training-step');
  slider.max = Math.max(0, data.steps.length - 1);
  const wanted = state.trainingWanted;
  state.trainingWanted = null;
  if (wanted && wanted.sentence < data.sentences.length) $('training-sentence').value = wanted.sentence;
  const at = wanted ? data.steps.indexOf(wanted.step) : -1;
  slider.value = at >= 0 ? at : data.steps.length - 1;
  await renderTraining();
}

async function snapshotAt(step) {
  const t = state.training;
  if (!t.cache.has(step)) t.cache.set(step, await api('/api/snapshot', { run: t.run, step }));
  return t.cache.get(step);
}

async function renderTraining() {
  const t = state.training;
  if (!t) return;
  const { data } = t;
  const step = data.steps.length ? data.steps[Number($('training-step').value)] : null;
  const k = Number($('training-sentence').value || 0);
  const sentence = data.sentences[k];
  const run = state.runs[t.run];
  const byReference = $('training-view').value === 'reference';
  let aer = null;
  if (step !== null && sentence) {
    const snap = await snapshotAt(step);
    if (state.training !== t) return;  // another run was chosen meanwhile
    const o = snap.sentences[k];
    aer = o.aer;
    const rows = byReference ? [...sentence.reference, '</s>'] : o.output;
    const positions = byReference ? o.reference_positions : o.positions;
    const attention = byReference ? o.reference_attention : o.attention, heads = byReference ? o.reference_heads : o.heads;
    $('training-output').replaceChildren(...o.output.map((tok) => el('span', {
      class: `token${tok !== '</s>' && !sentence.reference.includes(tok) ? ' off-reference' : ''}`, text: tok })));
    // The chosen head stays chosen as the slider moves: watch one head form.
    const head = heads && t.head < heads.length ? t.head : -1;
    const draw = (weights, chosen) => {
      t.head = chosen;
      $('training-heatmap').replaceChildren(heatmap(sentence.source, rows, weights,
        { positions, window: run.local ? run.window : undefined, gold: byReference && sentence.gold ? sentence.gold : null }));
    };
    $('training-heads').replaceChildren(...headTabs(attention, heads, draw, head));
    draw(head >= 0 ? heads[head] : attention, head);
    legend('legend-training', KEYS.attention(), ...(byReference && sentence.gold ? KEYS.gold() : []),
      ...(positions ? [KEYS.position()] : []), KEYS.reference());
  } else {
    $('training-output').replaceChildren();
    $('training-heads').replaceChildren();
    $('training-heatmap').replaceChildren();
  }
  const valid = data.valid.find((v) => v.step === step);
  $('training-step-label').textContent = step === null ? '' : [`step ${step}`,
    `validation ${Number($('training-step').value) + 1} of ${data.steps.length}`,
    valid ? `dev BLEU ${fmt(valid.dev_bleu)}` : null, aer !== null ? `this sentence's AER ${fmt(aer, 3)}` : null,
  ].filter(Boolean).join(' · ');
  const snapshots = new Set(data.steps);
  const pick = (s) => { $('training-step').value = data.steps.indexOf(s); renderTraining(); };
  const series = (rows, key) => rows.filter((r) => r[key] !== null && r[key] !== undefined).map((r) => ({ step: r.step, value: r[key] }));
  const charts = [['training loss (per token)', series(data.train, 'loss')], ['dev perplexity', series(data.valid, 'dev_ppl')],
    ['dev BLEU', series(data.valid, 'dev_bleu')], ['learning rate', series(data.train, 'learning_rate')],
    ['dev AER (references, forced)', series(data.valid, 'aer')], ['attention entropy (nats)', series(data.valid, 'entropy')]];
  $('training-curves').replaceChildren(...charts.filter(([, points]) => points.length).map(([title, points]) => lineChart(title, points, step, snapshots, pick)));
  saveHash();
}

async function playTraining() {
  const slider = $('training-step');
  if (state.playing) { state.playing = false; return; }
  state.playing = true;
  $('training-play').textContent = '■ stop';
  if (Number(slider.value) >= Number(slider.max)) slider.value = 0;
  while (state.playing) {
    await renderTraining();
    await new Promise((resolve) => setTimeout(resolve, 700));
    if (Number(slider.value) >= Number(slider.max)) break;
    slider.value = Number(slider.value) + 1;
  }
  state.playing = false;
  $('training-play').textContent = '▶ play';
}

// ---- export ---------------------------------------------------------------------------
function download(name, type, text) {
  const a = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
}

function exportSvg() {
  const svg = document.querySelector('#heatmap svg');
  if (!svg) return status('nothing to export yet', true);
  const copy = svg.cloneNode(true);
  copy.setAttribute('xmlns', SVG);
  copy.prepend(el('svg:style', { text: 'text{font:12px sans-serif} .window{fill:none;stroke:#762a83;stroke-dasharray:3 2} .pt{fill:none;stroke:#762a83}' }));
  download('attention.svg', 'image/svg+xml', new XMLSerializer().serializeToString(copy));
}

function exportJson() {
  if (!state.result) return status('nothing to export yet', true);
  download('translation.json', 'application/json', JSON.stringify({ request: translateRequest(), response: state.result }, null, 1));
}

// ---- tabs and start-up ----------------------------------------------------------------
function showTab(name) {
  document.querySelectorAll('nav button').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
  document.querySelectorAll('.tab').forEach((t) => { t.hidden = t.id !== `tab-${name}`; });
  if (name === 'training' && !state.trainingLoad && state.runs.length) {
    state.trainingLoad = loadTraining().catch((e) => status(e.message, true));  // once; the run menu reloads it
  }
}

async function start() {
  document.querySelectorAll('nav button').forEach((b) => b.addEventListener('click', () => { showTab(b.dataset.tab); saveHash(); }));
  $('translate').addEventListener('click', () => { forgetSteering(); translate(); });
  $('run').addEventListener('change', () => { updateSets(); forgetSteering(); saveHash(); });
  $('triage-run').addEventListener('change', updateSets);
  $('pick-set').addEventListener('change', pickSet);
  $('pick-sentence').addEventListener('change', () => {
    const s = state.sentences.find((x) => String(x.index) === $('pick-sentence').value);
    if (s) { $('source').value = s.source; $('target').value = s.reference; state.picked = s; forgetSteering(); translate(); }
  });
  $('intervene').addEventListener('click', intervene);
  $('show-pruned').addEventListener('change', drawTree);
  $('score').addEventListener('click', score);
  $('compare').addEventListener('click', compare);
  $('triage').addEventListener('click', loadTriage);
  $('triage-filter').addEventListener('input', renderTriage);
  $('export-svg').addEventListener('click', exportSvg);
  $('export-json').addEventListener('click', exportJson);
  $('training-run').addEventListener('change', () => loadTraining().catch((e) => status(e.message, true)));
  for (const id of ['training-sentence', 'training-view']) $(id).addEventListener('change', renderTraining);
  $('training-step').addEventListener('input', renderTraining);
  $('training-play').addEventListener('click', playTraining);
  const data = await api('/api/runs');
  state.runs = data.runs;
  state.unfinished = data.unfinished || [];
  state.runs.forEach((r) => state.shown.add(r.run));
  renderRuns();
  if (loadHash()) await translate();
  if (state.trainingLoad) await state.trainingLoad;
  document.body.dataset.ready = '1';
}

start().catch((e) => status(e.message, true));
