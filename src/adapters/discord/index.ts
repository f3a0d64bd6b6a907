import type { AppServices } from "../../app/services.ts";
import type { DiscordConfig } from "../../config.ts";
import type { PlatformParts } from "../platform.ts";
import type { DiscordGateway } from "./gateway.ts";

/**
 * Plugs Discord into the app: slash commands, the access executor (roles), DMs to fans, and the
 * reader reconciliation uses. Called before the gateway logs in.
 */
export async function attachDiscord(_opts: {
  gateway: DiscordGateway;
  services: AppServices;
  config: DiscordConfig;
}): Promise<PlatformParts> {
  return {};
}
