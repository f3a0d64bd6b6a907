import { PORTAL_RETURN_PATH } from "../../app/urls.ts";
import type { Route } from "../routes.ts";

/**
 * The pages Stripe sends fans back to. Plain, bilingual, no script: the fan's access arrives in the
 * chat, so these only say what happens next.
 */
function page(title: string, en: string, fr: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:4rem auto;padding:0 1rem;line-height:1.5;color:#222}p.fr{color:#555}</style></head>
<body><h1>${title}</h1><p>${en}</p><p class="fr" lang="fr">${fr}</p></body></html>`;
}

const html = (body: string) => ({
  status: 200,
  body,
  headers: { "content-type": "text/html; charset=utf-8" },
});

export function checkoutPages(): Route[] {
  return [
    {
      method: "GET",
      path: "/checkout/success",
      handler: () =>
        html(
          page(
            "Thank you! / Merci !",
            "Your payment went through. Your access arrives in Discord or Telegram within seconds: you can close this page.",
            "Votre paiement est passé. Votre accès arrive sur Discord ou Telegram d'ici quelques secondes : vous pouvez fermer cette page.",
          ),
        ),
    },
    {
      method: "GET",
      path: "/checkout/cancel",
      handler: () =>
        html(
          page(
            "Payment cancelled / Paiement annulé",
            "Nothing was charged. You can start again from the chat whenever you like.",
            "Rien n'a été débité. Vous pouvez recommencer depuis la conversation quand vous voulez.",
          ),
        ),
    },
    {
      method: "GET",
      path: PORTAL_RETURN_PATH,
      handler: () =>
        html(
          page(
            "All set / C'est fait",
            "Your membership changes are saved. Your access follows within seconds.",
            "Les changements de votre abonnement sont enregistrés. Votre accès suit d'ici quelques secondes.",
          ),
        ),
    },
  ];
}
