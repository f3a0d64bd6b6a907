/**
 * Drives the real bot through the Discord stand-in: servers with a creator and fans, slash-command
 * and component interactions (with the `resolved` data Discord sends for role and user options), and
 * the Stripe checkout a fan completes.
 */
import {
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIEmbed,
  type APIInteraction,
  type APIMessage,
  type APIRole,
  type APIUser,
  ApplicationCommandOptionType,
  type InteractionType,
  Locale,
  MessageFlags,
  PermissionFlagsBits,
} from "discord-api-types/v10";
import { MEMBER_ROLE_ROUTE } from "../../standins/discord.ts";
import {
  botRole,
  guild,
  member,
  permissions,
  role,
  slashCommand,
  user,
} from "../../standins/discord-payloads.ts";
import { pay, until } from "../../support/helpers.ts";
import type { DiscordHarness } from "../harness.ts";

type Option = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>;

export const opt = {
  str: (name: string, value: string): Option => ({ type: ApplicationCommandOptionType.String, name, value }),
  int: (name: string, value: number): Option => ({ type: ApplicationCommandOptionType.Integer, name, value }),
  bool: (name: string, value: boolean): Option => ({
    type: ApplicationCommandOptionType.Boolean,
    name,
    value,
  }),
  role: (name: string, value: APIRole): Option => ({
    type: ApplicationCommandOptionType.Role,
    name,
    value: value.id,
  }),
  user: (name: string, value: APIUser): Option => ({
    type: ApplicationCommandOptionType.User,
    name,
    value: value.id,
  }),
};

/** `/tribe <group> <sub>` or `/tribe <sub>` options as Discord nests them. */
export function sub(path: [string] | [string, string], options: Option[] = []): Option[] {
  const [first, second] = path;
  const leaf = { type: ApplicationCommandOptionType.Subcommand, name: second ?? first, options } as Option;
  return second
    ? [{ type: ApplicationCommandOptionType.SubcommandGroup, name: first, options: [leaf] } as Option]
    : [leaf];
}

export interface Server {
  id: string;
  owner: APIUser;
  botRole: APIRole;
  /** A role above the bot's: the bot cannot give it. */
  highRole: APIRole;
}

/**
 * A server where the bot may manage roles and channels, owned by the creator (the application's
 * owner), who makes it a home server with /tribe setup (unless `home: false`); waits until the bot
 * sees it.
 */
export async function addServer(
  h: DiscordHarness,
  opts: { botPermissions?: bigint[]; home?: boolean; owner?: APIUser } = {},
): Promise<Server> {
  const owner = opts.owner ?? h.discord.applicationOwner;
  const bot = botRole({
    position: 5,
    permissions: permissions(
      ...(opts.botPermissions ?? [
        PermissionFlagsBits.ManageRoles,
        PermissionFlagsBits.ManageChannels,
        PermissionFlagsBits.ViewChannel,
        PermissionFlagsBits.SendMessages,
      ]),
    ),
  });
  const highRole = role({ name: "Moderators", position: 9 });
  const g = guild({ ownerId: owner.id, members: [member({ user: owner })], roles: [highRole] });
  h.discord.addGuild(g, { botRole: bot });
  await until(() => h.app.discord!.client.guilds.cache.has(g.id), "the bot to see the server");
  const server = { id: g.id, owner, botRole: bot, highRole };
  if (opts.home !== false) {
    const answer = await interact(h, creator(server, sub(["setup"])));
    if (!answer.content.includes("home server"))
      throw new Error(`/tribe setup did not bind: ${answer.content}`);
  }
  return server;
}

/**
 * The usual opening: the bot connected, a home server, and a tier created there with
 * `/tribe tier create` (Gold at 5 EUR unless said otherwise).
 */
export async function homeServerWithTier(
  h: DiscordHarness,
  tier: { name: string; price?: string } = { name: "Gold" },
): Promise<{ server: Server; tier: { slug: string; roleId: string; answer: Answer } }> {
  await h.discord.waitForReady();
  const server = await addServer(h);
  return { server, tier: await createTierViaDiscord(h, server, tier) };
}

/** A fan who is in the server. */
export function addFan(h: DiscordHarness, server: Server, name?: string): APIUser {
  const fan = user(name ? { username: name } : {});
  h.discord.addMember(server.id, member({ user: fan }));
  return fan;
}

export interface Answer {
  content: string;
  embeds: APIEmbed[];
  /** Link buttons' URLs. */
  urls: string[];
  /** custom_ids of buttons and menus. */
  customIds: string[];
  ephemeral: boolean;
  /** Interaction response types sent, in order (4 reply, 5 deferred, 7 update, 6 deferred update). */
  responseType: number | undefined;
  interactionId: string;
  /** The message as the bot left it (to press its components next, e.g. a private ballot's). */
  message: APIMessage;
}

/** Dispatches an interaction and waits for the bot's final answer. */
export async function interact(h: DiscordHarness, payload: APIInteraction): Promise<Answer> {
  const record = h.discord.interaction(payload);
  await until(
    () => {
      const done = h.logs.lines.some(
        (l) =>
          l.interactionId === payload.id &&
          [
            "discord.interaction.handled",
            "discord.interaction.refused",
            "discord.interaction.failed",
          ].includes(String(l.event)),
      );
      const original = record.original;
      return done && original !== undefined && ((original.flags ?? 0) & MessageFlags.Loading) === 0;
      // A creator's close (results, chart) on a machine running other tests beside can take more than 10 s.
    },
    `an answer to interaction ${payload.id}`,
    20_000,
  );
  return toAnswer(record.original!, record.response?.type, payload.id);
}

function toAnswer(message: APIMessage, responseType: number | undefined, interactionId: string): Answer {
  // Action rows of buttons and menus, read loosely: only `url` and `custom_id` matter here.
  const components = (message.components ?? []).flatMap((row) =>
    "components" in row ? (row.components as { url?: string; custom_id?: string }[]) : [],
  );
  return {
    content: message.content,
    embeds: message.embeds,
    urls: components.flatMap((c) => (c.url ? [c.url] : [])),
    customIds: components.flatMap((c) => (c.custom_id ? [c.custom_id] : [])),
    ephemeral: ((message.flags ?? 0) & MessageFlags.Ephemeral) !== 0,
    responseType,
    interactionId,
    // A copy: the stand-in edits the message in place when a later press updates it.
    message: structuredClone(message),
  };
}

export interface Invoker {
  user: APIUser;
  guildId?: string;
  locale?: Locale;
  /** Manage Server by default for creators. */
  permissions?: string;
  roles?: string[];
  /** The channel the command runs in (a random one by default). */
  channelId?: string;
}

/** A slash command with Discord's `resolved` map for role and user options. */
export function command(
  who: Invoker,
  name: string,
  options: Option[] = [],
  resolved: { roles?: APIRole[]; users?: APIUser[] } = {},
): APIChatInputApplicationCommandInteraction {
  const payload = slashCommand({
    name,
    options,
    user: who.user,
    locale: who.locale ?? Locale.EnglishUS,
    ...(who.guildId !== undefined ? { guildId: who.guildId } : {}),
    ...(who.permissions !== undefined ? { permissions: who.permissions } : {}),
    ...(who.roles !== undefined ? { roles: who.roles } : {}),
    ...(who.channelId !== undefined ? { channelId: who.channelId } : {}),
  });
  if (resolved.roles || resolved.users) {
    payload.data.resolved = {
      ...(resolved.roles ? { roles: Object.fromEntries(resolved.roles.map((r) => [r.id, r])) } : {}),
      ...(resolved.users ? { users: Object.fromEntries(resolved.users.map((u) => [u.id, u])) } : {}),
    };
  }
  return payload;
}

export const CREATOR_PERMISSIONS = permissions(
  PermissionFlagsBits.ManageGuild,
  PermissionFlagsBits.ViewChannel,
);

/** `/tribe …` run by the server's owner. */
export function creator(
  server: Server,
  options: Option[],
  resolved?: { roles?: APIRole[]; users?: APIUser[] },
) {
  return command(
    { user: server.owner, guildId: server.id, permissions: CREATOR_PERMISSIONS },
    "tribe",
    options,
    resolved,
  );
}

/** Creates a tier through `/tribe tier create` and returns its slug and role id. */
export async function createTierViaDiscord(
  h: DiscordHarness,
  server: Server,
  input: { name: string; price?: string; currency?: string; extra?: Option[] },
): Promise<{ slug: string; roleId: string; answer: Answer }> {
  const answer = await interact(
    h,
    creator(
      server,
      sub(
        ["tier", "create"],
        [
          opt.str("name", input.name),
          opt.str("price", input.price ?? "5"),
          opt.str("currency", input.currency ?? "eur"),
          ...(input.extra ?? []),
        ],
      ),
    ),
  );
  const tier = await h.deps.db.tier.findFirstOrThrow({
    where: { name: input.name },
    include: { access: true },
  });
  const roleId = tier.access.find((a) => a.guildId === server.id)?.roleId;
  if (!roleId) throw new Error(`tier ${input.name} has no role: ${answer.content}`);
  return { slug: tier.slug, roleId, answer };
}

/** The fan runs /join for a tier; returns the Checkout Session id behind the link. */
export async function join(
  h: DiscordHarness,
  server: Server,
  fan: APIUser,
  tier?: string,
): Promise<{ sessionId: string; answer: Answer }> {
  const answer = await interact(
    h,
    command({ user: fan, guildId: server.id }, "join", tier ? [opt.str("tier", tier)] : []),
  );
  const call = [...h.stripe.calls]
    .reverse()
    .find(
      (c) =>
        c.method === "POST" &&
        c.path === "/v1/checkout/sessions" &&
        c.body.client_reference_id === `discord:${fan.id}`,
    );
  const sessionId = (call?.response as { id?: string } | undefined)?.id;
  if (!sessionId) throw new Error(`no checkout for ${fan.id}: ${answer.content}`);
  return { sessionId, answer };
}

/** The fan runs /join for a tier and pays; returns the subscription id. */
export async function joinAndPay(
  h: DiscordHarness,
  server: Server,
  fan: APIUser,
  tier = "gold",
): Promise<string> {
  return pay(h, (await join(h, server, fan, tier)).sessionId);
}

export function roleCalls(h: DiscordHarness, method: "PUT" | "DELETE", userId: string, roleId?: string) {
  return h.discord.calls.filter(
    (c) =>
      c.method === method &&
      c.route === MEMBER_ROLE_ROUTE &&
      c.params.user === userId &&
      (roleId === undefined || c.params.role === roleId),
  );
}

/** The next answered PUT/DELETE of this role for this user (after call number `afterSeq`). */
export async function waitForRoleCall(
  h: DiscordHarness,
  method: "PUT" | "DELETE",
  userId: string,
  roleId: string,
  afterSeq = 0,
  timeoutMs = 10_000,
) {
  return h.discord.waitForCall(
    (c) =>
      c.seq > afterSeq &&
      c.method === method &&
      c.route === MEMBER_ROLE_ROUTE &&
      c.params.user === userId &&
      c.params.role === roleId &&
      c.status === 204,
    timeoutMs,
  );
}

export function hasRole(h: DiscordHarness, server: Server, userId: string, roleId: string): boolean {
  return h.discord.member(server.id, userId)?.roles.includes(roleId) ?? false;
}

/** Number of the last call the Discord stand-in received, to wait for calls made after it. */
export const lastSeq = (h: DiscordHarness): number => h.discord.calls.at(-1)?.seq ?? 0;
