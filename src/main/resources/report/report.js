// Renders the report from the JSON payload with ECharts (SVG renderer, so the output is inspectable).
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('data').textContent);
  const palette = ['#4477aa', '#ee6677', '#228833', '#ccbb44', '#66ccee', '#aa3377', '#bbbbbb', '#000000'];
  const schemes = data.schemes;
  const color = s => palette[schemes.indexOf(s) % palette.length];

  function chart(container, id, title, wide) {
    const div = document.createElement('div');
    div.className = 'chart' + (wide ? ' wide' : '');
    div.id = id;
    div.dataset.title = title;
    document.getElementById(container).appendChild(div);
    return div;
  }

  function render(div, option, seriesWithData) {
    const c = echarts.init(div, null, {renderer: 'svg'});
    c.setOption(option);
    div.dataset.rendered = String(seriesWithData);
  }

  function fmt(v, digits) {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'number') return String(v);
    if (!isFinite(v)) return String(v);
    if (Number.isInteger(v) && digits === undefined && Math.abs(v) < 1e9) return String(v);
    if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5)) return v.toExponential(2);
    return v.toFixed(digits === undefined ? 4 : digits);
  }

  function table(container, columns, rows, rowClass) {
    const t = document.createElement('table');
    const head = t.createTHead().insertRow();
    columns.forEach(c => { const th = document.createElement('th'); th.textContent = c.title; head.appendChild(th); });
    const body = t.createTBody();
    rows.forEach(r => {
      const tr = body.insertRow();
      if (rowClass) tr.className = rowClass(r);
      columns.forEach(c => {
        const td = tr.insertCell();
        const v = r[c.key];
        td.textContent = c.format ? c.format(v, r) : fmt(v);
        if (typeof v === 'string') td.className = 'text';
      });
    });
    document.getElementById(container).appendChild(t);
  }

  // Summary table.
  const axisColumns = data.axes.map(a => ({key: a, title: a}));
  table('summary', axisColumns.concat([
    {key: 'n_seeds', title: 'seeds', format: v => String(v)},
    {key: 'n_ok', title: 'ok', format: v => String(v)},
    {key: 'n_diverged', title: 'diverged', format: v => String(v)},
    {key: 'n_failed', title: 'failed', format: v => String(v)},
    {key: 'final_test_loss_mean', title: 'loss mean'},
    {key: 'final_test_loss_std', title: 'loss std'},
    {key: 'final_test_loss_cv', title: 'loss cv', format: v => fmt(v, 3)},
    {key: 'final_test_loss_median', title: 'loss median'},
    {key: 'final_test_loss_min', title: 'loss min'},
    {key: 'final_test_loss_max', title: 'loss max'},
    {key: 'final_test_accuracy_mean', title: 'accuracy', format: v => fmt(v, 3)},
    {key: 'epochs_to_target_mean', title: 'epochs to target', format: v => fmt(v, 1)},
    {key: 'reached_rate', title: 'reached', format: v => fmt(v, 2)},
  ]), data.cellStats);

  // Curves: one panel per context, per scheme the median over seeds and its interquartile band. A loss is skewed
  // and cannot go below zero, which a mean ± std band ignores (it drew negative losses); quartiles cannot. The band
  // is a stack of the lower quartile, drawn invisibly, and the band's height.
  data.contexts.forEach((context, i) => {
    const div = chart('curves', 'curves-' + i, context);
    const inContext = data.curves.filter(p => p.context === context);
    const epochs = [...new Set(inContext.map(p => p.epoch))].sort((a, b) => a - b);
    const series = [];
    let withData = 0;
    schemes.forEach(s => {
      const byEpoch = new Map(inContext.filter(p => p.scheme === s).map(p => [p.epoch, p]));
      if (byEpoch.size === 0) return;
      withData++;
      const at = f => epochs.map(e => byEpoch.has(e) ? f(byEpoch.get(e)) : null);
      const stack = 'band-' + s;
      series.push({name: s, type: 'line', data: at(p => p.test_loss_median), connectNulls: false,
        lineStyle: {color: color(s), width: 2}, itemStyle: {color: color(s)}, symbolSize: 3, z: 3});
      series.push({name: s, type: 'line', stack: stack, data: at(p => p.test_loss_q25),
        lineStyle: {opacity: 0}, symbol: 'none', silent: true, tooltip: {show: false}});
      series.push({name: s, type: 'line', stack: stack, data: at(p => p.test_loss_q75 - p.test_loss_q25),
        lineStyle: {opacity: 0}, symbol: 'none', silent: true, areaStyle: {color: color(s), opacity: 0.18},
        tooltip: {show: false}});
    });
    render(div, {
      title: {text: context, subtext: 'line: median over seeds; band: 25th-75th percentile',
        textStyle: {fontSize: 12}, subtextStyle: {fontSize: 10}},
      tooltip: {trigger: 'axis'},
      legend: {bottom: 0, type: 'scroll', data: schemes},
      grid: {left: 50, right: 16, top: 36, bottom: 56},
      xAxis: {type: 'category', name: 'epoch', data: epochs.map(String), nameLocation: 'middle', nameGap: 22,
        boundaryGap: false},
      yAxis: {type: 'value', name: 'test loss', scale: true, nameLocation: 'middle', nameGap: 36},
      series: series
    }, withData);
  });

  // Heatmaps: scheme × depth per activation, diverged rate and cv of the final loss.
  const depths = [...new Set(data.cellStats.map(r => r.depth))].sort((a, b) => a - b);
  const activations = [...new Set(data.cellStats.map(r => r.activation))].sort();
  [['diverged_rate', 'diverged rate'], ['final_test_loss_cv', 'cv of the final test loss']].forEach(([key, label]) => {
    activations.forEach((activation, i) => {
      const div = chart('heatmaps', 'heatmap-' + key + '-' + i, label + ', ' + activation);
      const values = [];
      schemes.forEach((s, si) => depths.forEach((d, di) => {
        const rows = data.cellStats.filter(r => r.scheme === s && r.depth === d && r.activation === activation
          && r[key] !== null && isFinite(r[key]));
        if (rows.length > 0) values.push([di, si, rows.reduce((t, r) => t + r[key], 0) / rows.length]);
      }));
      const max = Math.max(key === 'diverged_rate' ? 1 : 1e-9, ...values.map(v => v[2]));
      render(div, {
        title: {text: label + ' — ' + activation, textStyle: {fontSize: 12}},
        tooltip: {formatter: p => schemes[p.value[1]] + ', depth ' + depths[p.value[0]] + ': ' + fmt(p.value[2], 3)},
        grid: {left: 130, right: 60, top: 36, bottom: 40},
        xAxis: {type: 'category', name: 'depth', data: depths.map(String), nameLocation: 'middle', nameGap: 24},
        yAxis: {type: 'category', data: schemes},
        visualMap: {min: 0, max: max, calculable: false, orient: 'vertical', right: 0, top: 'center',
          itemHeight: 120, inRange: {color: ['#f7fbff', '#6baed6', '#08306b']}},
        series: [{type: 'heatmap', data: values,
          label: {show: true, formatter: p => fmt(p.value[2], 2), fontSize: 10}}]
      }, values.length > 0 ? 1 : 0);
    });
  });

  // Propagation at init, log scale, one line per scheme and, where the sweep varies them, per width (panels), bias
  // and layer overrides (line styles), so that no line mixes two networks. An MLP: each hidden layer's activation
  // variance. A residual network: the residual stream's variance, from the stem's output (block 0) through the end
  // of every block, where initializations for residual networks differ most (doubling per block with plain He
  // branches). Rows written before layers had a kind are dense.
  const varies = key => new Set(data.propagation.map(r => String(r[key]))).size > 1;
  const panelOf = r => (r.architecture === 'residual' ? 'residual' : 'mlp')
    + (r.normalization && r.normalization !== 'none' ? ' + ' + r.normalization + ' norm' : '')
    + ', ' + r.activation + ', depth ' + r.depth + (varies('width') ? ', width ' + r.width : '');
  const kindOf = r => r.kind || 'dense';
  const variantKeys = ['bias_init', 'bias_std', 'layer_init'].filter(varies);
  const variantOf = r => variantKeys.map(k => k.replace('_', '-') + '=' + r[k]).join(' ');
  const variants = [...new Set(data.propagation.map(variantOf))].sort();
  const lineTypes = ['solid', 'dashed', 'dotted'];
  const panels = [...new Set(data.propagation.map(panelOf))].sort();
  panels.forEach((panel, i) => {
    const div = chart('propagation', 'propagation-' + i, panel);
    const residual = panel.startsWith('residual');
    let withData = 0;
    const series = [];
    schemes.forEach(s => variants.forEach((variant, vi) => {
      const rows = data.propagation.filter(r => panelOf(r) === panel && r.scheme === s && variantOf(r) === variant);
      const points = residual
        ? rows.filter(r => kindOf(r) === 'dense' && r.layer === 0).map(r => [0, r.activation_var_mean])
          .concat(rows.filter(r => kindOf(r) === 'residual_add').map(r => [r.block + 1, r.stream_var_mean]))
        : rows.filter(r => kindOf(r) === 'dense' && !r.is_output).map(r => [r.layer, r.activation_var_mean]);
      const shown = points.filter(p => p[1] > 0).sort((a, b) => a[0] - b[0]);
      if (shown.length === 0) return;
      withData++;
      series.push({name: s + (variant ? ' ' + variant : ''), type: 'line', data: shown,
        lineStyle: {color: color(s), type: lineTypes[vi % lineTypes.length]}, itemStyle: {color: color(s)},
        symbolSize: 4});
    }));
    render(div, {
      title: {text: panel, textStyle: {fontSize: 12}},
      tooltip: {trigger: 'axis'},
      legend: {bottom: 0, type: 'scroll'},
      grid: {left: 70, right: 16, top: 36, bottom: 56},
      xAxis: {type: 'value', name: residual ? 'block (0 = stem output)' : 'hidden layer', nameLocation: 'middle',
        nameGap: 22, minInterval: 1},
      yAxis: {type: 'log', name: residual ? 'residual stream variance' : 'activation variance', logBase: 10,
        nameLocation: 'middle', nameGap: 46,
        axisLabel: {formatter: v => (v >= 0.01 && v <= 1000 ? String(v) : v.toExponential(0))}},
      series: series
    }, withData);
  });

  // Phase diagrams: the measured final loss over (sigma_w^2, sigma_b^2) as rectangles on value axes (a heatmap needs
  // category axes, which cannot carry the theory's lines), the order-to-chaos line and the 6 xi_c = depth lines over it.
  const phaseColor = {ordered: '#4477aa', critical: '#228833', chaotic: '#ee6677'};
  if (data.phaseDiagrams.length > 0) document.getElementById('phase-section').hidden = false;
  data.phaseDiagrams.forEach((d, i) => {
    const div = chart('phase-diagrams', 'phase-' + i, d.title, true);
    const measured = d.cells.filter(c => c.final_test_loss_mean !== null);
    const failed = d.cells.filter(c => c.final_test_loss_mean === null);
    const losses = measured.map(c => c.final_test_loss_mean);
    const rect = (fill) => (params, api) => {
      const a = api.coord([api.value(0), api.value(3)]);
      const b = api.coord([api.value(1), api.value(2)]);
      return {type: 'rect', shape: {x: a[0], y: a[1], width: b[0] - a[0], height: b[1] - a[1]},
        style: {fill: fill || api.visual('color'), stroke: '#ffffff', lineWidth: 1}};
    };
    const item = c => ({value: [c.x0, c.x1, c.y0, c.y1, c.final_test_loss_mean], cell: c});
    const line = (points, name, dashed) => ({name: name, type: 'line', data: points, showSymbol: false, z: 5,
      lineStyle: {color: '#111111', width: 2, type: dashed ? 'dashed' : 'solid'}, itemStyle: {color: '#111111'},
      tooltip: {show: false}});
    const depthName = '6ξ_c = ' + d.depth;
    render(div, {
      title: {text: d.title, subtext: 'colour: final test loss; solid: χ1 = 1; dashed: 6ξ_c = depth',
        textStyle: {fontSize: 12}, subtextStyle: {fontSize: 10}},
      tooltip: {formatter: p => {
        if (!p.data || !p.data.cell) return '';
        const c = p.data.cell;
        return 'σ_w² ' + fmt(c.sigma_w2, 3) + ', σ_b² ' + fmt(c.sigma_b2, 3) + '<br>final test loss ' +
          (c.final_test_loss_mean === null ? 'none (no ok seed)' : fmt(c.final_test_loss_mean, 4)) + ' (' + c.n_ok +
          '/' + c.n_seeds + ' ok)<br>theory: ' + (c.theory_phase || 'unbounded variance') + ', 6ξ_c ' +
          (c.trainable_depth === null ? (c.theory_phase === 'critical' ? '∞' : '—') : fmt(c.trainable_depth, 1));
      }},
      legend: {bottom: 0, data: ['χ1 = 1', depthName]},
      grid: {left: 60, right: 90, top: 44, bottom: 60},
      xAxis: {type: 'value', name: 'σ_w²', min: d.xRange[0], max: d.xRange[1], nameLocation: 'middle', nameGap: 24},
      yAxis: {type: 'value', name: 'σ_b²', min: d.yRange[0], max: d.yRange[1], nameLocation: 'middle', nameGap: 40},
      visualMap: {min: losses.length ? Math.min(...losses) : 0, max: losses.length ? Math.max(...losses) : 1,
        dimension: 4, seriesIndex: 0, calculable: false, orient: 'vertical', right: 0, top: 'middle', itemHeight: 120,
        text: losses.length ? [fmt(Math.max(...losses), 3), fmt(Math.min(...losses), 3)] : ['', ''],
        inRange: {color: ['#fff7bc', '#fe9929', '#993404']}},
      series: [
        {type: 'custom', name: 'loss', renderItem: rect(null), data: measured.map(item), encode: {x: [0, 1], y: [2, 3]}},
        {type: 'custom', name: 'no ok seed', renderItem: rect('#bbbbbb'), data: failed.map(item),
          encode: {x: [0, 1], y: [2, 3]}},
        line(d.critical, 'χ1 = 1', false),
        line(d.orderedDepth, depthName, true),
        line(d.chaoticDepth, depthName, true)
      ]
    }, d.cells.length);
    div.dataset.lines = [d.critical.length, d.orderedDepth.length, d.chaoticDepth.length].join(',');
  });

  // Measured against predicted: per-layer variance against q_l, and the gradient factor against chi1, log-log with
  // the diagonal; one panel each per activation that has predictions.
  const theoryActivations = [...new Set(data.theoryVariance.map(r => r.activation)
    .concat(data.theoryGradient.map(r => r.activation)))].sort();
  if (theoryActivations.length > 0) document.getElementById('theory-section').hidden = false;
  const scatter = (id, title, rows, x, y, xName, yName, label) => {
    const points = rows.filter(r => r[x] > 0 && r[y] > 0 && isFinite(r[x]) && isFinite(r[y]));
    const div = chart('theory', id, title);
    const values = points.flatMap(r => [r[x], r[y]]);
    // whole decades, so that the log axes' end labels are round
    const low = values.length ? Math.pow(10, Math.floor(Math.log10(Math.min(...values)))) : 0.1;
    const high = values.length ? Math.pow(10, Math.ceil(Math.log10(Math.max(...values)))) : 10;
    // 'no phase': no finite q* (the variance grows without bound) or hidden layers of different sigma_w^2
    const phases = ['ordered', 'critical', 'chaotic', 'no phase'];
    const series = phases.map(phase => ({name: phase, type: 'scatter', symbolSize: 6,
      itemStyle: {color: phaseColor[phase] || '#999999'},
      data: points.filter(r => (r.phase || 'no phase') === phase).map(r => ({value: [r[x], r[y]], row: r}))}))
      .filter(s => s.data.length > 0);
    series.push({name: 'theory', type: 'line', data: [[low, low], [high, high]], showSymbol: false,
      lineStyle: {color: '#111111', type: 'dashed', width: 1}, tooltip: {show: false}});
    render(div, {
      title: {text: title, textStyle: {fontSize: 12}},
      tooltip: {formatter: p => p.data && p.data.row ? label(p.data.row) : ''},
      legend: {bottom: 0, type: 'scroll'},
      grid: {left: 70, right: 16, top: 36, bottom: 60},
      xAxis: {type: 'log', name: xName, min: low, max: high, nameLocation: 'middle', nameGap: 24,
        axisLabel: {formatter: v => fmt(v, 2)}},
      yAxis: {type: 'log', name: yName, min: low, max: high, nameLocation: 'middle', nameGap: 50,
        axisLabel: {formatter: v => fmt(v, 2)}},
      series: series
    }, points.length);
  };
  theoryActivations.forEach((activation, i) => {
    scatter('theory-q-' + i, 'pre-activation variance per layer — ' + activation,
      data.theoryVariance.filter(r => r.activation === activation), 'predicted', 'measured', 'predicted q_l',
      'measured variance', r => r.grid_point + '<br>layer ' + r.layer + ': measured ' + fmt(r.measured) +
        ', predicted ' + fmt(r.predicted));
    scatter('theory-grad-' + i, 'gradient factor per layer against χ1 — ' + activation,
      data.theoryGradient.filter(r => r.activation === activation), 'chi1', 'measured', 'χ1',
      'measured factor (geometric mean)', r => r.grid_point + '<br>χ1 ' + fmt(r.chi1) + ', measured ' +
        fmt(r.measured) + ' over ' + r.n + ' layer rows');
  });

  // Comparison table.
  table('comparison', [
    {key: 'context', title: 'context'}, {key: 'scheme_a', title: 'scheme a'}, {key: 'scheme_b', title: 'scheme b'},
    {key: 'n_a', title: 'n a', format: v => String(v)}, {key: 'n_b', title: 'n b', format: v => String(v)},
    {key: 'mean_a', title: 'mean a'}, {key: 'mean_b', title: 'mean b'}, {key: 'mean_diff', title: 'a − b'},
    {key: 'ci_low', title: '95% CI', format: (v, r) => v === null ? '' : '[' + fmt(r.ci_low) + ', ' + fmt(r.ci_high) + ']'},
    {key: 'p_value', title: 'p', format: v => fmt(v, 4)}, {key: 'p_value_holm', title: 'p (Holm)', format: v => fmt(v, 4)},
    {key: 'rank_biserial', title: 'r', format: v => fmt(v, 2)},
    {key: 'significant', title: '', format: v => v ? '★' : ''}
  ], data.comparison, r => r.significant ? 'significant' : '');

  document.body.dataset.ready = 'true';
})();
