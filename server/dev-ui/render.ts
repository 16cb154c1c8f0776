// HTML for the built-in login and consent pages: one escaping template tag, so every interpolated value is
// escaped unless it is already markup built by the same tag, and one page frame with the styles. No script
// anywhere: the pages work with JavaScript disabled, and the Content-Security-Policy forbids it.

import { escapeHtml } from '../html.js';

/** Markup that is safe to insert as it is (built by `html`, or a constant). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function fragment(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(fragment).join('');
  return escapeHtml(String(value));
}

/** `html\`<p>${text}</p>\``: text is escaped, nested `html` fragments and arrays of them are not. */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += fragment(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/**
 * The colours of the pages, which a test checks against WCAG 2.2 SC 1.4.3 (text contrast at least 4.5:1).
 */
export const PALETTE = {
  text: '#1f2937',
  muted: '#4b5563',
  background: '#ffffff',
  panel: '#f9fafb',
  accent: '#1d4ed8',
  accentText: '#ffffff',
  error: '#991b1b',
  errorBackground: '#fef2f2',
} as const;

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:${PALETTE.text};background:${PALETTE.background}}
main{max-width:28rem;margin:3rem auto;padding:2rem;background:${PALETTE.panel};border:1px solid #d1d5db;border-radius:.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}
p.hint,span.hint{color:${PALETTE.muted};font-size:.875rem}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=email],input[type=password]{width:100%;padding:.5rem;font:inherit;color:${PALETTE.text};background:${PALETTE.background};border:1px solid #6b7280;border-radius:.25rem}
.check{display:flex;gap:.5rem;align-items:flex-start;margin:.75rem 0}
.check label{display:inline;margin:0}
.check input{flex:none;width:1.125rem;height:1.125rem;margin-top:.2rem}
fieldset{border:1px solid #d1d5db;border-radius:.25rem;margin:1rem 0;padding:.5rem 1rem}
legend{font-weight:600;padding:0 .25rem}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{font:inherit;font-weight:600;padding:.5rem 1.25rem;border-radius:.25rem;border:2px solid ${PALETTE.accent};cursor:pointer}
button.primary{background:${PALETTE.accent};color:${PALETTE.accentText}}
button.secondary{background:${PALETTE.background};color:${PALETTE.accent}}
a{color:${PALETTE.accent}}
:focus{outline:none}
:focus-visible{outline:3px solid ${PALETTE.accent};outline-offset:2px}
[role=alert]{color:${PALETTE.error};background:${PALETTE.errorBackground};border:1px solid ${PALETTE.error};border-radius:.25rem;padding:.5rem .75rem;margin:0 0 1rem}
.client{display:flex;gap:1rem;align-items:center;margin-bottom:1rem}
.client img{width:4rem;height:4rem;object-fit:contain}
ul.scopes{padding:0;margin:0;list-style:none}
`;

/** A whole document: language, viewport, title and the styles. */
export function page(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}

/**
 * Headers of every page: no script may run (the pages have none), no framing (a consent page inside someone
 * else's frame is a clickjacking target), and no Referer, which would carry the challenge to a client's logo
 * host. There is no form-action directive: Chromium applies it to the redirects after the submission, which
 * go to the client's redirect URI.
 */
export const PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
} as const;
