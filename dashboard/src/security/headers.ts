import { NONCE, secureHeaders } from 'hono/secure-headers';

/**
 * The usual hardening headers, and a Content-Security-Policy under which the browser runs only
 * what this response names: scripts and the `<style>` block carry the response's nonce, bundled
 * modules come from our own `/assets/`. No inline event handlers, plugins, `<base>` tricks,
 * framing, or forms posting elsewhere.
 */
export function dashboardSecureHeaders() {
  return secureHeaders({
    referrerPolicy: 'same-origin',
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", NONCE],
      styleSrc: ["'self'", NONCE],
      // No `style-src-attr` exception: ECharts' server SVG carries no style attributes (its
      // `<style>` is stripped in charts/svg.ts) and our markup uses classes and SVG attributes.
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
  });
}
