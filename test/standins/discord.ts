/**
 * A local stand-in for Discord: REST (`/api/v10/...`) and the gateway (`/gateway`) on one port.
 * discord.js talks to it unmodified: `new Client({ intents, rest: { api: standin.apiUrl } })`.
 *
 * It keeps real-looking state (guilds with roles, channels and members; commands; DMs; interactions),
 * enforces what bots trip over in production (role hierarchy, Manage Roles, DMs closed, the 3 s
 * interaction window, already-acknowledged interactions), answers Discord's error JSON, can enforce
 * rate limits with real 429s and headers, and can inject faults (5xx, 429, hang, slow) on chosen routes.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type APIApplication,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
  type APIDMChannel,
  type APIGuildMember,
  type APIInteraction,
  type APIInteractionResponse,
  type APIMessage,
  type APIRole,
  type APITextChannel,
  type APIThreadChannel,
  type APIUser,
  ApplicationCommandType,
  ApplicationFlags,
  ChannelType,
  GatewayIntentBits,
  InteractionResponseType,
  MessageFlags,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type RESTPatchAPIGuildMemberJSONBody,
  type RESTPostAPIApplicationCommandsJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPIGuildRoleJSONBody,
  type RESTPostAPIInteractionCallbackWithResponseResult,
  type RoleFlags,
} from "discord-api-types/v10";
import { sleep } from "../support/helpers.ts";
import { DiscordGateway, type GatewayFrame, type GatewaySession } from "./discord-gateway.ts";
import {
  dmChannel,
  type GuildCreate,
  botRole as makeBotRole,
  botUser as makeBotUser,
  member as makeMember,
  message as makeMessage,
  user as makeUser,
  nextId,
} from "./discord-payloads.ts";
import {
  isInteractionRoute,
  MEMBER_ROLE_ROUTE,
  RateLimiter,
  type RateLimitOptions,
  THREAD_FROM_MESSAGE_ROUTE,
  THREAD_ROUTE,
  tooManyRequests,
} from "./discord-ratelimit.ts";
import {
  CallLog,
  clone,
  FaultQueue,
  type PathMatcher,
  parseJson,
  pathMatches,
  pickHeaders,
  type RecordedCall,
  Router,
  readBody,
  type StartedServer,
  sendEmpty,
  sendJson,
  startHttpServer,
} from "./http.ts";

// ---------------------------------------------------------------------------------------------------
// Public types

export interface DiscordStandinOptions {
  /** Accept only this bot token (REST `Authorization: Bot <token>`, gateway IDENTIFY); any when unset. */
  token?: string;
  botUser?: APIUser;
  /** Guilds the bot is in from the start (see `addGuild`). */
  guilds?: GuildCreate[];
  /** Sent in HELLO. Discord uses 41 250 ms. */
  heartbeatIntervalMs?: number;
  /** Enforce rate limits with real 429 answers. Off by default; `true` uses Discord's documented numbers. */
  rateLimits?: boolean | RateLimitOptions;
  /** How long an interaction accepts its initial response. Discord: 3 s. */
  interactionResponseWindowMs?: number;
  /** `shards` in GET /gateway/bot. */
  recommendedShards?: number;
  /** The application's owner (GET /applications/@me `owner`); a new user when unset. */
  applicationOwner?: APIUser;
  /** Makes the application belong to a team with these members (`owner` is then the team's user). */
  teamMembers?: APIUser[];
  /** The developer portal's "Public Bot" switch (Discord's default for a new application: on). */
  botPublic?: boolean;
  /**
   * GET /applications/@me `flags`. Default: GATEWAY_GUILD_MEMBERS_LIMITED, the developer portal's
   * Server Members intent switched on for a bot in fewer than 100 servers.
   */
  applicationFlags?: number;
  /** The application's OAuth2 client secret (developer portal → OAuth2); a fixed test value when unset. */
  clientSecret?: string;
}

export {
  type BucketRule,
  DEFAULT_BUCKETS,
  MEMBER_ROLE_ROUTE,
  type RateLimitOptions,
  THREAD_FROM_MESSAGE_ROUTE,
  THREAD_ROUTE,
} from "./discord-ratelimit.ts";
export const INTERACTION_CALLBACK_ROUTE = "/interactions/:interaction/:token/callback";

export interface DiscordCall extends RecordedCall {
  readonly method: string;
  /** Decoded path without `/api/v10`, e.g. `/webhooks/1/tok/messages/@original`. */
  readonly path: string;
  /** The route template that served it (undefined for unknown routes). */
  route: string | undefined;
  params: Record<string, string>;
  readonly query: Record<string, string>;
  /** authorization, content-type, user-agent, x-audit-log-reason (raw). */
  readonly headers: Record<string, string>;
  /** `x-audit-log-reason`, URI-decoded as Discord does. */
  readonly auditLogReason: string | undefined;
  /** Parsed JSON body (for multipart: the parsed `payload_json`). */
  readonly body: unknown;
  /** Files of a multipart body (attachments), decoded as UTF-8 text, and as sent (`bytes`: images). */
  readonly files: { name: string; content: string; bytes: Buffer }[];
  /** The JSON answered, if any. */
  response: unknown;
  /** Headers the stand-in added to its answer (rate-limit headers). */
  responseHeaders: Record<string, string>;
}

export type DiscordFault =
  | { kind: "status"; status: number; body?: unknown }
  | { kind: "rate_limit"; retryAfterSeconds: number; global?: boolean }
  /** Never answer; the client's timeout (discord.js: 15 s by default) must fire. */
  | { kind: "hang" }
  /** Carry the call out and answer as usual, but only after `ms` (a slow Discord). */
  | { kind: "slow"; ms: number };

export interface InteractionRecord {
  readonly payload: APIInteraction;
  readonly receivedAt: number;
  acknowledged: boolean;
  /** The initial response body (POST .../callback). */
  response: APIInteractionResponse | undefined;
  /** The message behind `@original`, once there is one. */
  original: APIMessage | undefined;
  readonly followups: APIMessage[];
}

// ---------------------------------------------------------------------------------------------------
// Errors, as Discord writes them

class DiscordApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: unknown,
  ) {
    super(message);
  }
}

const errors = {
  unknownGuild: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownGuild, "Unknown Guild"),
  unknownMember: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownMember, "Unknown Member"),
  unknownRole: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownRole, "Unknown Role"),
  unknownUser: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownUser, "Unknown User"),
  unknownChannel: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownChannel, "Unknown Channel"),
  unknownMessage: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownMessage, "Unknown Message"),
  unknownWebhook: () => new DiscordApiError(404, RESTJSONErrorCodes.UnknownWebhook, "Unknown Webhook"),
  unknownCommand: () =>
    new DiscordApiError(404, RESTJSONErrorCodes.UnknownApplicationCommand, "Unknown application command"),
  unknownInteraction: () =>
    new DiscordApiError(404, RESTJSONErrorCodes.UnknownInteraction, "Unknown interaction"),
  alreadyAcknowledged: () =>
    new DiscordApiError(
      400,
      RESTJSONErrorCodes.InteractionHasAlreadyBeenAcknowledged,
      "Interaction has already been acknowledged.",
    ),
  missingAccess: () => new DiscordApiError(403, RESTJSONErrorCodes.MissingAccess, "Missing Access"),
  missingPermissions: () =>
    new DiscordApiError(403, RESTJSONErrorCodes.MissingPermissions, "Missing Permissions"),
  cannotDm: () =>
    new DiscordApiError(
      403,
      RESTJSONErrorCodes.CannotSendMessagesToThisUser,
      "Cannot send messages to this user",
    ),
  cannotExecuteOnChannelType: () =>
    new DiscordApiError(
      400,
      RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType,
      "Cannot execute action on this channel type",
    ),
  notAuthor: () =>
    new DiscordApiError(
      403,
      RESTJSONErrorCodes.CannotEditMessageAuthoredByAnotherUser,
      "Cannot edit a message authored by another user",
    ),
  unauthorized: () => new DiscordApiError(401, 0, "401: Unauthorized"),
  notFound: () => new DiscordApiError(404, 0, "404: Not Found"),
  methodNotAllowed: () => new DiscordApiError(405, 0, "405: Method Not Allowed"),
  threadAlreadyCreated: () =>
    new DiscordApiError(
      400,
      RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage,
      "A thread has already been created for this message",
    ),
  invalidForm: (errors: unknown) =>
    new DiscordApiError(400, RESTJSONErrorCodes.InvalidFormBodyOrContentType, "Invalid Form Body", errors),
};

// ---------------------------------------------------------------------------------------------------
// Internal state

interface GuildState {
  base: GuildCreate;
  roles: Map<string, APIRole>;
  channels: Map<string, APITextChannel>;
  /** Threads (public ones: type 11), by id; a thread on a message has the message's id. */
  threads: Map<string, APIThreadChannel>;
  members: Map<string, APIGuildMember>;
  /** `members` by ascending id, for the paged member list; dropped when someone joins or leaves. */
  sorted?: APIGuildMember[] | undefined;
}

interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: RouteContext) => Reply;

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent = (): Reply => ({ status: 204 });

const ALL_PERMISSIONS = (1n << 64n) - 1n;
/** Snowflakes in numeric order (decimal strings without leading zeros: shorter is smaller). */
const byId = (a: string, b: string): number =>
  a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
/** Positive when `a` sits above `b` in the role list (equal positions: the older id is higher). */
const compareRoles = (a: APIRole, b: APIRole): number => a.position - b.position || byId(b.id, a.id);

// ---------------------------------------------------------------------------------------------------

export class DiscordStandin {
  readonly apiUrl: string;
  readonly gatewayUrl: string;
  readonly botUser: APIUser;
  readonly applicationId: string;
  /** Who owns the application (the creator, in tests); see DiscordStandinOptions.applicationOwner. */
  readonly applicationOwner: APIUser;
  readonly gateway: DiscordGateway;
  /** The "Public Bot" switch; tests may flip it. */
  botPublic: boolean;
  /** The application's flags (privileged intents among them); tests may change them. */
  applicationFlags: number;

  readonly #http: StartedServer;
  readonly #options: DiscordStandinOptions;
  readonly #log = new CallLog<DiscordCall>("Discord", (c) => `#${c.seq} ${c.method} ${c.path} → ${c.status}`);
  readonly #faults = new FaultQueue<DiscordFault, DiscordCall>();
  readonly #router: Router<Handler>;
  readonly #guilds = new Map<string, GuildState>();
  readonly #users = new Map<string, APIUser>();
  readonly #dmChannels = new Map<string, APIDMChannel>();
  readonly #messages = new Map<string, APIMessage>();
  readonly #commands = new Map<string, Map<string, APIApplicationCommand>>();
  readonly #interactions = new Map<string, InteractionRecord>();
  readonly #blockedDms = new Set<string>();
  /** Ids of the servers the bot left (DELETE /users/@me/guilds/:guild), in order. */
  readonly left: string[] = [];
  readonly #rateLimiter: RateLimiter | undefined;
  /** The OAuth2 client secret the token endpoint expects. */
  readonly clientSecret: string;
  /** Redirects registered in the developer portal (OAuth2 → Redirects): authorize refuses others. */
  redirectUris: string[] = [];
  /** Who is logged in to discord.com in the browser that opens the authorize page; nobody when unset. */
  browserUser: APIUser | undefined;
  readonly #oauthCodes = new Map<
    string,
    { userId: string; scopes: string[]; redirectUri: string; expiresAt: number }
  >();
  readonly #oauthTokens = new Map<string, { userId: string; scopes: string[]; expiresAt: number }>();

  private constructor(http: StartedServer, options: DiscordStandinOptions) {
    this.#http = http;
    this.#options = options;
    this.apiUrl = `${http.origin}/api`;
    this.gatewayUrl = `ws://127.0.0.1:${http.port}/gateway`;
    this.botUser = options.botUser ?? makeBotUser();
    this.applicationId = this.botUser.id;
    this.applicationOwner = options.applicationOwner ?? makeUser({ username: "creator" });
    this.botPublic = options.botPublic ?? false;
    this.applicationFlags = options.applicationFlags ?? ApplicationFlags.GatewayGuildMembersLimited;
    this.clientSecret = options.clientSecret ?? "discord-test-client-secret-0123456789";
    this.#users.set(this.botUser.id, this.botUser);
    this.#users.set(this.applicationOwner.id, this.applicationOwner);
    const limits = options.rateLimits;
    this.#rateLimiter = limits ? new RateLimiter(limits === true ? {} : limits) : undefined;
    this.gateway = new DiscordGateway({
      server: http.server,
      url: this.gatewayUrl,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      token: options.token,
      botUser: () => this.botUser,
      applicationId: this.applicationId,
      guilds: () => [...this.#guilds.values()].map((g) => this.#guildCreate(g)),
    });
    this.#router = this.#routes();
    for (const guild of options.guilds ?? []) this.addGuild(guild);
  }

  static async start(options: DiscordStandinOptions = {}): Promise<DiscordStandin> {
    let standin: DiscordStandin | undefined;
    const http = await startHttpServer("Discord", (req, res) => standin!.#handle(req, res));
    standin = new DiscordStandin(http, options);
    return standin;
  }

  // -- calls ------------------------------------------------------------------------------------

  get calls(): readonly DiscordCall[] {
    return this.#log.calls;
  }

  waitForCall(predicate: (call: DiscordCall) => boolean, timeoutMs?: number): Promise<DiscordCall> {
    return this.#log.waitFor(predicate, timeoutMs);
  }

  /** Frames clients sent to the gateway (IDENTIFY, RESUME, heartbeats...). */
  get gatewayFrames(): readonly GatewayFrame[] {
    return this.gateway.received.calls;
  }

  /** Arms `fault` for the next `times` requests whose method (if given) and decoded path match. */
  failNext(match: { method?: string; path: PathMatcher }, fault: DiscordFault, times = 1): void {
    this.#faults.add(
      (call) =>
        (match.method === undefined || match.method === call.method) && pathMatches(match.path, call.path),
      fault,
      times,
    );
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  /** 429 answers sent by the rate limiter, by scope (injected faults not included). */
  get rateLimitHits(): { global: number; route: number } {
    return this.#rateLimiter?.hits ?? { global: 0, route: 0 };
  }

  // -- gateway ----------------------------------------------------------------------------------

  get connections(): number {
    return this.gateway.connections;
  }

  /** Resolves once a client identified and got READY and its GUILD_CREATEs (at once if one is ready). */
  waitForReady(timeoutMs?: number): Promise<GatewaySession> {
    return this.gateway.waitForReady(timeoutMs);
  }

  /** Sends a gateway dispatch to every session (kept for replay on RESUME). */
  dispatch(t: string, d: unknown): void {
    this.gateway.dispatch(t, d);
  }

  /** Closes every gateway socket with `code` (default 4000: the client resumes); see DiscordGateway.closeAll. */
  closeGateway(code?: number | "abnormal", options?: { forgetSessions?: boolean }): void {
    this.gateway.closeAll(code, options);
  }

  /** The gateway connections go silent without closing (no heartbeat ACK); see DiscordGateway.silence. */
  silenceGateway(): void {
    this.gateway.silence();
  }

  /** Registers the interaction (so callback and webhook routes know its token) and dispatches it. */
  interaction(payload: APIInteraction): InteractionRecord {
    if (this.gateway.sessions.size === 0) {
      throw new Error(
        "Discord stand-in: interaction() before any client identified; await waitForReady() first",
      );
    }
    const record: InteractionRecord = {
      payload: clone(payload),
      receivedAt: Date.now(),
      acknowledged: false,
      response: undefined,
      original: undefined,
      followups: [],
    };
    this.#interactions.set(payload.id, record);
    const invoker = payload.member?.user ?? payload.user;
    if (invoker) this.#users.set(invoker.id, invoker);
    this.gateway.dispatch("INTERACTION_CREATE", payload);
    return record;
  }

  getInteraction(id: string): InteractionRecord | undefined {
    return this.#interactions.get(id);
  }

  // -- state ------------------------------------------------------------------------------------

  /**
   * Adds a guild the bot is in. Unless `members` already holds the bot, adds the bot's member with a
   * managed role placed above every other role (`botRole` overrides it; `false` gives the bot no role).
   * Dispatches GUILD_CREATE to sessions already connected. Returns the stored guild.
   */
  addGuild(guild: GuildCreate, options: { botRole?: APIRole | false } = {}): GuildCreate {
    const state: GuildState = {
      base: clone(guild),
      roles: new Map(guild.roles.map((r) => [r.id, clone(r)])),
      channels: new Map(
        guild.channels.map((c) => [c.id, { ...(clone(c) as APITextChannel), guild_id: guild.id }]),
      ),
      threads: new Map(),
      members: new Map(guild.members.map((m) => [m.user.id, clone(m)])),
    };
    if (!state.members.has(this.botUser.id)) {
      const top = Math.max(0, ...guild.roles.map((r) => r.position));
      const role = options.botRole === undefined ? makeBotRole({ position: top + 1 }) : options.botRole;
      if (role) state.roles.set(role.id, clone(role));
      state.members.set(this.botUser.id, makeMember({ user: this.botUser, roles: role ? [role.id] : [] }));
    }
    for (const m of state.members.values()) this.#users.set(m.user.id, m.user);
    this.#guilds.set(guild.id, state);
    const created = this.#guildCreate(state);
    this.gateway.dispatch("GUILD_CREATE", created, (s) =>
      this.#hasIntent(s.intents, GatewayIntentBits.Guilds),
    );
    return clone(created);
  }

  guild(guildId: string): GuildCreate | undefined {
    const state = this.#guilds.get(guildId);
    return state && clone(this.#guildCreate(state));
  }

  member(guildId: string, userId: string): APIGuildMember | undefined {
    const found = this.#guilds.get(guildId)?.members.get(userId);
    return found && clone(found);
  }

  /** A member joins (GUILD_MEMBER_ADD to sessions with the GuildMembers intent). */
  addMember(guildId: string, newMember: APIGuildMember): void {
    const state = this.#requireGuild(guildId);
    state.members.set(newMember.user.id, clone(newMember));
    state.sorted = undefined;
    this.#users.set(newMember.user.id, newMember.user);
    this.#dispatchMembers("GUILD_MEMBER_ADD", { ...clone(newMember), guild_id: guildId });
  }

  /** A member leaves (GUILD_MEMBER_REMOVE). */
  removeMember(guildId: string, userId: string): void {
    const state = this.#requireGuild(guildId);
    const gone = state.members.get(userId);
    if (!gone) return;
    state.members.delete(userId);
    state.sorted = undefined;
    this.#dispatchMembers("GUILD_MEMBER_REMOVE", { guild_id: guildId, user: gone.user });
  }

  /** Someone (a moderator, another bot) sets a member's roles by hand (GUILD_MEMBER_UPDATE). */
  setMemberRoles(guildId: string, userId: string, roleIds: string[]): void {
    const state = this.#requireGuild(guildId);
    const target = this.#requireMember(state, userId);
    target.roles = [...roleIds];
    this.#memberUpdated(state, target);
  }

  /** Adds or replaces a role (GUILD_ROLE_CREATE). */
  addRole(guildId: string, newRole: APIRole): void {
    const state = this.#requireGuild(guildId);
    state.roles.set(newRole.id, clone(newRole));
    this.#dispatchGuilds("GUILD_ROLE_CREATE", { guild_id: guildId, role: newRole });
  }

  /** Someone adds a channel by hand (CHANNEL_CREATE), e.g. one only a tier role can see. */
  addChannel(guildId: string, channel: APITextChannel): void {
    const state = this.#requireGuild(guildId);
    const created = { ...clone(channel), guild_id: guildId };
    state.channels.set(created.id, created);
    this.#dispatchGuilds("CHANNEL_CREATE", created);
  }

  /** Someone deletes a role by hand (GUILD_ROLE_DELETE); members lose it. */
  deleteRole(guildId: string, roleId: string): void {
    const state = this.#requireGuild(guildId);
    if (!state.roles.delete(roleId)) throw new Error(`no role ${roleId} in guild ${guildId}`);
    for (const m of state.members.values()) m.roles = m.roles.filter((id) => id !== roleId);
    this.#dispatchGuilds("GUILD_ROLE_DELETE", { guild_id: guildId, role_id: roleId });
  }

  /** Someone removes the application's commands (global, or one guild's), e.g. from another tool. */
  clearCommands(guildId?: string): void {
    this.#commands.delete(guildId ?? "global");
  }

  /** Registered application commands: global, or for one guild. */
  commands(guildId?: string): APIApplicationCommand[] {
    return [...(this.#commands.get(guildId ?? "global")?.values() ?? [])].map(clone);
  }

  /** Messages the bot created, optionally only those in one channel. */
  messages(channelId?: string): APIMessage[] {
    return [...this.#messages.values()]
      .filter((m) => channelId === undefined || m.channel_id === channelId)
      .map(clone);
  }

  /** Threads of a server (every server when none is named), oldest first. */
  threads(guildId?: string): APIThreadChannel[] {
    return [...this.#guilds.values()]
      .filter((g) => guildId === undefined || g.base.id === guildId)
      .flatMap((g) => [...g.threads.values()])
      .map(clone);
  }

  /** Messages the bot sent to a user's DM channel. */
  dmsTo(userId: string): APIMessage[] {
    const channel = this.#dmChannels.get(userId);
    return channel ? this.messages(channel.id) : [];
  }

  /** Makes DMs to this user fail with 403 / 50007 "Cannot send messages to this user". */
  blockDirectMessages(userId: string, blocked = true): void {
    if (blocked) this.#blockedDms.add(userId);
    else this.#blockedDms.delete(userId);
  }

  async close(): Promise<void> {
    await this.gateway.close();
    await this.#http.close();
  }

  // -- HTTP plumbing ----------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.#http.origin);
    const prefix = /^\/api(?:\/v\d+)?(?=\/|$)/.exec(url.pathname);
    const path = decodePath(prefix ? url.pathname.slice(prefix[0].length) : url.pathname);
    const raw = await readBody(req);
    const headers = pickHeaders(req, ["authorization", "content-type", "user-agent", "x-audit-log-reason"]);
    const reason = headers["x-audit-log-reason"];
    const call = this.#log.add({
      seq: this.#log.nextSeq(),
      time: Date.now(),
      status: "pending",
      method: req.method ?? "GET",
      path,
      route: undefined,
      params: {},
      query: Object.fromEntries(url.searchParams),
      headers,
      auditLogReason: reason === undefined ? undefined : decodeURIComponent(reason),
      body: await parseDiscordBody(raw, headers["content-type"]),
      files: await parseDiscordFiles(raw, headers["content-type"]),
      response: undefined,
      responseHeaders: {},
    });
    const oauth = this.#oauth(call, Boolean(prefix), url, raw, req.headers.authorization);
    if (oauth) {
      call.response = oauth.body;
      if (oauth.html !== undefined) {
        res.writeHead(oauth.status, { "content-type": "text/html; charset=utf-8", ...oauth.headers });
        res.end(oauth.html);
      } else if (oauth.body === undefined) sendEmpty(res, oauth.status, oauth.headers);
      else sendJson(res, oauth.status, oauth.body, oauth.headers);
      this.#log.settle(call, oauth.status);
      return;
    }
    const found = prefix ? this.#router.find(call.method, path) : undefined;
    if (found) {
      call.route = found.route.template;
      call.params = found.params;
    }

    let fault = this.#faults.take(call);
    if (fault?.kind === "hang") {
      this.#log.settle(call, "hang");
      return;
    }
    if (fault?.kind === "slow") {
      await sleep(fault.ms);
      fault = undefined;
    }
    const reply = this.#answer(call, found, url.searchParams, fault);
    call.response = reply.body;
    call.responseHeaders = reply.headers ?? {};
    if (reply.body === undefined) sendEmpty(res, reply.status, call.responseHeaders);
    else sendJson(res, reply.status, reply.body, call.responseHeaders);
    this.#log.settle(call, reply.status);
  }

  /** Injected fault, else rate limit, else the route's answer (with the bucket's headers). */
  #answer(
    call: DiscordCall,
    found: ReturnType<Router<Handler>["find"]>,
    query: URLSearchParams,
    fault: Exclude<DiscordFault, { kind: "hang" } | { kind: "slow" }> | undefined,
  ): Reply {
    if (fault?.kind === "status") {
      return {
        status: fault.status,
        body: fault.body ?? { message: `${fault.status}: Server Error`, code: 0 },
      };
    }
    if (fault?.kind === "rate_limit")
      return tooManyRequests(fault.retryAfterSeconds * 1000, fault.global ?? false);
    const limit =
      call.route === undefined
        ? undefined
        : this.#rateLimiter?.check({ method: call.method, route: call.route, params: call.params });
    if (limit?.limited) return limit.limited;
    const reply = this.#serve(call, found, query);
    return { ...reply, headers: { ...limit?.headers, ...reply.headers } };
  }

  /** The route's answer, or Discord's error JSON. */
  #serve(call: DiscordCall, found: ReturnType<Router<Handler>["find"]>, query: URLSearchParams): Reply {
    try {
      if (!found) throw this.#router.allows(call.path) ? errors.methodNotAllowed() : errors.notFound();
      const needsToken = !isInteractionRoute(call.route);
      if (needsToken && !this.#authorized(call.headers.authorization)) throw errors.unauthorized();
      return found.route.handler({ params: found.params, query, body: call.body });
    } catch (error) {
      if (!(error instanceof DiscordApiError)) throw error;
      const body: Record<string, unknown> = { message: error.message, code: error.code };
      if (error.errors !== undefined) body.errors = error.errors;
      return { status: error.status, body };
    }
  }

  #authorized(header: string | undefined): boolean {
    if (!header?.startsWith("Bot ")) return false;
    return this.#options.token === undefined || header === `Bot ${this.#options.token}`;
  }

  // -- routes -----------------------------------------------------------------------------------

  #routes(): Router<Handler> {
    const r = new Router<Handler>();
    r.on("GET", "/gateway", () => ok({ url: this.gatewayUrl }));
    r.on("GET", "/gateway/bot", () =>
      ok({
        url: this.gatewayUrl,
        shards: this.#options.recommendedShards ?? 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 },
      }),
    );
    r.on("GET", "/users/@me", () => ok(this.botUser));
    r.on("GET", "/users/:user", ({ params }) =>
      ok(this.#users.get(params.user!) ?? throwError(errors.unknownUser())),
    );
    r.on("GET", "/applications/@me", () => ok(this.#application()));
    // The bot leaves a server: GUILD_DELETE (without `unavailable`) to its sessions.
    r.on("DELETE", "/users/@me/guilds/:guild", ({ params }) => {
      this.#requireGuild(params.guild!);
      this.#guilds.delete(params.guild!);
      this.left.push(params.guild!);
      this.#dispatchGuilds("GUILD_DELETE", { id: params.guild! });
      return noContent();
    });

    // Application commands, global (scope "global") and per guild.
    for (const prefix of ["/applications/:application", "/applications/:application/guilds/:guild"]) {
      r.on("GET", `${prefix}/commands`, ({ params }) => ok(this.commands(this.#commandScope(params))));
      r.on("PUT", `${prefix}/commands`, ({ params, body }) => ok(this.#overwriteCommands(params, body)));
      r.on("POST", `${prefix}/commands`, ({ params, body }) => this.#upsertCommand(params, body));
      r.on("GET", `${prefix}/commands/:command`, ({ params }) => ok(this.#command(params)));
      r.on("PATCH", `${prefix}/commands/:command`, ({ params, body }) =>
        ok(this.#patchCommand(params, body)),
      );
      r.on("DELETE", `${prefix}/commands/:command`, ({ params }) => {
        this.#command(params);
        this.#commands.get(this.#commandScope(params))?.delete(params.command!);
        return noContent();
      });
    }

    // Interactions: the initial response, then the interaction webhook (@original and followups).
    r.on("POST", INTERACTION_CALLBACK_ROUTE, (ctx) => this.#interactionCallback(ctx));
    r.on("POST", "/webhooks/:application/:token", ({ params, body }) => {
      const record = this.#interactionByToken(params);
      if (!record.acknowledged) throw errors.unknownWebhook();
      const followup = this.#createMessage(
        channelIdOf(record),
        body as RESTPostAPIChannelMessageJSONBody,
        true,
      );
      record.followups.push(followup);
      return ok(followup);
    });
    r.on("GET", "/webhooks/:application/:token/messages/:message", ({ params }) =>
      ok(this.#webhookMessage(params)),
    );
    r.on("PATCH", "/webhooks/:application/:token/messages/:message", ({ params, body }) =>
      ok(editMessage(this.#webhookMessage(params), body as RESTPostAPIChannelMessageJSONBody)),
    );
    r.on("DELETE", "/webhooks/:application/:token/messages/:message", ({ params }) => {
      const record = this.#interactionByToken(params);
      const target = this.#webhookMessage(params);
      this.#messages.delete(target.id);
      if (record.original === target) record.original = undefined;
      else record.followups.splice(record.followups.indexOf(target), 1);
      return noContent();
    });

    // Guilds, roles, channels, members.
    r.on("GET", "/guilds/:guild", ({ params, query }) => {
      const { members, channels, threads, presences, voice_states, ...rest } = this.#guildCreate(
        this.#requireGuild(params.guild!),
      );
      const withCounts = query.get("with_counts") === "true";
      return ok(withCounts ? { ...rest, approximate_member_count: members.length } : rest);
    });
    r.on("GET", "/guilds/:guild/roles", ({ params }) =>
      ok([...this.#requireGuild(params.guild!).roles.values()]),
    );
    r.on("POST", "/guilds/:guild/roles", ({ params, body }) => ok(this.#createRole(params.guild!, body)));
    r.on("PATCH", "/guilds/:guild/roles/:role", ({ params, body }) => {
      const state = this.#requireGuild(params.guild!);
      const target = this.#requireManageable(state, params.role!);
      Object.assign(
        target,
        pickDefined(body as RESTPostAPIGuildRoleJSONBody, [
          "name",
          "permissions",
          "color",
          "hoist",
          "mentionable",
        ]),
      );
      this.#dispatchGuilds("GUILD_ROLE_UPDATE", { guild_id: state.base.id, role: target });
      return ok(target);
    });
    r.on("DELETE", "/guilds/:guild/roles/:role", ({ params }) => {
      const state = this.#requireGuild(params.guild!);
      const target = this.#requireManageable(state, params.role!);
      state.roles.delete(target.id);
      for (const m of state.members.values()) m.roles = m.roles.filter((id) => id !== target.id);
      this.#dispatchGuilds("GUILD_ROLE_DELETE", { guild_id: state.base.id, role_id: target.id });
      return noContent();
    });
    r.on("GET", "/guilds/:guild/channels", ({ params }) =>
      ok([...this.#requireGuild(params.guild!).channels.values()]),
    );
    r.on("POST", "/guilds/:guild/channels", ({ params, body }) =>
      ok(this.#createChannel(params.guild!, body), 201),
    );
    r.on("GET", "/guilds/:guild/members", ({ params, query }) => ok(this.#listMembers(params.guild!, query)));
    r.on("GET", "/guilds/:guild/members/:user", ({ params }) => {
      const state = this.#requireGuild(params.guild!);
      return ok(this.#requireMember(state, params.user!));
    });
    r.on("PATCH", "/guilds/:guild/members/:user", ({ params, body }) => ok(this.#patchMember(params, body)));
    // Add Guild Member with the user's OAuth2 token (scope guilds.join): 201 with the member when
    // added, 204 (roles ignored) when already in. Needs Create Invite, and Manage Roles for `roles`.
    r.on("PUT", "/guilds/:guild/members/:user", ({ params, body }) => this.#addMemberWithToken(params, body));
    r.on("PUT", MEMBER_ROLE_ROUTE, ({ params }) => {
      const { state, target, role } = this.#memberRoleTarget(params);
      if (!target.roles.includes(role.id)) {
        target.roles.push(role.id);
        this.#memberUpdated(state, target);
      }
      return noContent();
    });
    r.on("DELETE", MEMBER_ROLE_ROUTE, ({ params }) => {
      const { state, target, role } = this.#memberRoleTarget(params);
      if (target.roles.includes(role.id)) {
        target.roles = target.roles.filter((id) => id !== role.id);
        this.#memberUpdated(state, target);
      }
      return noContent();
    });

    // Direct messages and channel messages.
    r.on("POST", "/users/@me/channels", ({ body }) => {
      const recipientId = String((body as { recipient_id?: unknown } | undefined)?.recipient_id ?? "");
      if (!/^\d+$/.test(recipientId))
        throw errors.invalidForm({ recipient_id: fieldError("NUMBER_TYPE_COERCE") });
      let channel = this.#dmChannels.get(recipientId);
      if (!channel) {
        channel = dmChannel(this.#users.get(recipientId) ?? makeUser({ id: recipientId }), nextId());
        this.#dmChannels.set(recipientId, channel);
      }
      return ok(channel);
    });
    r.on("GET", "/channels/:channel", ({ params }) => ok(this.#channel(params.channel!).channel));
    r.on("POST", "/channels/:channel/messages", ({ params, body }) => {
      const { channel, guild } = this.#channel(params.channel!);
      if (channel.type === ChannelType.DM) {
        const recipient = channel.recipients?.[0]?.id;
        if (recipient !== undefined && this.#blockedDms.has(recipient)) throw errors.cannotDm();
      } else if (guild) {
        this.#requirePermission(
          guild,
          channel.type === ChannelType.PublicThread
            ? PermissionFlagsBits.SendMessagesInThreads
            : PermissionFlagsBits.SendMessages,
        );
      }
      const sent = this.#createMessage(channel.id, body as RESTPostAPIChannelMessageJSONBody, false);
      const thread = guild?.threads.get(channel.id);
      if (thread) {
        thread.last_message_id = sent.id;
        thread.message_count = (thread.message_count ?? 0) + 1;
        thread.total_message_sent = (thread.total_message_sent ?? 0) + 1;
      }
      return ok(sent);
    });
    // Threads: on a message (the thread takes the message's id; one per message), or without one.
    r.on("POST", THREAD_FROM_MESSAGE_ROUTE, ({ params, body }) => {
      const { channel, guild } = this.#threadParent(params.channel!);
      const message = this.#channelMessage(params);
      this.#requirePermission(guild, PermissionFlagsBits.CreatePublicThreads);
      if (message.thread || guild.threads.has(message.id)) throw errors.threadAlreadyCreated();
      const thread = this.#createThread(guild, channel, message.id, body);
      message.thread = clone(thread);
      message.flags = ((message.flags ?? 0) | MessageFlags.HasThread) as MessageFlags;
      return ok(clone(thread), 201);
    });
    r.on("POST", THREAD_ROUTE, ({ params, body }) => {
      const { channel, guild } = this.#threadParent(params.channel!);
      const type = (body as { type?: unknown } | undefined)?.type ?? ChannelType.PrivateThread;
      // Only public threads are modelled (what the bot opens); Discord's default here is a private one.
      if (type !== ChannelType.PublicThread)
        throw errors.invalidForm({ type: fieldError("BASE_TYPE_CHOICES") });
      this.#requirePermission(guild, PermissionFlagsBits.CreatePublicThreads);
      return ok(clone(this.#createThread(guild, channel, nextId(), body)), 201);
    });
    r.on("GET", "/guilds/:guild/threads/active", ({ params }) => {
      const state = this.#requireGuild(params.guild!);
      if (!state.members.has(this.botUser.id)) throw errors.missingAccess();
      const threads = [...state.threads.values()].filter((t) => !t.thread_metadata?.archived);
      return ok({ threads: threads.map(clone), members: [] });
    });
    r.on("GET", "/channels/:channel/messages/:message", ({ params }) => ok(this.#channelMessage(params)));
    r.on("PATCH", "/channels/:channel/messages/:message", ({ params, body }) => {
      const target = this.#channelMessage(params);
      if (target.author.id !== this.botUser.id) throw errors.notAuthor();
      return ok(editMessage(target, body as RESTPostAPIChannelMessageJSONBody));
    });
    r.on("DELETE", "/channels/:channel/messages/:message", ({ params }) => {
      this.#messages.delete(this.#channelMessage(params).id);
      return noContent();
    });
    return r;
  }

  // -- OAuth2 ------------------------------------------------------------------------------------

  /**
   * Discord's OAuth2 as a browser and a server meet it: the authorize page (GET, and the form it
   * posts), the token endpoint (form-encoded, client id and secret), and GET /users/@me with the
   * user's Bearer token. Null for every other request.
   */
  #oauth(
    call: DiscordCall,
    api: boolean,
    url: URL,
    raw: Buffer,
    authorization: string | undefined,
  ): { status: number; body?: unknown; html?: string; headers?: Record<string, string> } | null {
    if (!api && call.path === "/oauth2/authorize") {
      const form = call.method === "POST" ? new URLSearchParams(raw.toString("utf8")) : url.searchParams;
      const clientId = form.get("client_id") ?? "";
      const redirectUri = form.get("redirect_uri") ?? "";
      const state = form.get("state");
      const scopes = (form.get("scope") ?? "").split(/[ +]/).filter(Boolean);
      if (clientId !== this.applicationId) return page(400, "Unknown application", "Invalid client_id.");
      if (!this.redirectUris.includes(redirectUri))
        return page(
          400,
          "Invalid OAuth2 redirect_uri",
          "This redirect is not registered for the application.",
        );
      if (form.get("response_type") !== "code" || scopes.length === 0)
        return page(400, "Invalid request", "response_type=code and a scope are required.");
      const back = new URL(redirectUri);
      if (state !== null) back.searchParams.set("state", state);
      if (call.method === "GET") {
        const user = this.browserUser;
        if (!user) return page(200, "Log in", "Nobody is logged in to Discord in this browser.");
        const hidden = [...url.searchParams]
          .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
          .join("");
        return page(
          200,
          `${escapeHtml(this.botUser.username)} wants to access your account`,
          `<p>Signed in as <strong id="who">${escapeHtml(user.username)}</strong></p><ul>${scopes
            .map((sc) => `<li>${escapeHtml(SCOPE_TEXT[sc] ?? sc)}</li>`)
            .join(
              "",
            )}</ul><form method="post" action="/oauth2/authorize">${hidden}<button name="decision" value="cancel">Cancel</button> <button name="decision" value="authorize">Authorize</button></form>`,
        );
      }
      if (call.method !== "POST") return null;
      if (form.get("decision") !== "authorize" || !this.browserUser) {
        back.searchParams.set("error", "access_denied");
        back.searchParams.set(
          "error_description",
          "The resource owner or authorization server denied the request",
        );
        return { status: 302, headers: { location: back.href } };
      }
      const code = randomToken();
      this.#oauthCodes.set(code, {
        userId: this.browserUser.id,
        scopes,
        redirectUri,
        expiresAt: Date.now() + 10 * 60_000,
      });
      this.#users.set(this.browserUser.id, this.browserUser);
      back.searchParams.set("code", code);
      return { status: 302, headers: { location: back.href } };
    }
    if (api && call.method === "POST" && call.path === "/oauth2/token") {
      const form = new URLSearchParams(raw.toString("utf8"));
      const basic = authorization?.startsWith("Basic ")
        ? Buffer.from(authorization.slice(6), "base64").toString("utf8").split(":")
        : [];
      const clientId = form.get("client_id") ?? basic[0];
      const secret = form.get("client_secret") ?? basic[1];
      if (clientId !== this.applicationId || secret !== this.clientSecret)
        return { status: 401, body: { error: "invalid_client" } };
      // The application's own token (the owner's identity), as Discord gives it for client credentials.
      if (form.get("grant_type") === "client_credentials") {
        const scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
        if (
          scopes.length === 0 ||
          scopes.some((s) => !["identify", "applications.commands.update"].includes(s))
        )
          return { status: 400, body: { error: "invalid_scope" } };
        const accessToken = randomToken();
        this.#oauthTokens.set(accessToken, {
          userId: this.applicationOwner.id,
          scopes,
          expiresAt: Date.now() + 604_800_000,
        });
        return {
          status: 200,
          body: {
            token_type: "Bearer",
            access_token: accessToken,
            expires_in: 604_800,
            scope: scopes.join(" "),
          },
        };
      }
      if (form.get("grant_type") !== "authorization_code")
        return { status: 400, body: { error: "unsupported_grant_type" } };
      const code = this.#oauthCodes.get(form.get("code") ?? "");
      this.#oauthCodes.delete(form.get("code") ?? "");
      if (!code || code.expiresAt < Date.now() || code.redirectUri !== form.get("redirect_uri"))
        return {
          status: 400,
          body: { error: "invalid_grant", error_description: 'Invalid "code" in request.' },
        };
      const accessToken = randomToken();
      this.#oauthTokens.set(accessToken, {
        userId: code.userId,
        scopes: code.scopes,
        expiresAt: Date.now() + 604_800_000,
      });
      return {
        status: 200,
        body: {
          token_type: "Bearer",
          access_token: accessToken,
          expires_in: 604_800,
          refresh_token: randomToken(),
          scope: code.scopes.join(" "),
        },
      };
    }
    if (api && call.method === "GET" && call.path === "/users/@me" && authorization?.startsWith("Bearer ")) {
      const token = this.#oauthTokens.get(authorization.slice(7));
      if (!token || token.expiresAt < Date.now() || !token.scopes.includes("identify"))
        return { status: 401, body: { message: "401: Unauthorized", code: 0 } };
      return { status: 200, body: this.#users.get(token.userId) };
    }
    return null;
  }

  #addMemberWithToken(params: Record<string, string>, body: unknown): Reply {
    const state = this.#requireGuild(params.guild!);
    const input = (body ?? {}) as { access_token?: unknown; roles?: unknown };
    const token =
      typeof input.access_token === "string" ? this.#oauthTokens.get(input.access_token) : undefined;
    if (!token || token.expiresAt < Date.now() || token.userId !== params.user)
      throw new DiscordApiError(
        403,
        RESTJSONErrorCodes.InvalidOAuth2AccessToken,
        "Invalid OAuth2 access token",
      );
    if (!token.scopes.includes("guilds.join"))
      throw new DiscordApiError(403, RESTJSONErrorCodes.MissingAccess, "Missing Access");
    if (state.members.has(params.user!)) return noContent();
    this.#requirePermission(state, PermissionFlagsBits.CreateInstantInvite);
    const roles = Array.isArray(input.roles) ? input.roles.map(String) : [];
    for (const roleId of roles) this.#requireManageable(state, roleId);
    const user = this.#users.get(params.user!) ?? makeUser({ id: params.user! });
    const added = makeMember({ user, roles, joined_at: new Date().toISOString() });
    this.addMember(state.base.id, added);
    return ok(clone(added), 201);
  }

  // -- route helpers ----------------------------------------------------------------------------

  #application(): APIApplication {
    const teamMembers = this.#options.teamMembers;
    const team = teamMembers && {
      id: `${this.applicationId}1`,
      icon: null,
      name: "creators",
      owner_user_id: teamMembers[0]?.id ?? this.applicationOwner.id,
      members: teamMembers.map((user) => ({
        membership_state: 2,
        team_id: `${this.applicationId}1`,
        user,
        role: "admin",
      })),
    };
    return {
      id: this.applicationId,
      name: this.botUser.username,
      icon: null,
      description: "",
      // A team-owned application's `owner` is the team's pseudo-user.
      owner: team ? makeUser({ id: team.id, username: `team${team.id}` }) : this.applicationOwner,
      team: (team ?? null) as APIApplication["team"],
      bot_public: this.botPublic,
      bot_require_code_grant: false,
      bot: this.botUser,
      summary: "",
      verify_key: "0".repeat(64),
      flags: this.applicationFlags as ApplicationFlags,
      flags_new: "0",
      approximate_guild_count: this.#guilds.size,
      redirect_uris: [...this.redirectUris],
    };
  }

  #commandScope(params: Record<string, string>): string {
    if (params.application !== this.applicationId) throw errors.missingAccess();
    if (params.guild === undefined) return "global";
    if (!this.#guilds.has(params.guild)) throw errors.missingAccess();
    return params.guild;
  }

  #command(params: Record<string, string>): APIApplicationCommand {
    return (
      this.#commands.get(this.#commandScope(params))?.get(params.command!) ??
      throwError(errors.unknownCommand())
    );
  }

  #toCommand(scope: string, body: RESTPostAPIApplicationCommandsJSONBody, id: string): APIApplicationCommand {
    return {
      ...body,
      id,
      application_id: this.applicationId,
      version: nextId(),
      type: body.type ?? ApplicationCommandType.ChatInput,
      description: "description" in body && typeof body.description === "string" ? body.description : "",
      default_member_permissions: body.default_member_permissions ?? null,
      ...(scope !== "global" && { guild_id: scope }),
    } as APIApplicationCommand;
  }

  #overwriteCommands(params: Record<string, string>, body: unknown): APIApplicationCommand[] {
    const scope = this.#commandScope(params);
    if (!Array.isArray(body)) throw errors.invalidForm({ _errors: fieldError("BASE_TYPE_ARRAY")._errors });
    const bodies = body as RESTPostAPIApplicationCommandsJSONBody[];
    const problemsByIndex: Record<string, unknown> = {};
    const seen = new Set<string>();
    bodies.forEach((b, i) => {
      const problems = validateCommand(b);
      const key = `${b.type ?? 1}:${b.name}`;
      if (seen.has(key)) problems.name = fieldError("APPLICATION_COMMANDS_DUPLICATE_NAME");
      seen.add(key);
      if (Object.keys(problems).length > 0) problemsByIndex[i] = problems;
    });
    if (Object.keys(problemsByIndex).length > 0) throw errors.invalidForm(problemsByIndex);
    const previous = this.#commands.get(scope) ?? new Map<string, APIApplicationCommand>();
    const byName = new Map([...previous.values()].map((c) => [`${c.type}:${c.name}`, c.id]));
    const next = new Map<string, APIApplicationCommand>();
    for (const b of bodies) {
      const command = this.#toCommand(scope, b, byName.get(`${b.type ?? 1}:${b.name}`) ?? nextId());
      next.set(command.id, command);
    }
    this.#commands.set(scope, next);
    return [...next.values()];
  }

  #upsertCommand(params: Record<string, string>, body: unknown): Reply {
    const scope = this.#commandScope(params);
    const b = body as RESTPostAPIApplicationCommandsJSONBody;
    const problems = validateCommand(b);
    if (Object.keys(problems).length > 0) throw errors.invalidForm(problems);
    const commands = this.#commands.get(scope) ?? new Map<string, APIApplicationCommand>();
    this.#commands.set(scope, commands);
    const existing = [...commands.values()].find((c) => c.name === b.name && c.type === (b.type ?? 1));
    const command = this.#toCommand(scope, b, existing?.id ?? nextId());
    commands.set(command.id, command);
    return ok(command, existing ? 200 : 201);
  }

  #patchCommand(params: Record<string, string>, body: unknown): APIApplicationCommand {
    const current = this.#command(params);
    const patched = {
      ...current,
      ...(body as object),
      id: current.id,
      version: nextId(),
    } as APIApplicationCommand;
    this.#commands.get(this.#commandScope(params))?.set(current.id, patched);
    return patched;
  }

  #interactionCallback({ params, query, body }: RouteContext): Reply {
    const record = this.#interactions.get(params.interaction!);
    if (!record || record.payload.token !== params.token) throw errors.unknownInteraction();
    if (record.acknowledged) throw errors.alreadyAcknowledged();
    if (Date.now() - record.receivedAt > (this.#options.interactionResponseWindowMs ?? 3_000)) {
      throw errors.unknownInteraction();
    }
    const response = body as APIInteractionResponse;
    record.acknowledged = true;
    record.response = response;
    const channelId = channelIdOf(record);
    const data = ("data" in response ? response.data : undefined) as
      | RESTPostAPIChannelMessageJSONBody
      | undefined;
    switch (response.type) {
      case InteractionResponseType.ChannelMessageWithSource:
        record.original = this.#createMessage(channelId, data ?? {}, true);
        break;
      case InteractionResponseType.DeferredChannelMessageWithSource:
        record.original = this.#createMessage(
          channelId,
          { content: "", flags: ((data?.flags ?? 0) | MessageFlags.Loading) as MessageFlags },
          true,
        );
        break;
      case InteractionResponseType.UpdateMessage:
      case InteractionResponseType.DeferredMessageUpdate:
        if (record.payload.message) {
          const target = this.#messages.get(record.payload.message.id) ?? clone(record.payload.message);
          this.#messages.set(target.id, target);
          record.original =
            response.type === InteractionResponseType.UpdateMessage
              ? editMessage(target, data ?? {})
              : target;
        }
        break;
      default:
        break;
    }
    if (query.get("with_response") !== "true") return noContent();
    const result: RESTPostAPIInteractionCallbackWithResponseResult = {
      interaction: {
        id: record.payload.id,
        type: record.payload.type,
        ...(record.original && {
          response_message_id: record.original.id,
          response_message_loading: ((record.original.flags ?? 0) & MessageFlags.Loading) !== 0,
          response_message_ephemeral: ((record.original.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
        }),
      },
      resource: { type: response.type, ...(record.original && { message: record.original }) },
    };
    return ok(result);
  }

  #interactionByToken(params: Record<string, string>): InteractionRecord {
    for (const record of this.#interactions.values()) {
      if (record.payload.token === params.token && record.payload.application_id === params.application) {
        return record;
      }
    }
    throw errors.unknownWebhook();
  }

  #webhookMessage(params: Record<string, string>): APIMessage {
    const record = this.#interactionByToken(params);
    const found =
      params.message === "@original"
        ? record.original
        : record.followups.find((m) => m.id === params.message);
    return found ?? throwError(errors.unknownMessage());
  }

  #createMessage(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody,
    viaWebhook: boolean,
  ): APIMessage {
    const created = makeMessage({
      channel_id: channelId,
      author: this.botUser,
      timestamp: new Date().toISOString(),
      content: body.content ?? "",
      embeds: body.embeds ?? [],
      ...(body.components && { components: body.components }),
      ...(body.flags !== undefined && { flags: body.flags }),
      ...(viaWebhook && { webhook_id: this.applicationId, application_id: this.applicationId }),
    });
    this.#messages.set(created.id, created);
    return created;
  }

  #channel(channelId: string): {
    channel: APITextChannel | APIThreadChannel | APIDMChannel;
    guild?: GuildState;
  } {
    for (const state of this.#guilds.values()) {
      const channel = state.channels.get(channelId) ?? state.threads.get(channelId);
      if (channel) return { channel, guild: state };
    }
    for (const channel of this.#dmChannels.values()) if (channel.id === channelId) return { channel };
    throw errors.unknownChannel();
  }

  /** A server's text or announcement channel a thread can start in (Discord answers 50024 otherwise). */
  #threadParent(channelId: string): { channel: APITextChannel; guild: GuildState } {
    const { channel, guild } = this.#channel(channelId);
    if (!guild) throw errors.cannotExecuteOnChannelType();
    if (!guild.members.has(this.botUser.id)) throw errors.missingAccess();
    const type: number = channel.type;
    if (type !== ChannelType.GuildText && type !== ChannelType.GuildAnnouncement)
      throw errors.cannotExecuteOnChannelType();
    return { channel: channel as APITextChannel, guild };
  }

  /** A public thread in Discord's shape, stored and announced (THREAD_CREATE). */
  #createThread(guild: GuildState, parent: APITextChannel, id: string, body: unknown): APIThreadChannel {
    const input = (body ?? {}) as { name?: unknown; auto_archive_duration?: unknown };
    const name = typeof input.name === "string" ? input.name : "";
    if (name.length < 1 || [...name].length > 100)
      throw errors.invalidForm({ name: fieldError("BASE_TYPE_BAD_LENGTH") });
    const archive = input.auto_archive_duration ?? 4320;
    if (![60, 1440, 4320, 10080].includes(Number(archive)))
      throw errors.invalidForm({ auto_archive_duration: fieldError("BASE_TYPE_CHOICES") });
    const now = new Date().toISOString();
    const thread = {
      id,
      type: ChannelType.PublicThread,
      guild_id: guild.base.id,
      parent_id: parent.id,
      owner_id: this.botUser.id,
      name,
      last_message_id: null,
      rate_limit_per_user: 0,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      flags: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: Number(archive),
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
      },
    } as unknown as APIThreadChannel;
    guild.threads.set(id, thread);
    this.#dispatchGuilds("THREAD_CREATE", { ...clone(thread), newly_created: true });
    return thread;
  }

  #channelMessage(params: Record<string, string>): APIMessage {
    this.#channel(params.channel!);
    const found = this.#messages.get(params.message!);
    return found && found.channel_id === params.channel ? found : throwError(errors.unknownMessage());
  }

  #requireGuild(guildId: string): GuildState {
    return this.#guilds.get(guildId) ?? throwError(errors.unknownGuild());
  }

  #requireMember(state: GuildState, userId: string): APIGuildMember {
    return state.members.get(userId) ?? throwError(errors.unknownMember());
  }

  #botPermissions(state: GuildState): bigint {
    if (state.base.owner_id === this.botUser.id) return ALL_PERMISSIONS;
    const me = state.members.get(this.botUser.id);
    if (!me) return 0n;
    let bits = BigInt(state.roles.get(state.base.id)?.permissions ?? "0");
    for (const id of me.roles) bits |= BigInt(state.roles.get(id)?.permissions ?? "0");
    return bits & PermissionFlagsBits.Administrator ? ALL_PERMISSIONS : bits;
  }

  #requirePermission(state: GuildState, flag: bigint): void {
    if (!state.members.has(this.botUser.id)) throw errors.missingAccess();
    if ((this.#botPermissions(state) & flag) === 0n) throw errors.missingPermissions();
  }

  /** Manage Roles, and the role strictly below the bot's highest role and not managed by an integration. */
  #requireManageable(state: GuildState, roleId: string): APIRole {
    const target = state.roles.get(roleId) ?? throwError(errors.unknownRole());
    this.#requirePermission(state, PermissionFlagsBits.ManageRoles);
    if (state.base.owner_id === this.botUser.id) return target;
    const myRoles = (state.members.get(this.botUser.id)?.roles ?? [])
      .map((id) => state.roles.get(id))
      .filter((r): r is APIRole => r !== undefined);
    const top = myRoles.sort(compareRoles).at(-1);
    if (!top || compareRoles(target, top) >= 0 || target.managed || target.id === state.base.id) {
      throw errors.missingPermissions();
    }
    return target;
  }

  #memberRoleTarget(params: Record<string, string>) {
    const state = this.#requireGuild(params.guild!);
    const target = this.#requireMember(state, params.user!);
    const role = this.#requireManageable(state, params.role!);
    return { state, target, role };
  }

  #patchMember(params: Record<string, string>, body: unknown): APIGuildMember {
    const state = this.#requireGuild(params.guild!);
    const target = this.#requireMember(state, params.user!);
    const patch = (body ?? {}) as RESTPatchAPIGuildMemberJSONBody;
    if (patch.roles) {
      const next = new Set(patch.roles);
      const changed = [...next].filter((id) => !target.roles.includes(id));
      changed.push(...target.roles.filter((id) => !next.has(id)));
      for (const id of changed) this.#requireManageable(state, id);
      target.roles = [...next];
    }
    if (patch.nick !== undefined) {
      this.#requirePermission(state, PermissionFlagsBits.ManageNicknames);
      target.nick = patch.nick;
    }
    this.#memberUpdated(state, target);
    return target;
  }

  #listMembers(guildId: string, query: URLSearchParams): APIGuildMember[] {
    const state = this.#requireGuild(guildId);
    const limit = Number(query.get("limit") ?? "1");
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw errors.invalidForm({ limit: fieldError("NUMBER_TYPE_MAX") });
    }
    const after = query.get("after") ?? "0";
    state.sorted ??= [...state.members.values()].sort((a, b) => byId(a.user.id, b.user.id));
    const sorted = state.sorted;
    // The first member whose id is above `after` (binary search), then a page from there.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (byId(sorted[mid]!.user.id, after) > 0) hi = mid;
      else lo = mid + 1;
    }
    return sorted.slice(lo, lo + limit);
  }

  #createRole(guildId: string, body: unknown): APIRole {
    const state = this.#requireGuild(guildId);
    this.#requirePermission(state, PermissionFlagsBits.ManageRoles);
    const b = (body ?? {}) as RESTPostAPIGuildRoleJSONBody;
    const created: APIRole = {
      id: nextId(),
      name: b.name ?? "new role",
      color: b.color ?? 0,
      colors: { primary_color: b.color ?? 0, secondary_color: null, tertiary_color: null },
      hoist: b.hoist ?? false,
      position: 1,
      permissions: b.permissions ?? state.roles.get(state.base.id)?.permissions ?? "0",
      managed: false,
      mentionable: b.mentionable ?? false,
      flags: 0 as RoleFlags,
    };
    state.roles.set(created.id, created);
    this.#dispatchGuilds("GUILD_ROLE_CREATE", { guild_id: guildId, role: created });
    return created;
  }

  #createChannel(guildId: string, body: unknown): APITextChannel {
    const state = this.#requireGuild(guildId);
    this.#requirePermission(state, PermissionFlagsBits.ManageChannels);
    const b = (body ?? {}) as Partial<APITextChannel>;
    if (!b.name) throw errors.invalidForm({ name: fieldError("BASE_TYPE_REQUIRED") });
    const created: APITextChannel = {
      id: nextId(),
      type: ChannelType.GuildText,
      guild_id: guildId,
      name: b.name,
      position: state.channels.size,
      permission_overwrites: b.permission_overwrites ?? [],
      nsfw: false,
      parent_id: b.parent_id ?? null,
      topic: b.topic ?? null,
      last_message_id: null,
      rate_limit_per_user: 0,
    };
    state.channels.set(created.id, created);
    this.#dispatchGuilds("CHANNEL_CREATE", created);
    return created;
  }

  #guildCreate(state: GuildState): GuildCreate {
    const members = [...state.members.values()];
    return {
      ...state.base,
      roles: [...state.roles.values()],
      channels: [...state.channels.values()],
      // Active threads come apart from the channels, as on Discord.
      threads: [...state.threads.values()].filter((t) => !t.thread_metadata?.archived),
      members,
      member_count: members.length,
    };
  }

  #hasIntent(intents: number, intent: GatewayIntentBits): boolean {
    return (intents & intent) !== 0;
  }

  #dispatchGuilds(t: string, d: unknown): void {
    this.gateway.dispatch(t, d, (s) => this.#hasIntent(s.intents, GatewayIntentBits.Guilds));
  }

  #dispatchMembers(t: string, d: unknown): void {
    this.gateway.dispatch(t, d, (s) => this.#hasIntent(s.intents, GatewayIntentBits.GuildMembers));
  }

  #memberUpdated(state: GuildState, target: APIGuildMember): void {
    this.#dispatchMembers("GUILD_MEMBER_UPDATE", { ...clone(target), guild_id: state.base.id });
  }
}

export const startDiscordStandin = (options?: DiscordStandinOptions): Promise<DiscordStandin> =>
  DiscordStandin.start(options);

// ---------------------------------------------------------------------------------------------------
// Helpers

function throwError(error: Error): never {
  throw error;
}

function decodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

async function parseDiscordFiles(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ name: string; content: string; bytes: Buffer }[]> {
  if (raw.length === 0 || !contentType?.startsWith("multipart/form-data")) return [];
  const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
  const files: { name: string; content: string; bytes: Buffer }[] = [];
  for (const [, value] of form.entries()) {
    if (typeof value === "string") continue;
    const bytes = Buffer.from(await value.arrayBuffer());
    files.push({ name: value.name, content: bytes.toString("utf8"), bytes });
  }
  return files;
}

const SCOPE_TEXT: Record<string, string> = {
  identify: "Access your username, avatar, and banner",
  "guilds.join": "Join servers for you",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string) {
  return {
    status,
    html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${title}</h1>${body}</body></html>`,
  };
}

function randomToken(): string {
  return randomBytes(18).toString("base64url");
}

async function parseDiscordBody(raw: Buffer, contentType: string | undefined): Promise<unknown> {
  if (raw.length === 0) return undefined;
  if (contentType?.startsWith("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    const json = form.get("payload_json");
    return typeof json === "string"
      ? JSON.parse(json)
      : Object.fromEntries([...form.keys()].map((k) => [k, "(file)"]));
  }
  try {
    return parseJson(raw);
  } catch {
    return raw.toString("utf8");
  }
}

function channelIdOf(record: InteractionRecord): string {
  return record.payload.channel_id ?? record.payload.channel?.id ?? "0";
}

function editMessage(target: APIMessage, body: RESTPostAPIChannelMessageJSONBody): APIMessage {
  if (body.content !== undefined) target.content = body.content;
  if (body.embeds !== undefined) target.embeds = body.embeds;
  if (body.components !== undefined) target.components = body.components;
  if (body.flags !== undefined) target.flags = body.flags;
  if (target.flags !== undefined) target.flags = (target.flags & ~MessageFlags.Loading) as MessageFlags;
  target.edited_timestamp = new Date().toISOString();
  return target;
}

function pickDefined<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined && source[key] !== null) picked[key] = source[key];
  return picked;
}

function fieldError(code: string): { _errors: { code: string; message: string }[] } {
  return { _errors: [{ code, message: code.toLowerCase().replaceAll("_", " ") }] };
}

const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The checks Discord applies to chat-input commands that a typo in `commands/` would trip. */
function validateCommand(body: RESTPostAPIApplicationCommandsJSONBody): Record<string, unknown> {
  const problems: Record<string, unknown> = {};
  if ((body.type ?? ApplicationCommandType.ChatInput) !== ApplicationCommandType.ChatInput) return problems;
  if (
    typeof body.name !== "string" ||
    !NAME_PATTERN.test(body.name) ||
    body.name !== body.name.toLowerCase()
  ) {
    problems.name = fieldError("APPLICATION_COMMAND_INVALID_NAME");
  }
  const description = "description" in body ? body.description : undefined;
  if (typeof description !== "string" || description.length < 1 || description.length > 100) {
    problems.description = fieldError("BASE_TYPE_BAD_LENGTH");
  }
  const options = "options" in body ? (body.options as APIApplicationCommandOption[] | undefined) : undefined;
  const optionProblems = validateOptions(options ?? []);
  if (optionProblems) problems.options = optionProblems;
  return problems;
}

function validateOptions(options: APIApplicationCommandOption[]): Record<string, unknown> | undefined {
  const problems: Record<string, unknown> = {};
  if (options.length > 25) return { _errors: fieldError("BASE_TYPE_MAX_LENGTH")._errors };
  let sawOptional = false;
  options.forEach((option, i) => {
    const p: Record<string, unknown> = {};
    if (!NAME_PATTERN.test(option.name) || option.name !== option.name.toLowerCase()) {
      p.name = fieldError("APPLICATION_COMMAND_INVALID_NAME");
    }
    if (!option.description || option.description.length > 100)
      p.description = fieldError("BASE_TYPE_BAD_LENGTH");
    const required = "required" in option && option.required === true;
    if (required && sawOptional) p.required = fieldError("APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID");
    if (!required) sawOptional = true;
    if ("options" in option && option.options) {
      const nested = validateOptions(option.options as APIApplicationCommandOption[]);
      if (nested) p.options = nested;
    }
    if (Object.keys(p).length > 0) problems[i] = p;
  });
  return Object.keys(problems).length > 0 ? problems : undefined;
}
