/**
 * Charts with Apache ECharts (its ES module build, served from node_modules under /vendor/ and
 * imported on first use, after the page's first paint). Each chart sits in a labelled figure;
 * ECharts' aria option adds a text description, and every page shows the same figures in a table.
 */
import { h } from './dom.js';
import { formatMoney, formatMoneyShort } from './format.js';

let loading;
const echartsModule = () => {
  loading ??= import('/vendor/echarts.mjs');
  return loading;
};

/** Colour-blind-safe series colours (Okabe–Ito, darkened where contrast needed it). */
export const PALETTE = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#8a7a00',
  '#444444',
  '#882255',
  '#117733',
];

/** A figure that draws `option` once ECharts has loaded; `label` describes it for screen readers. */
export function chart(label, option, { height = 320 } = {}) {
  const canvas = h('div', { class: 'chart', role: 'img', 'aria-label': label });
  canvas.style.height = `${height}px`;
  const figure = h(
    'figure',
    { class: 'chart-figure' },
    canvas,
    h('figcaption', { class: 'visually-hidden' }, label),
  );
  echartsModule().then((echarts) => {
    const instance = echarts.init(canvas, null, { renderer: 'svg' });
    instance.setOption({
      color: PALETTE,
      aria: { enabled: true },
      animation: false,
      textStyle: { fontFamily: 'system-ui, sans-serif', color: '#1b1b1b' },
      ...option,
    });
    new ResizeObserver(() => instance.resize()).observe(canvas);
  });
  return figure;
}

/** Money axis and tooltip, exact in the tooltip (values passed as decimal strings). */
export const moneyAxis = { type: 'value', axisLabel: { formatter: (v) => formatMoneyShort(v) } };
export const moneyTooltip = {
  trigger: 'axis',
  valueFormatter: (v) => (v === undefined || v === null ? '–' : formatMoney(String(v))),
};
