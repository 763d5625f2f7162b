// `npm run preview`: serve the built dist/ on http://127.0.0.1:4321 with the site's headers and
// content types, the same server the e2e tests drive (bench/harness.ts). `astro preview` cannot
// be given a content type per file (it serves .safetensors with an empty one), so this replaces
// it. TOKENCLOCK_CONNECT="https://mirror.example …" adds Hub mirror hosts to the CSP's connect-src.
import { startPreview } from './harness.ts';

const port = Number(process.env.PORT ?? 4321);
const connect = (process.env.TOKENCLOCK_CONNECT ?? '').split(/\s+/).filter(Boolean);
const { url } = await startPreview(undefined, { port, connect });
console.log(`Token Clock preview: ${url}/ (Ctrl-C to stop)`);
