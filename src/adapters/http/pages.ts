import type { JoinDoors } from "../../app/tribePage.ts";
import { PORTAL_RETURN_PATH } from "../../app/urls.ts";
import type { UseCases } from "../../app/useCases.ts";
import type { Clock } from "../../app/worker.ts";
import { type Locale, t } from "../../i18n/index.ts";
import type { HttpRequest, Route } from "../routes.ts";
import { esc, pageLocale, privatePage, shell } from "./html.ts";
import { tierListHtml } from "./tribePage.ts";

/**
 * The pages Stripe sends fans back to, in their language, no script. After paying: where the access
 * is (a button into the Discord server or the Telegram bot, for the platform the checkout was opened
 * from). After cancelling: the tiers again.
 */
export interface CheckoutPagesDeps {
  app: Pick<UseCases, "readTribePage" | "checkoutPlatform">;
  clock: Clock;
  doors: JoinDoors;
}

function simple(locale: Locale, title: string, body: string, switchPath?: string): string {
  return shell({
    locale,
    title: esc(title),
    body: `<h1>${esc(title)}</h1>${body}`,
    ...(switchPath ? { switchPath } : {}),
  });
}

async function success(deps: CheckoutPagesDeps, req: HttpRequest) {
  const { locale } = pageLocale(req);
  const sessionId = req.query.get("session_id") ?? "";
  const platform = await deps.app.checkoutPlatform(sessionId);
  const paid = `<p>${esc(t(locale, "web.success.text"))}</p>`;
  let where = `<p>${esc(t(locale, "web.success.generic"))}</p>`;
  if (platform === "discord") {
    const url = await deps.doors.discordServerUrl();
    where = `<p>${esc(t(locale, "web.success.discord"))}</p>${
      url
        ? `<p><a class="btn discord" href="${esc(url)}">${esc(t(locale, "web.success.discord_button"))}</a></p>`
        : ""
    }`;
  } else if (platform === "telegram") {
    const url = deps.doors.telegramLink();
    where = `<p>${esc(t(locale, "web.success.telegram"))}</p>${
      url
        ? `<p><a class="btn telegram" href="${esc(url)}">${esc(t(locale, "web.success.telegram_button"))}</a></p>`
        : ""
    }`;
  }
  const path = `/checkout/success?session_id=${encodeURIComponent(sessionId)}`;
  return privatePage(200, simple(locale, t(locale, "web.success.title"), `${paid}${where}`, path));
}

async function cancel(deps: CheckoutPagesDeps, req: HttpRequest) {
  const { locale } = pageLocale(req);
  const page = await deps.app.readTribePage(deps.clock.now());
  const tiers = tierListHtml(page, { locale, doors: deps.doors, path: "/checkout/cancel" }, "h2");
  return privatePage(
    200,
    simple(
      locale,
      t(locale, "web.cancel.title"),
      `<p>${esc(t(locale, "web.cancel.text"))}</p>${tiers}`,
      "/checkout/cancel",
    ),
  );
}

export function checkoutPages(deps: CheckoutPagesDeps): Route[] {
  return [
    { method: "GET", path: "/checkout/success", handler: (req) => success(deps, req) },
    { method: "GET", path: "/checkout/cancel", handler: (req) => cancel(deps, req) },
    {
      method: "GET",
      path: PORTAL_RETURN_PATH,
      handler: (req) => {
        const { locale } = pageLocale(req);
        return privatePage(
          200,
          simple(
            locale,
            t(locale, "web.portal.title"),
            `<p>${esc(t(locale, "web.portal.text"))}</p>`,
            PORTAL_RETURN_PATH,
          ),
        );
      },
    },
  ];
}
