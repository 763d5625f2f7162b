/**
 * An independent GPT-2 reference in plain float64 TypeScript — no tfjs, no shared code with
 * model/gpt2.ts beyond the checkpoint's parameter names. It recomputes the whole sequence every
 * call (no cache), so the engine's cache and trace can be checked against it.
 */

export interface RefConfig {
  n_layer: number;
  n_head: number;
  n_embd: number;
  vocab_size: number;
  layer_norm_epsilon: number;
}

export interface RefParam {
  shape: number[];
  data: Float32Array;
}

export interface RefOutput {
  logits: Float64Array[]; // per position, length V
  attention: Float64Array[][][]; // [layer][head][query] → weights over keys 0..query
  residual: Float64Array[][]; // [layer][position] → stream after the block
  mlp: Float64Array[][]; // [layer][position] → GELU output (4C)
}

/** A causal experiment: heads whose output is zeroed, blocks that add nothing to the stream. */
export interface RefIntervention {
  heads?: [number, number][]; // [layer, head]
  skipBlocks?: number[];
}

type Vec = Float64Array;

function row(p: RefParam, r: number): Vec {
  const n = p.shape[1];
  return Float64Array.from(p.data.subarray(r * n, (r + 1) * n));
}

function layerNorm(x: Vec, g: RefParam, b: RefParam, eps: number): Vec {
  let mean = 0;
  for (const v of x) mean += v;
  mean /= x.length;
  let variance = 0;
  for (const v of x) variance += (v - mean) ** 2;
  variance /= x.length;
  const inv = 1 / Math.sqrt(variance + eps);
  return x.map((v, i) => (v - mean) * inv * g.data[i] + b.data[i]);
}

/** x (length in) times W stored [in, out] plus bias. */
function conv1d(x: Vec, w: RefParam, b: RefParam): Vec {
  const [nin, nout] = w.shape;
  const y = new Float64Array(nout);
  for (let o = 0; o < nout; o++) y[o] = b.data[o];
  for (let i = 0; i < nin; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const base = i * nout;
    for (let o = 0; o < nout; o++) y[o] += xi * w.data[base + o];
  }
  return y;
}

const geluTanh = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));

/** Full forward pass over `ids` in float64 (with `iv`: those heads' outputs zeroed, those blocks skipped). */
export function referenceForward(cfg: RefConfig, params: Map<string, RefParam>, ids: number[], iv: RefIntervention = {}): RefOutput {
  const P = (name: string) => {
    const p = params.get(name);
    if (!p) throw new Error(`reference: missing ${name}`);
    return p;
  };
  const C = cfg.n_embd;
  const H = cfg.n_head;
  const hd = C / H;
  const T = ids.length;
  let xs: Vec[] = ids.map((id, t) => {
    const te = row(P('wte.weight'), id);
    const pe = row(P('wpe.weight'), t);
    return te.map((v, i) => v + pe[i]);
  });
  const out: RefOutput = { logits: [], attention: [], residual: [], mlp: [] };
  for (let l = 0; l < cfg.n_layer; l++) {
    const pre = `h.${l}.`;
    const xIn = xs; // the stream entering the block
    const qkv = xs.map((x) => conv1d(layerNorm(x, P(pre + 'ln_1.weight'), P(pre + 'ln_1.bias'), cfg.layer_norm_epsilon), P(pre + 'attn.c_attn.weight'), P(pre + 'attn.c_attn.bias')));
    const attnOut: Vec[] = xs.map(() => new Float64Array(C));
    const layerAtt: Float64Array[][] = [];
    for (let h = 0; h < H; h++) {
      const headAtt: Float64Array[] = [];
      for (let i = 0; i < T; i++) {
        const s = new Float64Array(i + 1);
        for (let j = 0; j <= i; j++) {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += qkv[i][h * hd + d] * qkv[j][C + h * hd + d];
          s[j] = dot / Math.sqrt(hd);
        }
        const m = Math.max(...s);
        let z = 0;
        for (let j = 0; j <= i; j++) z += (s[j] = Math.exp(s[j] - m));
        for (let j = 0; j <= i; j++) s[j] /= z;
        headAtt.push(s);
        if (iv.heads?.some(([ml, mh]) => ml === l && mh === h)) continue; // switched off: this head adds zeros
        for (let j = 0; j <= i; j++) {
          for (let d = 0; d < hd; d++) attnOut[i][h * hd + d] += s[j] * qkv[j][2 * C + h * hd + d];
        }
      }
      layerAtt.push(headAtt);
    }
    out.attention.push(layerAtt);
    xs = xs.map((x, t) => {
      const a = conv1d(attnOut[t], P(pre + 'attn.c_proj.weight'), P(pre + 'attn.c_proj.bias'));
      return x.map((v, i) => v + a[i]);
    });
    const acts: Vec[] = [];
    xs = xs.map((x) => {
      const hmid = conv1d(layerNorm(x, P(pre + 'ln_2.weight'), P(pre + 'ln_2.bias'), cfg.layer_norm_epsilon), P(pre + 'mlp.c_fc.weight'), P(pre + 'mlp.c_fc.bias')).map(geluTanh);
      acts.push(hmid);
      const m = conv1d(hmid, P(pre + 'mlp.c_proj.weight'), P(pre + 'mlp.c_proj.bias'));
      return x.map((v, i) => v + m[i]);
    });
    out.mlp.push(acts);
    if (iv.skipBlocks?.includes(l)) xs = xIn; // skipped: the stream leaves the block as it came in
    out.residual.push(xs.map((x) => Float64Array.from(x)));
  }
  const wte = P('wte.weight');
  for (const x of xs) {
    const n = layerNorm(x, P('ln_f.weight'), P('ln_f.bias'), cfg.layer_norm_epsilon);
    const logits = new Float64Array(cfg.vocab_size);
    for (let v = 0; v < cfg.vocab_size; v++) {
      let dot = 0;
      for (let i = 0; i < C; i++) dot += n[i] * wte.data[v * C + i];
      logits[v] = dot;
    }
    out.logits.push(logits);
  }
  return out;
}
