/** Site-wide settings, each named in one place. */
import { BUNDLED_MODEL } from '../model/bundled-model.ts';

/** The model every page loads by default: the bundled one, a Hugging Face GPT-2 folder under public/. */
export const DEFAULT_MODEL = {
  name: BUNDLED_MODEL,
  path: `models/${BUNDLED_MODEL}/`, // relative to the site's base URL
};

/** Where the site serves the tfjs wasm binaries (copied by scripts/prepare-public.mjs). */
export const WASM_PATH = 'tfjs/';
