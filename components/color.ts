/**
 * Colours shared by the charts. All are safe for the common colour-vision deficiencies (blue
 * against orange, never red against green) and keep ≥ 3:1 contrast on white and on near-black, so
 * charts read on light and dark pages. Text and axes use `currentColor` instead.
 */
import { interpolateCividis, interpolateRgbBasis } from 'd3';

export const BLUE = '#2b6cb0'; // the main mark (bars, forward pass)
export const ORANGE = '#d95f02'; // the chosen one, or the second series (sampling)
export const GREY_OPACITY = 0.3; // filtered-out or "other" marks: currentColor at this opacity

/** Sequential, for values in [0, 1] such as attention weights: dark blue → yellow. */
export const sequential: (t: number) => string = interpolateCividis;

/**
 * Diverging, for signed values mapped to [0, 1] with 0.5 meaning zero: blue (negative) → light
 * grey → orange (positive). The ends are ColorBrewer's RdBu blues and PuOr oranges.
 */
export const diverging: (t: number) => string = interpolateRgbBasis([
  '#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fee0b6', '#fdb863', '#e08214', '#b35806',
]);
