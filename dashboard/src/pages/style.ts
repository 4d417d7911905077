/** The dashboard's one stylesheet, sent in the layout's `<style>` (with the page's CSP nonce). */

/**
 * Phones (360–390 px): nothing scrolls sideways. The header takes the whole width with its links
 * one under another; each table row becomes a card whose cells carry their column's name from
 * `data-label` (set by the table renderers from their header text), since the header row is
 * hidden. The label floats in a flow-root cell, so a long label lengthens its card instead of
 * overlapping the next cell.
 */
const PHONE = `@media (max-width:600px){
main{padding:.75rem}
header{padding:.5rem .75rem;gap:0 .75rem}header h1{flex:1 0 100%}
header form{display:flex;align-items:center;gap:.5rem;flex-wrap:wrap}header form.search{flex:1 0 100%}header form.search input{flex:1;min-width:0}
nav.period form,nav.period form label{display:flex;flex-wrap:wrap;gap:.25rem .5rem;margin:.25rem 0}
table,thead,tbody,tr,th,td{display:block;width:auto}
thead tr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
tr{border:1px solid var(--line);border-radius:.4rem;margin:0 0 .75rem;padding:.25rem .5rem}
td{border:0;padding:.3rem 0;min-height:1.8rem}td.num{text-align:left}
td[data-label]{display:flow-root}
td[data-label]::before{content:attr(data-label);float:left;width:42%;margin-right:.5rem;font-weight:600;color:var(--muted);overflow-wrap:anywhere}
td.num small{white-space:normal}
svg.bar{min-width:0}
}`;

/**
 * Paper for the monthly meeting: the page title, the unit and the period with its dates stay;
 * navigation, forms and live markers go; rows are never split across pages; black on white.
 */
const PRINT = `@media print{
:root{--fg:#000;--bg:#fff;--muted:#000;--ok:#000;--bad:#000;--accent:#000}
body{color:#000;background:#fff;font-size:11pt}
header{background:none;color:#000;padding:0 0 .4rem;border-bottom:2px solid #000}
header a,header form,nav,form,.live-dot,button{display:none!important}
main{max-width:none;padding:.5rem 0}
a{color:#000;text-decoration:none}th{background:none;border-bottom:1px solid #000}
thead{display:table-header-group}tr,th,td{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid}.period-label{font-size:12pt}
svg.bar rect{print-color-adjust:exact;-webkit-print-color-adjust:exact}
tr.fresh{animation:none}
figure.chart{break-inside:avoid}svg.chart{max-width:100%}
}`;

export const STYLE = `
:root{--fg:#111;--bg:#fff;--muted:#555;--ok:#0a6b2d;--bad:#b00020;--line:#ccc;--accent:#003d99}
*{box-sizing:border-box}body{font:16px/1.45 system-ui,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{background:var(--accent);color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header h1{font-size:1.15rem;margin:0 auto 0 0}
main{padding:1rem;max-width:1200px;margin:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:var(--bad);font-weight:600}.ok{color:var(--ok)}.muted{color:var(--muted)}
.good{color:var(--ok);font-weight:600}.too-few{color:#888}.too-few small{font-style:italic}td.num small{display:block;color:var(--muted);font-weight:400;white-space:nowrap}
dl dt{font-weight:600;margin-top:.4rem}
svg.bar{display:block;width:100%;height:1rem;min-width:8rem;border:1px solid var(--line)}
header form.account{margin:0}.wide{width:100%}.narrow{max-width:22rem}.big{font-size:1.1rem}button.big{padding:.5rem 1.4rem}
.lead{font-size:1.3rem}.choice{margin-right:1.5rem}
nav.period a{margin-right:.75rem}nav.period form{display:inline-flex;flex-wrap:wrap;gap:.5rem;margin:.25rem 0 0 .5rem}.note{color:var(--muted);font-size:.9rem}
.badge{display:inline-block;min-width:1.4rem;padding:0 .4rem;margin-left:.3rem;border-radius:.7rem;background:#ffd43b;color:#111;font-weight:700;text-align:center}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.live-dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;background:#2ecc40;margin-right:.3rem}
tr.fresh{animation:fresh 2s ease-out}@keyframes fresh{from{background:#fff6bf}to{background:transparent}}
td,.who,h2 small{overflow-wrap:anywhere}
nav.filters{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.5rem 0}nav.filters a[aria-current]{font-weight:700;text-decoration:none}
header a,header button,nav.period a,nav.filters a,main form button,main form input,main form select{min-height:44px}
figure.chart{margin:.75rem 0 1.25rem;min-width:0}figure.chart figcaption{font-weight:600}
svg.chart{display:block;width:100%;height:auto;max-width:720px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:0 1.5rem}
header a,nav.period a{display:inline-flex;align-items:center;padding:0 .25rem}
header button,main form button,main form input,main form select{font:inherit;padding:.4rem .75rem;max-width:100%}
.field{font-size:1rem;min-width:min(20rem,100%)}b.reference{font-size:1.5rem}
textarea.code{font-family:monospace}.buttons{display:flex;gap:.5rem;flex-wrap:wrap}.buttons form{margin:0}
details.confirm summary{cursor:pointer;min-height:44px;display:flex;align-items:center}details.confirm form{margin:.25rem 0 0}
button.danger{color:#fff;background:var(--bad);border:0;border-radius:.25rem}
${PHONE}
${PRINT}
`;
