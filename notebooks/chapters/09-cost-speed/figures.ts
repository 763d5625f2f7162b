/**
 * Chapter 9's figures, built from data.ts: the 2N equation with this model's numbers, the bytes
 * of weights a token reads, each decode tick's cost charted, the reader's speed against the
 * device's peak, and this model against GPT-2 124M.
 */
import { CostChart, CostChartTable } from '../../../components/cost-chart.ts';
import { table } from '../../../components/dom.ts';
import { formatBytes, formatCount, formatDecimal, formatFlops, formatInteger, formatMs, formatRate } from '../../../components/format.ts';
import { chartWithTable, h, note } from '../../dom.ts';
import type { ModelInfo, PeakResult, TickSummary } from '../../../engine/protocol.ts';
import { renderTex } from '../../tex.ts';
import { compare, costCaption, costTerms, costTicks, deviceLimits, GPT2_124M, measuredSpeed, modelName, verdict, weightBytesPerToken, type CostTerms } from './data.ts';
import { ui } from './strings.ts';

const int = (n: number) => formatInteger(n).replace(/\B(?=(\d{3})+(?!\d))/g, '{,}');

/** N from the parameter count, then 2N + 2CV, then the engine's exact count for this tick. */
export function costTex(t: CostTerms): string[] {
  return [
    String.raw`N = N_\text{all} - (V + n_\text{ctx})\,C = ${int(t.all)} - (${int(t.V)} + ${int(t.positions)}) \cdot ${t.C} = ${int(t.N)}`,
    String.raw`F_\text{token} \approx 2N + 2\,C\,V = 2 \cdot ${int(t.N)} + 2 \cdot ${t.C} \cdot ${int(t.V)} = ${int(t.approx)}`,
    String.raw`F(n{=}1,\ P{=}${int(t.P)}) = ${int(t.exact)} \quad (${ui('ch9.tex.exact')})`,
  ];
}

/** The 2N equation with this model's numbers, for the next decode tick, then in words. */
export function cost(ticks: TickSummary[], model: ModelInfo): HTMLElement {
  const last = ticks.at(-1);
  const P = last ? last.position + last.fed : 0; // the next decode tick's cached positions
  const t = costTerms(model.config, P);
  const el = h('div', {
    class: 'live-equation',
    'data-params': t.all, 'data-embeddings': t.embeddings, 'data-n': t.N, 'data-approx': t.approx, 'data-exact': t.exact, 'data-cached': t.P,
  });
  for (const line of costTex(t)) el.append(renderTex(line));
  el.append(h('p', { class: 'equation-words' }, ui('ch9.cost.words', {
    all: formatInteger(t.all), embeddings: formatInteger(t.embeddings), n: formatCount(t.N), twoN: formatFlops(t.twoN), head: formatFlops(t.head),
    cached: formatInteger(P), exact: formatFlops(t.exact), ratio: formatDecimal(t.exact / t.approx, 3),
  })));
  return el;
}

/** The bytes of weights one decode tick reads, part by part. */
export function bytes(model: ModelInfo): HTMLElement {
  const cfg = model.config;
  const t = costTerms(cfg);
  const total = weightBytesPerToken(cfg);
  const el = table(ui('ch9.bytes.caption'),
    [ui('ch9.bytes.part'), ui('ch9.bytes.numbers'), ui('ch9.bytes.bytes')],
    [
      [ui('ch9.bytes.blocks'), formatInteger(t.N), formatBytes(4 * t.N)],
      [ui('ch9.bytes.wte'), formatInteger(t.V * t.C), formatBytes(4 * t.V * t.C)],
      [ui('ch9.bytes.wpe'), formatInteger(t.C), formatBytes(4 * t.C)],
      [ui('ch9.bytes.total'), formatInteger(total / 4), formatBytes(total)],
    ]);
  return h('div', { class: 'weight-bytes', 'data-bytes': total },
    el,
    h('p', {}, ui('ch9.bytes.words', { flops: formatFlops(t.exact), bytes: formatBytes(total), ratio: formatDecimal(t.exact / total, 2) })));
}

/** Each of the latest decode ticks' forward time over this device's floors (once measured), with a caption from their own numbers. */
export function costs(ticks: TickSummary[], model: ModelInfo, width: number, peak: PeakResult | null = null): HTMLElement {
  const decode = ticks.filter((t) => t.kind === 'decode').length;
  if (decode === 0) return note(ui('ch9.costs.empty'));
  const device = deviceLimits(peak);
  const data = { ticks: costTicks(ticks, model.config), device };
  const caption = costCaption(data.ticks, decode, model.backend.name, device);
  const el = chartWithTable(CostChart(data, { width }),
    CostChartTable(data, { caption: ui('ch9.costs.tableCaption', { n: data.ticks.length }) }));
  el.prepend(...caption.map((text) => h('p', { class: 'cell-caption' }, text)));
  el.classList.add('costs');
  el.dataset.ticks = String(data.ticks.length);
  el.dataset.indices = data.ticks.map((t) => t.index).join(' ');
  if (device) {
    const v = verdict(data.ticks, device);
    Object.assign(el.dataset, { verdict: v.verdict, gbps: String(device.gbps), gflops: String(device.gflops), readingMs: String(v.reading), arithmeticMs: String(v.arithmetic) });
  }
  return el;
}

/** The reader's measured speed, in tokens, FLOPs and bytes a second, against the device's peak and bandwidth once measured. */
export function speed(ticks: TickSummary[], model: ModelInfo, peak: PeakResult | null): HTMLElement {
  const s = measuredSpeed(ticks, model.config);
  if (!s) return note(ui('ch9.speed.empty'));
  const weights = weightBytesPerToken(model.config);
  const rows = [
    [ui('ch9.speed.tokens'), formatRate(s.tokensPerSecond), ui('ch9.speed.tokensHow', { n: s.ticks, ms: formatMs(s.msPerToken) })],
    [ui('ch9.speed.arithmetic'), `${formatDecimal(s.gflops, 3)} GFLOP/s`, ui('ch9.speed.arithmeticHow')],
    [ui('ch9.speed.weights'), `${formatDecimal(s.bytesPerSecond / 1e9, 2)} GB/s`, ui('ch9.speed.weightsHow', { bytes: formatBytes(weights) })],
  ];
  const stream = peak ? peak.weights ?? peak.memory : null;
  if (peak && stream) {
    rows.push([ui('ch9.speed.peak'), `${formatDecimal(peak.gflops, 1)} GFLOP/s`, ui('ch9.speed.peakHow', { n: peak.n, backend: peak.backend })]);
    rows.push([ui('ch9.speed.share'), `${formatDecimal((100 * s.gflops) / peak.gflops, 1)}%`, ui('ch9.speed.shareHow')]);
    rows.push([ui('ch9.speed.bandwidth'), `${formatDecimal(stream.gbps, 1)} GB/s`, ui(stream.threads === 1 ? 'ch9.speed.bandwidthHow.one' : 'ch9.speed.bandwidthHow.other', { bytes: formatBytes(stream.bytes), threads: stream.threads })]);
    rows.push([ui('ch9.speed.bandwidthShare'), `${formatDecimal((100 * s.bytesPerSecond) / (stream.gbps * 1e9), 1)}%`, ui('ch9.speed.bandwidthShareHow')]);
    if (peak.weights && peak.weights.bytes !== peak.memory.bytes) {
      rows.push([ui('ch9.speed.memory'), `${formatDecimal(peak.memory.gbps, 1)} GB/s`, ui('ch9.speed.memoryHow', { bytes: formatBytes(peak.memory.bytes) })]);
    }
  }
  return h('div', {
    class: 'speed', 'data-ticks': s.ticks, 'data-ms-per-token': s.msPerToken, 'data-flops': s.flops,
    'data-tokens-per-second': s.tokensPerSecond, 'data-gflops': s.gflops,
    ...(peak ? { 'data-peak-gflops': peak.gflops, 'data-gbps': stream!.gbps, 'data-memory-gbps': peak.memory.gbps } : {}),
  },
  table(ui('ch9.speed.caption', { backend: model.backend.name }), [ui('ch9.speed.quantity'), ui('ch9.speed.value'), ui('ch9.speed.how')], rows),
  peak ? null : note(ui('ch9.speed.press')));
}

/**
 * This model against GPT-2 124M, per token. Time per token: this model's is measured; 124M's is
 * bounded from below by reading its weights at this device's measured main-memory bandwidth (no
 * estimate from arithmetic: a decode tick is not limited by it).
 */
export function gpt2(ticks: TickSummary[], model: ModelInfo, peak: PeakResult | null = null): HTMLElement {
  const k = compare(model.config);
  const s = measuredSpeed(ticks, model.config);
  const rows = [
    [ui('ch9.gpt2.shape'), modelName(model.config), modelName(GPT2_124M)],
    [ui('ch9.gpt2.context'), formatInteger(model.config.n_positions), formatInteger(GPT2_124M.n_positions)],
    [ui('ch9.gpt2.params'), formatCount(k.small.all), formatCount(k.big.all)],
    [ui('ch9.gpt2.n'), formatCount(k.small.N), formatCount(k.big.N)],
    [ui('ch9.gpt2.flops'), formatFlops(k.small.exact), formatFlops(k.big.exact)],
    [ui('ch9.gpt2.bytes'), formatBytes(k.smallBytes), formatBytes(k.bigBytes)],
  ];
  const bigFloor = peak ? (k.bigBytes / (peak.memory.gbps * 1e9)) * 1000 : null;
  if (s || bigFloor !== null) {
    rows.push([ui('ch9.gpt2.time'),
      s ? ui('ch9.gpt2.measured', { ms: formatMs(s.msPerToken) }) : '—',
      bigFloor !== null ? ui('ch9.gpt2.floor', { ms: formatMs(bigFloor), gbps: formatDecimal(peak!.memory.gbps, 1) }) : ui('ch9.gpt2.measureFirst')]);
  }
  return h('div', {
    class: 'compare', 'data-ratio': k.ratio, 'data-big-flops': k.big.exact, 'data-small-flops': k.small.exact,
    ...(bigFloor !== null ? { 'data-big-floor-ms': bigFloor } : {}),
  },
  table(ui('ch9.gpt2.caption'), [ui('ch9.gpt2.quantity'), ui('ch9.gpt2.this'), ui('ch9.gpt2.big')], rows),
  h('p', {}, ui('ch9.gpt2.words', { ratio: formatDecimal(k.ratio, 1), bytes: formatDecimal(k.bigBytes / k.smallBytes, 1) })));
}
