import type { JoinDoors, PageTier, TribePage } from "../../app/tribePage.ts";
import type { UseCases } from "../../app/useCases.ts";
import type { Clock } from "../../app/worker.ts";
import { type Locale, savingText, t } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import type { HttpRequest, HttpResponse, Route } from "../routes.ts";
import type { AddressLimiter } from "./addressLimiter.ts";
import { cachedPage, esc, pageLocale, paragraphs, privatePage, shell, withLang } from "./html.ts";

/**
 * The tribe's public page (`/`) and a page per tier (`/t/<tier>`): who the creator is, what each
 * tier costs and opens, and the ways to join. Server-rendered, no script, cached a minute.
 */
export interface TribePageDeps {
  app: Pick<UseCases, "readTribePage" | "tierOnSale">;
  clock: Clock;
  log: Logger;
  doors: JoinDoors;
  limiter: AddressLimiter;
}

export function tribePageRoutes(deps: TribePageDeps): Route[] {
  return [
    { method: "GET", path: "/", handler: (req) => guarded(deps, req, () => home(deps, req)) },
    { method: "GET", path: "/t/:tier", handler: (req) => guarded(deps, req, () => tierPage(deps, req)) },
  ];
}

/** The page's rate limit per address, then the page. */
export async function guarded(
  deps: Pick<TribePageDeps, "limiter" | "clock" | "log">,
  req: HttpRequest,
  page: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const taken = deps.limiter.take(req.remoteAddress, deps.clock.now());
  if (taken.allowed) return page();
  deps.log.warn(
    {
      event: "page.rate_limited",
      path: req.path,
      address: req.remoteAddress,
      retryAfterSeconds: taken.retryAfterSeconds,
    },
    "a page refused an address going too fast",
  );
  const { locale } = pageLocale(req);
  const body = `<h1>${esc(t(locale, "web.rate_limited.title"))}</h1><p>${esc(t(locale, "web.rate_limited", { seconds: taken.retryAfterSeconds }))}</p>`;
  return privatePage(429, shell({ locale, title: esc(t(locale, "web.rate_limited.title")), body }), {
    "retry-after": String(taken.retryAfterSeconds),
  });
}

async function home(deps: TribePageDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  const page = await deps.app.readTribePage(deps.clock.now());
  return cachedPage(req, 200, renderTribePage(page, { locale, doors: deps.doors, path: "/" }));
}

async function tierPage(deps: TribePageDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  const slug = req.params.tier ?? "";
  const [page, sale] = await Promise.all([
    deps.app.readTribePage(deps.clock.now()),
    deps.app.tierOnSale(slug),
  ]);
  const tier = sale.found ? page.tiers.find((x) => x.id === sale.tierId) : undefined;
  if (!tier) {
    const reason = sale.found ? "not_for_sale" : sale.reason;
    return cachedPage(
      req,
      404,
      renderNotForSale(page, { locale, doors: deps.doors, reason, path: req.path }),
    );
  }
  return cachedPage(
    req,
    200,
    renderTribePage(page, { locale, doors: deps.doors, path: req.path, only: tier }),
  );
}

interface RenderOpts {
  locale: Locale;
  doors: JoinDoors;
  /** The page's own path (the language switch points back to it). */
  path: string;
}

function heroOf(page: TribePage, locale: Locale): { name: string; html: string } {
  const name = page.profile.name || t(locale, "web.page.default_name");
  const picture = page.profile.pictureUrl.startsWith("https://")
    ? `<img src="${esc(page.profile.pictureUrl)}" alt="${esc(t(locale, "web.page.picture_alt", { name }))}" width="112" height="112">`
    : "";
  return {
    name,
    html: `<div class="hero">${picture}<div><h1>${esc(name)}</h1></div></div>${paragraphs(page.profile.pitch, "pitch")}`,
  };
}

function goalHtml(page: TribePage, locale: Locale): string {
  if (!page.goal) return "";
  const { members, goal, progress } = page.goal;
  const percent = Math.round(progress * 1000) / 10;
  return `<section class="goal" aria-labelledby="goal-h"><h2 id="goal-h">${esc(t(locale, "web.goal.label"))}</h2><progress max="${goal}" value="${Math.min(members, goal)}" aria-labelledby="goal-h goal-t"></progress><p id="goal-t" class="muted">${esc(t(locale, "web.goal", { members, goal, percent }))}</p></section>`;
}

/** The join links of one tier, as the attached platforms allow. */
export function joinHtml(
  tier: Pick<PageTier, "slug" | "name" | "platforms">,
  page: TribePage,
  opts: RenderOpts,
): string {
  const { locale, doors } = opts;
  // A door per platform the tier opens something on (a tier that opens no chat: every door).
  const opens = (p: PageTier["platforms"][number]) =>
    tier.platforms.length === 0 || tier.platforms.includes(p);
  const items: string[] = [];
  if (doors.discord && opens("discord")) {
    if (doors.discordSignIn) {
      const href = `/join/discord?tier=${encodeURIComponent(tier.slug)}&lang=${locale}`;
      items.push(`<a class="btn discord" href="${esc(href)}">${esc(t(locale, "web.join.discord"))}</a>`);
    } else if (page.profile.discordInvite) {
      items.push(
        `<a class="btn discord" href="${esc(page.profile.discordInvite)}" rel="noopener">${esc(t(locale, "web.join.discord_invite"))}</a>`,
      );
    } else {
      items.push(`<p class="muted">${esc(t(locale, "web.join.discord_command"))}</p>`);
    }
  }
  const telegram = opens("telegram") ? doors.telegramLink(tier.slug) : null;
  if (telegram) {
    items.push(
      `<a class="btn telegram" href="${esc(telegram)}" rel="noopener">${esc(t(locale, "web.join.telegram"))}</a>`,
    );
  }
  return `<div class="join" role="group" aria-label="${esc(t(locale, "web.tier.join_label", { name: tier.name }))}">${items.join("")}</div>`;
}

/** The channels a role opens, as the server names them; a long list ends with how many more. */
const PLACES_SHOWN = 8;
function placesHtml(places: readonly string[], locale: Locale): string {
  if (places.length === 0) return "";
  const shown = places.length > PLACES_SHOWN ? places.slice(0, PLACES_SHOWN - 1) : places;
  const more = places.length - shown.length;
  const items = shown.map((name) => `<li>#${esc(name)}</li>`);
  if (more > 0) items.push(`<li>${esc(t(locale, "web.tier.more_places", { count: more }))}</li>`);
  return `<ul class="places">${items.join("")}</ul>`;
}

function tierHtml(tier: PageTier, page: TribePage, opts: RenderOpts, heading: "h2" | "h3"): string {
  const { locale } = opts;
  const lifetime = tier.offers.find((o) => o.kind === "lifetime");
  const lines = [
    `<${heading}><a href="${esc(withLang(`/t/${encodeURIComponent(tier.slug)}`, locale))}">${esc(tier.name)}</a></${heading}>`,
    // Monthly and yearly side by side, the yearly price with what it saves against 12 months.
    ...tier.offers.flatMap((o) => {
      if (o.kind === "lifetime") return [];
      const price = t(locale, "web.price", { amount: o.amount, currency: o.currency, interval: o.kind });
      const text = o.saving
        ? t(locale, "offer.with_saving", { price, saving: savingText(locale, o.saving) })
        : price;
      return [`<p class="price">${esc(text)}</p>`];
    }),
    ...(tier.trialDays > 0
      ? [`<p class="muted">${esc(t(locale, "web.tier.trial", { days: tier.trialDays }))}</p>`]
      : []),
    ...(lifetime
      ? [
          `<p class="muted">${esc(t(locale, "web.price.lifetime", { amount: lifetime.amount, currency: lifetime.currency }))}</p>`,
        ]
      : []),
    paragraphs(tier.description),
    ...(tier.opens.length
      ? [
          `<p class="muted">${esc(t(locale, "web.tier.opens"))}</p><ul class="opens">${tier.opens
            .map(
              (o) =>
                `<li>${esc(t(locale, "web.tier.opens_item", { label: o.label, platform: o.platform }))}${placesHtml(o.places, locale)}</li>`,
            )
            .join("")}</ul>`,
        ]
      : []),
    joinHtml(tier, page, opts),
  ];
  return `<li class="tier">${lines.join("")}</li>`;
}

export function tierListHtml(page: TribePage, opts: RenderOpts, heading: "h2" | "h3" = "h3"): string {
  if (page.tiers.length === 0) return `<p>${esc(t(opts.locale, "web.page.none"))}</p>`;
  return `<ul class="tiers">${page.tiers.map((x) => tierHtml(x, page, opts, heading)).join("")}</ul>`;
}

export function renderTribePage(page: TribePage, opts: RenderOpts & { only?: PageTier }): string {
  const { locale } = opts;
  const hero = heroOf(page, locale);
  const tiers = opts.only
    ? `<ul class="tiers">${tierHtml(opts.only, page, opts, "h2")}</ul><p><a href="${esc(withLang("/", locale))}">${esc(t(locale, "web.page.all_tiers"))}</a></p>`
    : `<h2>${esc(t(locale, "web.page.tiers"))}</h2>${tierListHtml(page, opts)}`;
  const title = opts.only
    ? `${opts.only.name} · ${hero.name}`
    : t(locale, "web.page.title", { name: hero.name });
  return shell({
    locale,
    title: esc(title),
    switchPath: opts.path,
    body: `${hero.html}${goalHtml(page, locale)}${tiers}<p class="roadmap-link"><a href="${esc(withLang("/roadmap", locale))}">${esc(t(locale, "web.roadmap.link"))}</a></p>`,
  });
}

export function renderNotForSale(
  page: TribePage,
  opts: RenderOpts & { reason: "unknown" | "archived" | "not_for_sale" },
): string {
  const { locale } = opts;
  const why = t(locale, opts.reason === "unknown" ? "web.notfound.unknown" : "web.notfound.archived");
  const body = `<h1>${esc(t(locale, "web.notfound.title"))}</h1><p>${esc(why)}</p>${
    page.tiers.length ? `<h2>${esc(t(locale, "web.notfound.offer"))}</h2>${tierListHtml(page, opts)}` : ""
  }`;
  return shell({ locale, title: esc(t(locale, "web.notfound.title")), switchPath: opts.path, body });
}
