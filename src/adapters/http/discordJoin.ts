import { randomBytes } from "node:crypto";
import type { MemberDeps } from "../../app/members/types.ts";
import {
  beginDiscordSignIn,
  consumeSignInState,
  DISCORD_CALLBACK_PATH,
  type DiscordSignIn,
  joinWithDiscord,
  SESSION_TTL_MS,
} from "../../app/members/webJoin.ts";
import type { JoinDoors } from "../../app/tribePage.ts";
import type { UseCases } from "../../app/useCases.ts";
import { DomainError } from "../../errors.ts";
import { type Locale, refusalText, t } from "../../i18n/index.ts";
import type { HttpRequest, HttpResponse, Route } from "../routes.ts";
import type { AddressLimiter } from "./addressLimiter.ts";
import { esc, pageLocale, privatePage, shell } from "./html.ts";
import { guarded, renderNotForSale, tierListHtml } from "./tribePage.ts";

/**
 * "Join with Discord": `/join/discord?tier=<slug>` sends the browser to Discord's sign-in with a
 * `state` bound to its session cookie; `/join/discord/callback` takes that state once, exchanges the
 * code, reads who signed in, links them to their member and opens Checkout. Every refusal is a page
 * that says what happened (nothing was charged) and offers the tiers again.
 */
export interface DiscordJoinDeps {
  services: MemberDeps;
  app: Pick<UseCases, "readTribePage">;
  /** Undefined without DISCORD_CLIENT_SECRET: the routes say sign-in is not set up. */
  signIn: DiscordSignIn | undefined;
  joinTokenKey: Buffer | undefined;
  doors: JoinDoors;
  limiter: AddressLimiter;
}

export const SESSION_COOKIE = "tribegate_visit";

export function discordJoinRoutes(deps: DiscordJoinDeps): Route[] {
  const guard = { limiter: deps.limiter, clock: deps.services.clock, log: deps.services.log };
  return [
    { method: "GET", path: "/join/discord", handler: (req) => guarded(guard, req, () => start(deps, req)) },
    {
      method: "GET",
      path: DISCORD_CALLBACK_PATH,
      handler: (req) => guarded(guard, req, () => callback(deps, req)),
    },
  ];
}

function cookieOf(req: HttpRequest, name: string): string | undefined {
  const header = req.headers.cookie ?? "";
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=") || undefined;
  }
  return undefined;
}

/** The visitor's session cookie: HttpOnly, SameSite=Lax, Secure when the public address is https. */
export function sessionCookie(publicBaseUrl: string, value: string): string {
  const secure = publicBaseUrl.startsWith("https://") ? "; Secure" : "";
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}${secure}`;
}

const redirectUri = (deps: DiscordJoinDeps) => `${deps.services.publicBaseUrl}${DISCORD_CALLBACK_PATH}`;

async function refusalPage(
  deps: DiscordJoinDeps,
  locale: Locale,
  status: number,
  text: string,
  extra = "",
): Promise<HttpResponse> {
  const page = await deps.app.readTribePage(deps.services.clock.now());
  const title = t(locale, "web.signin.title");
  const tiers = page.tiers.length
    ? `<h2>${esc(t(locale, "web.notfound.offer"))}</h2>${tierListHtml(page, { locale, doors: deps.doors, path: "/" })}`
    : "";
  return privatePage(
    status,
    shell({ locale, title: esc(title), body: `<h1>${esc(title)}</h1><p>${esc(text)}</p>${extra}${tiers}` }),
  );
}

async function start(deps: DiscordJoinDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  if (!deps.signIn || !deps.joinTokenKey)
    return refusalPage(deps, locale, 404, t(locale, "web.signin.not_configured"));
  const begun = await beginDiscordSignIn(deps.services, {
    sessionToken: cookieOf(req, SESSION_COOKIE),
    tierSlug: req.query.get("tier") ?? "",
    locale,
  });
  if (begun.kind === "refused") {
    const page = await deps.app.readTribePage(deps.services.clock.now());
    return privatePage(
      404,
      renderNotForSale(page, { locale, doors: deps.doors, reason: begun.reason, path: "/" }),
    );
  }
  deps.services.log.info({ event: "web.discord.signin_started" }, "a visitor went to sign in with Discord");
  return {
    status: 302,
    headers: {
      location: deps.signIn.authorizeUrl({ state: begun.state, redirectUri: redirectUri(deps) }),
      "set-cookie": sessionCookie(deps.services.publicBaseUrl, begun.sessionToken),
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
  };
}

async function callback(deps: DiscordJoinDeps, req: HttpRequest): Promise<HttpResponse> {
  const { log } = deps.services;
  const sessionToken = cookieOf(req, SESSION_COOKIE);
  const taken = await consumeSignInState(deps.services, {
    sessionToken,
    state: req.query.get("state") ?? "",
  });
  if (!taken || !sessionToken || !deps.signIn || !deps.joinTokenKey) {
    const { locale } = pageLocale(req);
    log.warn(
      { event: "web.discord.state_refused", hasCookie: Boolean(sessionToken), address: req.remoteAddress },
      "a Discord sign-in came back with a state this browser did not start, or used already",
    );
    return refusalPage(deps, locale, 400, t(locale, "web.signin.state_invalid"));
  }
  const locale: Locale = taken.locale === "fr" ? "fr" : "en";
  if (req.query.get("error")) {
    log.info({ event: "web.discord.signin_cancelled" }, "the visitor did not allow Discord sign-in");
    return refusalPage(deps, locale, 200, t(locale, "web.signin.cancelled"));
  }
  const ref = randomBytes(4).toString("hex");
  let user: { id: string; username: string; locale: string | null };
  let grant: Awaited<ReturnType<DiscordSignIn["exchangeCode"]>>;
  try {
    grant = await deps.signIn.exchangeCode({
      code: req.query.get("code") ?? "",
      redirectUri: redirectUri(deps),
    });
    user = await deps.signIn.me(grant.accessToken);
  } catch (err) {
    log.warn(
      { event: "web.discord.signin_failed", ref, error: err instanceof Error ? err.message : String(err) },
      "Discord sign-in failed",
    );
    return refusalPage(deps, locale, 502, t(locale, "web.signin.failed", { ref }));
  }
  if (!grant.scopes.includes("guilds.join"))
    return refusalPage(deps, locale, 400, t(locale, "web.signin.scope_missing"));
  try {
    const outcome = await joinWithDiscord(
      { ...deps.services, joinTokenKey: deps.joinTokenKey },
      { sessionToken, user, grant, tierId: taken.tierId, pageLocale: locale },
    );
    switch (outcome.kind) {
      case "identity_taken":
        return refusalPage(deps, locale, 409, t(locale, "web.signin.identity_taken"));
      case "tier_gone": {
        const page = await deps.app.readTribePage(deps.services.clock.now());
        return privatePage(
          404,
          renderNotForSale(page, { locale, doors: deps.doors, reason: "archived", path: "/" }),
        );
      }
      case "already_member": {
        const portal = outcome.portalUrl
          ? `<p><a class="btn plain" href="${esc(outcome.portalUrl)}">${esc(t(locale, "web.already_member.portal"))}</a></p>`
          : "";
        const title = t(locale, "web.success.title");
        return privatePage(
          200,
          shell({
            locale,
            title: esc(title),
            body: `<h1>${esc(title)}</h1><p>${esc(t(locale, "web.already_member", { tier: outcome.tierName }))}</p>${portal}`,
          }),
        );
      }
      case "checkout":
        log.info(
          { event: "web.discord.checkout", userId: user.id },
          "signed in with Discord: off to Checkout",
        );
        return { status: 303, headers: { location: outcome.url, "cache-control": "no-store" } };
    }
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    const status = err.code === "rate_limited" ? 429 : err.code === "stripe_unavailable" ? 503 : 409;
    return refusalPage(deps, locale, status, refusalText(locale, err, "discord", ref));
  }
}
