import { createHash } from "node:crypto";
import type { Locale } from "../../i18n/index.ts";
import { t } from "../../i18n/index.ts";
import type { HttpRequest, HttpResponse } from "../routes.ts";

/**
 * The building blocks of the bot's public pages: escaping (every text on them was typed by a
 * creator or a fan, and is hostile until escaped), the page shell (one inline style sheet, no
 * script, readable on a phone), the reader's language, and the headers every page carries.
 */

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Text or attribute value, escaped for HTML. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A creator's multi-line text: paragraphs on blank lines, line breaks kept, everything escaped. */
export function paragraphs(text: string, className?: string): string {
  const cls = className ? ` class="${esc(className)}"` : "";
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p${cls}>${p.split("\n").map(esc).join("<br>")}</p>`)
    .join("");
}

/**
 * The reader's language: `?lang=fr|en` first (the switch link), then the first of French or English
 * in Accept-Language by preference, English otherwise.
 */
export function pageLocale(req: Pick<HttpRequest, "query" | "headers">): { locale: Locale; chosen: boolean } {
  const asked = req.query.get("lang");
  if (asked === "fr" || asked === "en") return { locale: asked, chosen: true };
  const header = req.headers["accept-language"];
  const ranges = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.tag && r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranges) {
    if (r.tag === "fr" || r.tag.startsWith("fr-")) return { locale: "fr", chosen: false };
    if (r.tag === "en" || r.tag.startsWith("en-")) return { locale: "en", chosen: false };
  }
  return { locale: "en", chosen: false };
}

export const otherLocale = (locale: Locale): Locale => (locale === "fr" ? "en" : "fr");

const STYLE = `
:root{color-scheme:light;--ink:#1f2328;--soft:#4a5260;--line:#d0d7de;--bg:#fff;--card:#f6f8fa;--discord:#4752c4;--telegram:#0b6aa2;--focus:#bf4b00}
*{box-sizing:border-box}
body{margin:0;overflow-wrap:anywhere;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:1.05rem;line-height:1.55;color:var(--ink);background:var(--bg)}
.wrap{max-width:46rem;margin:0 auto;padding:1rem 1.1rem 2.5rem}
header.top{display:flex;justify-content:flex-end}
header.top a{color:var(--soft)}
.hero{display:flex;gap:1rem;align-items:center;margin:.5rem 0 1rem}
.hero img{width:88px;height:88px;border-radius:50%;object-fit:cover;flex:none;background:var(--card)}
h1{font-size:1.7rem;line-height:1.2;margin:.2rem 0}
h2{font-size:1.25rem;margin:1.8rem 0 .6rem}
h3{font-size:1.2rem;margin:0 0 .2rem}
.pitch{color:var(--soft)}
.tiers{list-style:none;padding:0;margin:0;display:grid;gap:1rem}
.tier{border:1px solid var(--line);border-radius:12px;padding:1rem 1.1rem;background:var(--card)}
.price{font-size:1.2rem;font-weight:700;margin:.1rem 0}
.muted{color:var(--soft);margin:.2rem 0}
.opens{margin:.4rem 0 .6rem;padding-left:1.2rem}
.places{margin:.1rem 0 .2rem;padding-left:1rem;list-style:none;color:var(--soft)}
.join{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:.8rem}
.btn{display:inline-block;padding:.7rem 1.1rem;border-radius:8px;color:#fff;text-decoration:none;font-weight:600;min-height:44px}
.btn.discord{background:var(--discord)}
.btn.telegram{background:var(--telegram)}
.btn.plain{background:#1f2328}
a:focus-visible,.btn:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
progress{width:100%;height:1rem}
.goal{margin:1rem 0}
footer{margin-top:2rem;color:var(--soft);font-size:.92rem}
@media (min-width:48rem){.hero img{width:112px;height:112px}h1{font-size:2rem}}
`;

/** A whole page. `title` and `body` are already escaped HTML. */
export function shell(opts: {
  locale: Locale;
  title: string;
  body: string;
  /** The path the language switch points to (with ?lang=<other>); none: no switch. */
  switchPath?: string;
}): string {
  const other = otherLocale(opts.locale);
  const sw = opts.switchPath
    ? `<header class="top"><a href="${esc(withLang(opts.switchPath, other))}" lang="${other}" hreflang="${other}" aria-label="${esc(t(other, "web.lang.read_in"))}">${esc(t(other, "web.lang.name"))}</a></header>`
    : "";
  return `<!doctype html>
<html lang="${opts.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${opts.title}</title><style>${STYLE}</style></head>
<body><div class="wrap">${sw}<main>${opts.body}</main><footer><p>${esc(t(opts.locale, "web.page.footer"))}</p></footer></div></body></html>`;
}

/** `path` with `lang=<locale>` in its query (replacing any). */
export function withLang(path: string, locale: Locale): string {
  const url = new URL(path, "http://x");
  url.searchParams.set("lang", locale);
  return `${url.pathname}${url.search}`;
}

/** What every page says about itself: no framing, no script, images only over https. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; img-src https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * A page anyone may cache for a minute (a link in a video description brings everyone at once),
 * with an ETag so a reload costs a 304; varies with the language asked.
 */
export function cachedPage(req: Pick<HttpRequest, "headers">, status: number, html: string): HttpResponse {
  const etag = `"${createHash("sha256").update(html).digest("base64url").slice(0, 27)}"`;
  const headers = {
    ...PAGE_HEADERS,
    "cache-control": "public, max-age=60",
    vary: "Accept-Language",
    etag,
  };
  const match = req.headers["if-none-match"];
  if (status === 200 && match && match.split(",").some((m) => m.trim().replace(/^W\//, "") === etag))
    return { status: 304, headers };
  return { status, body: html, headers };
}

/** A page that must not be stored (it depends on a sign-in, a payment, a refusal). */
export function privatePage(status: number, html: string, extra: Record<string, string> = {}): HttpResponse {
  return { status, body: html, headers: { ...PAGE_HEADERS, "cache-control": "no-store", ...extra } };
}
