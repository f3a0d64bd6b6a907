/** Where Stripe's billing portal sends the fan back (served by src/adapters/http/pages.ts). */
export const PORTAL_RETURN_PATH = "/portal/return";

export function portalReturnUrl(publicBaseUrl: string): string {
  return `${publicBaseUrl}${PORTAL_RETURN_PATH}`;
}
