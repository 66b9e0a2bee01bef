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

  // Propagation at init, log scale, one line per scheme. An MLP: each hidden layer's activation variance. A
  // residual network: the residual stream's variance, from the stem's output (block 0) through the end of every
  // block, where initializations for residual networks differ most (doubling per block with plain He branches).
  const panelOf = r => (r.architecture === 'residual' ? 'residual' : 'mlp')
    + (r.normalization && r.normalization !== 'none' ? ' + ' + r.normalization + ' norm' : '')
    + ', ' + r.activation + ', depth ' + r.depth;
  const panels = [...new Set(data.propagation.map(panelOf))].sort();
  panels.forEach((panel, i) => {
    const div = chart('propagation', 'propagation-' + i, panel);
    const residual = panel.startsWith('residual');
    let withData = 0;
    const series = schemes.map(s => {
      const rows = data.propagation.filter(r => panelOf(r) === panel && r.scheme === s);
      const points = residual
        ? rows.filter(r => r.kind === 'dense' && r.layer === 0).map(r => [0, r.activation_var_mean])
          .concat(rows.filter(r => r.kind === 'residual_add').map(r => [r.block + 1, r.stream_var_mean]))
        : rows.filter(r => r.kind === 'dense' && !r.is_output).map(r => [r.layer, r.activation_var_mean]);
      const shown = points.filter(p => p[1] > 0).sort((a, b) => a[0] - b[0]);
      if (shown.length > 0) withData++;
      return {name: s, type: 'line', data: shown, lineStyle: {color: color(s)}, itemStyle: {color: color(s)},
        symbolSize: 4};
    });
    render(div, {
      title: {text: panel, textStyle: {fontSize: 12}},
      tooltip: {trigger: 'axis'},
      legend: {bottom: 0, type: 'scroll', data: schemes},
      grid: {left: 70, right: 16, top: 36, bottom: 56},
      xAxis: {type: 'value', name: residual ? 'block (0 = stem output)' : 'hidden layer', nameLocation: 'middle',
        nameGap: 22, minInterval: 1},
      yAxis: {type: 'log', name: residual ? 'residual stream variance' : 'activation variance', logBase: 10,
        nameLocation: 'middle', nameGap: 46,
        axisLabel: {formatter: v => (v >= 0.01 && v <= 1000 ? String(v) : v.toExponential(0))}},
      series: series
    }, withData);
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
