/**
 * Factories for Discord payloads, typed with discord-api-types so a shape drift fails to compile.
 * Ids come from a deterministic snowflake counter (`resetIds()` restarts it). Interactions carry what
 * discord.js requires or it crashes inside its WebSocket handler: `entitlements`,
 * `authorizing_integration_owners`, and for components `message`.
 */
import {
  type APIApplicationCommandInteractionDataOption,
  type APIChatInputApplicationCommandInteraction,
  type APIDMChannel,
  type APIGuildMember,
  type APIInteractionGuildMember,
  type APIMessage,
  type APIMessageComponentButtonInteraction,
  type APIMessageComponentSelectMenuInteraction,
  type APIMessageTopLevelComponent,
  type APIRole,
  type APITextChannel,
  type APIUser,
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  ComponentType,
  type GatewayGuildCreateDispatchData,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  type GuildMemberFlags,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  type GuildSystemChannelFlags,
  GuildVerificationLevel,
  InteractionContextType,
  InteractionType,
  Locale,
  MessageType,
  PermissionFlagsBits,
  type RoleFlags,
} from "discord-api-types/v10";

// ---------------------------------------------------------------------------------------------------
// Snowflakes

const DISCORD_EPOCH = 1_420_070_400_000n;
/** Entity ids are dated from here on, one millisecond per id: stable across runs. */
const ID_BASE_MS = Date.UTC(2026, 0, 1);
let idCounter = 0;

/** A snowflake for the given time; the low 12 bits carry `increment`. */
export function snowflakeAt(ms: number, increment = 0): string {
  return ((BigInt(ms) - DISCORD_EPOCH) * 4_194_304n + BigInt(increment & 0xfff)).toString();
}

/** Next deterministic id: 1 ms after the previous one. */
export function nextId(): string {
  idCounter++;
  return snowflakeAt(ID_BASE_MS + idCounter, idCounter);
}

/** Restart the id sequence (call in `beforeEach` when a test compares ids literally). */
export function resetIds(): void {
  idCounter = 0;
}

/** The stand-in's bot user id and application id (equal, as for every application made since 2020). */
export const BOT_USER_ID = snowflakeAt(Date.UTC(2025, 0, 1), 1);
export const APPLICATION_ID = BOT_USER_ID;

// ---------------------------------------------------------------------------------------------------
// Users, roles, members, channels, guilds

export function user(overrides: Partial<APIUser> = {}): APIUser {
  const id = overrides.id ?? nextId();
  return {
    id,
    username: `user${id.slice(-4)}`,
    discriminator: "0",
    global_name: null,
    avatar: null,
    ...overrides,
  };
}

export function botUser(overrides: Partial<APIUser> = {}): APIUser {
  return user({ id: BOT_USER_ID, username: "tribegate", bot: true, ...overrides });
}

/** Permissions as Discord sends them: a decimal string of the bitfield. */
export function permissions(...flags: bigint[]): string {
  return flags.reduce((all, flag) => all | flag, 0n).toString();
}

/** What @everyone gets by default in a new guild (a subset that matters here). */
export const EVERYONE_PERMISSIONS = permissions(
  PermissionFlagsBits.ViewChannel,
  PermissionFlagsBits.SendMessages,
  PermissionFlagsBits.ReadMessageHistory,
  PermissionFlagsBits.UseApplicationCommands,
  PermissionFlagsBits.AddReactions,
  // Discord gives @everyone both in a new server: members (and the bot) may open and talk in threads.
  PermissionFlagsBits.CreatePublicThreads,
  PermissionFlagsBits.SendMessagesInThreads,
);

export function role(overrides: Partial<APIRole> = {}): APIRole {
  const id = overrides.id ?? nextId();
  return {
    id,
    name: `role-${id.slice(-4)}`,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    position: 1,
    permissions: "0",
    managed: false,
    mentionable: false,
    flags: 0 as RoleFlags,
    ...overrides,
  };
}

/** The role Discord creates for a bot when it joins: managed, tagged with the bot id. */
export function botRole(overrides: Partial<APIRole> = {}): APIRole {
  return role({
    name: "tribegate",
    managed: true,
    tags: { bot_id: BOT_USER_ID },
    permissions: permissions(
      PermissionFlagsBits.ManageRoles,
      PermissionFlagsBits.ViewChannel,
      PermissionFlagsBits.SendMessages,
      PermissionFlagsBits.EmbedLinks,
    ),
    ...overrides,
  });
}

export function member(
  overrides: Partial<Omit<APIGuildMember, "user">> & { user?: APIUser } = {},
): APIGuildMember {
  return {
    user: overrides.user ?? user(),
    roles: [],
    joined_at: new Date(ID_BASE_MS).toISOString(),
    deaf: false,
    mute: false,
    flags: 0 as GuildMemberFlags,
    ...overrides,
  };
}

export function textChannel(overrides: Partial<APITextChannel> = {}): APITextChannel {
  const id = overrides.id ?? nextId();
  return {
    id,
    type: ChannelType.GuildText,
    name: `channel-${id.slice(-4)}`,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: null,
    topic: null,
    last_message_id: null,
    rate_limit_per_user: 0,
    ...overrides,
  };
}

export function dmChannel(recipient: APIUser, id = nextId()): APIDMChannel {
  return { id, type: ChannelType.DM, name: null, recipients: [recipient], last_message_id: null };
}

export type GuildCreate = GatewayGuildCreateDispatchData;

export interface GuildInit {
  id?: string;
  name?: string;
  ownerId?: string;
  /** Roles besides @everyone (which is added with the guild's id, position 0). */
  roles?: APIRole[];
  channels?: APITextChannel[];
  members?: APIGuildMember[];
}

/** A full GUILD_CREATE object. The stand-in adds the bot's member and role if `members` lacks them. */
export function guild(init: GuildInit = {}): GuildCreate {
  const id = init.id ?? nextId();
  const everyone = role({ id, name: "@everyone", position: 0, permissions: EVERYONE_PERMISSIONS });
  const channels = init.channels ?? [textChannel({ name: "general" })];
  const members = init.members ?? [];
  return {
    id,
    name: init.name ?? `guild-${id.slice(-4)}`,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: init.ownerId ?? members[0]?.user.id ?? nextId(),
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: GuildVerificationLevel.None,
    default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
    explicit_content_filter: GuildExplicitContentFilter.Disabled,
    roles: [everyone, ...(init.roles ?? [])],
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: GuildMFALevel.None,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0 as GuildSystemChannelFlags,
    rules_channel_id: null,
    vanity_url_code: null,
    premium_tier: GuildPremiumTier.None,
    premium_subscription_count: 0,
    preferred_locale: Locale.EnglishUS,
    public_updates_channel_id: null,
    nsfw_level: GuildNSFWLevel.Default,
    premium_progress_bar_enabled: false,
    hub_type: null,
    safety_alerts_channel_id: null,
    incidents_data: null,
    joined_at: new Date(ID_BASE_MS).toISOString(),
    large: false,
    member_count: members.length,
    voice_states: [],
    members,
    channels: channels.map((channel) => ({ ...channel, guild_id: id })),
    threads: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

// ---------------------------------------------------------------------------------------------------
// Messages

export function message(
  overrides: Partial<APIMessage> & { channel_id: string; author?: APIUser } = { channel_id: nextId() },
): APIMessage {
  return {
    id: nextId(),
    author: botUser(),
    content: "",
    timestamp: new Date(ID_BASE_MS).toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: MessageType.Default,
    ...overrides,
  };
}

// ---------------------------------------------------------------------------------------------------
// Interactions

interface InteractionContext {
  /** Guild interaction when set (with `member`); a DM interaction otherwise (with `user`). */
  guildId?: string;
  channelId?: string;
  user?: APIUser;
  /** The invoking member's role ids (guild only). */
  roles?: string[];
  /** The invoking member's computed permissions in the channel (guild only). */
  permissions?: string;
  locale?: Locale;
  applicationId?: string;
  /** Interaction token; unique by default. */
  token?: string;
  /** Creation time baked into the interaction's snowflake; defaults to now (bots check its age). */
  createdAt?: number;
}

function interactionBase(ctx: InteractionContext) {
  const id = snowflakeAt(ctx.createdAt ?? Date.now(), ++idCounter);
  const invoker = ctx.user ?? user();
  const channelId = ctx.channelId ?? nextId();
  const applicationId = ctx.applicationId ?? APPLICATION_ID;
  const common = {
    id,
    application_id: applicationId,
    token: ctx.token ?? `itoken-${id}`,
    version: 1 as const,
    channel_id: channelId,
    locale: ctx.locale ?? Locale.EnglishUS,
    app_permissions: permissions(PermissionFlagsBits.SendMessages, PermissionFlagsBits.ManageRoles),
    entitlements: [],
    attachment_size_limit: 10_485_760,
  };
  if (ctx.guildId === undefined) {
    return {
      ...common,
      channel: { id: channelId, type: ChannelType.DM as const },
      user: invoker,
      context: InteractionContextType.BotDM,
      authorizing_integration_owners: { [ApplicationIntegrationType.UserInstall]: invoker.id },
    };
  }
  const guildMember: APIInteractionGuildMember = {
    ...member({ user: invoker, roles: ctx.roles ?? [] }),
    user: invoker,
    permissions: ctx.permissions ?? EVERYONE_PERMISSIONS,
  };
  return {
    ...common,
    guild_id: ctx.guildId,
    guild: { id: ctx.guildId, features: [], locale: Locale.EnglishUS },
    guild_locale: Locale.EnglishUS,
    channel: { id: channelId, type: ChannelType.GuildText as const },
    member: guildMember,
    context: InteractionContextType.Guild,
    authorizing_integration_owners: { [ApplicationIntegrationType.GuildInstall]: ctx.guildId },
  };
}

export interface SlashCommandInit extends InteractionContext {
  name: string;
  options?: APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>[];
  /** The registered command's id. */
  commandId?: string;
}

export function slashCommand(init: SlashCommandInit): APIChatInputApplicationCommandInteraction {
  const data: APIChatInputApplicationCommandInteraction["data"] = {
    id: init.commandId ?? nextId(),
    type: ApplicationCommandType.ChatInput,
    name: init.name,
    ...(init.options && { options: init.options }),
    ...(init.guildId !== undefined && { guild_id: init.guildId }),
  };
  return { ...interactionBase(init), type: InteractionType.ApplicationCommand, data };
}

export interface ComponentInit extends InteractionContext {
  customId: string;
  /** The message carrying the component; a bot message in the channel by default. */
  message?: APIMessage;
  /** Components of the default message. */
  components?: APIMessageTopLevelComponent[];
}

function componentMessage(init: ComponentInit, channelId: string): APIMessage {
  return (
    init.message ??
    message({ channel_id: channelId, content: "", ...(init.components && { components: init.components }) })
  );
}

export function buttonClick(init: ComponentInit): APIMessageComponentButtonInteraction {
  const base = interactionBase(init);
  return {
    ...base,
    type: InteractionType.MessageComponent,
    message: componentMessage(init, base.channel_id),
    data: { component_type: ComponentType.Button, custom_id: init.customId },
  };
}

export function selectMenu(
  init: ComponentInit & { values: string[] },
): APIMessageComponentSelectMenuInteraction {
  const base = interactionBase(init);
  return {
    ...base,
    type: InteractionType.MessageComponent,
    message: componentMessage(init, base.channel_id),
    data: { component_type: ComponentType.StringSelect, custom_id: init.customId, values: init.values },
  };
}
