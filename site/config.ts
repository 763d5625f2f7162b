/** Site-wide settings, each named in one place. */

/** The model every page loads by default (a folder in Hugging Face GPT-2 layout under public/). */
export const DEFAULT_MODEL = {
  name: 'random-tiny', // random weights with GPT-2's vocabulary, until the trained bundled model lands
  path: 'models/random-tiny/', // relative to the site's base URL
};

/** Where the site serves the tfjs wasm binaries (copied by scripts/prepare-public.mjs). */
export const WASM_PATH = 'tfjs/';
