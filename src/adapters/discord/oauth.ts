import type { DiscordGrant, DiscordSignIn } from "../../app/members/webJoin.ts";
import { NetworkError, PlatformError } from "../../errors.ts";

/**
 * Discord's OAuth2 for "Join with Discord" (scopes identify and guilds.join): the authorize page on
 * Discord's site (DISCORD_API_URL without its /api: https://discord.com/oauth2/authorize), the token
 * exchange and /users/@me on the API. Plain fetch: discord.js speaks as the bot, not as a user.
 */
export const OAUTH_SCOPES = ["identify", "guilds.join"] as const;

export function createDiscordSignIn(opts: {
  apiUrl: string;
  applicationId: string;
  clientSecret: string;
  timeoutMs?: number;
}): DiscordSignIn {
  const api = opts.apiUrl.replace(/\/+$/, "");
  const site = api.replace(/\/api(\/v\d+)?$/, "");
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function call(path: string, init: RequestInit): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${api}${path}`, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new NetworkError("discord", `Discord OAuth2 ${path} unreachable: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      // The body names the problem (invalid_grant, invalid_client) and never echoes a secret.
      let code = "";
      try {
        code = String((JSON.parse(text) as { error?: unknown; code?: unknown }).error ?? "");
      } catch {
        // not JSON
      }
      throw new PlatformError(
        "discord",
        path,
        res.status,
        `Discord OAuth2 ${path} answered ${res.status} ${code}`.trim(),
        {
          code,
        },
      );
    }
    return JSON.parse(text) as unknown;
  }

  return {
    authorizeUrl({ state, redirectUri }) {
      const url = new URL(`${site}/oauth2/authorize`);
      url.searchParams.set("client_id", opts.applicationId);
      url.searchParams.set("response_type", "code");
      url.searchParams.set("redirect_uri", redirectUri);
      url.searchParams.set("scope", OAUTH_SCOPES.join(" "));
      url.searchParams.set("state", state);
      return url.href;
    },
    async exchangeCode({ code, redirectUri }): Promise<DiscordGrant> {
      const body = new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: redirectUri,
        client_id: opts.applicationId,
        client_secret: opts.clientSecret,
      });
      const r = (await call("/oauth2/token", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body,
      })) as { access_token?: unknown; expires_in?: unknown; scope?: unknown };
      if (typeof r.access_token !== "string")
        throw new PlatformError(
          "discord",
          "/oauth2/token",
          502,
          "Discord OAuth2 token answer without access_token",
        );
      return {
        accessToken: r.access_token,
        expiresInSeconds: typeof r.expires_in === "number" ? r.expires_in : 3600,
        scopes: typeof r.scope === "string" ? r.scope.split(" ").filter(Boolean) : [],
      };
    },
    async me(accessToken) {
      const u = (await call("/users/@me", {
        headers: { authorization: `Bearer ${accessToken}` },
      })) as { id?: unknown; username?: unknown; locale?: unknown };
      if (typeof u.id !== "string" || !/^\d{1,20}$/.test(u.id))
        throw new PlatformError(
          "discord",
          "/users/@me",
          502,
          "Discord /users/@me answered without a user id",
        );
      return {
        id: u.id,
        username: typeof u.username === "string" ? u.username : "",
        locale: typeof u.locale === "string" ? u.locale : null,
      };
    },
  };
}

/**
 * Whether Discord accepts the application's client secret, asked the way an application asks for
 * its own token (the client-credentials grant, scope identify): "refused" is Discord's 401
 * invalid_client. For the doctor; the secret never leaves in a URL or a log.
 */
export async function checkClientSecret(opts: {
  apiUrl: string;
  applicationId: string;
  clientSecret: string;
  timeoutMs?: number;
}): Promise<{ kind: "accepted" } | { kind: "refused" } | { kind: "unknown"; detail: string }> {
  const api = opts.apiUrl.replace(/\/+$/, "");
  let res: Response;
  try {
    res = await fetch(`${api}/oauth2/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${opts.applicationId}:${opts.clientSecret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ grant_type: "client_credentials", scope: "identify" }),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    return { kind: "unknown", detail: `Discord OAuth2 unreachable: ${(err as Error).message}` };
  }
  await res.body?.cancel();
  if (res.ok) return { kind: "accepted" };
  if (res.status === 401) return { kind: "refused" };
  return { kind: "unknown", detail: `Discord OAuth2 answered ${res.status}` };
}
