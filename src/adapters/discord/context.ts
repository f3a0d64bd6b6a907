import type {
  ActionRowBuilder,
  APIEmbed,
  APIRole,
  AttachmentBuilder,
  ChatInputCommandInteraction,
  JSONEncodable,
  MessageActionRowComponentBuilder,
  MessageComponentInteraction,
  ApplicationCommandOptionType as Opt,
  Role,
  User,
} from "discord.js";
import type { FanIdentity } from "../../app/members/types.ts";
import type { AdapterServices } from "../../app/services.ts";
import type { Locale, Translate } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import type { HomeGuilds } from "./homeGuilds.ts";
import type { PollPublisher } from "./pollLive.ts";

/** What a handler sends back: always private to the user who ran the command. */
export interface ReplyMessage {
  content?: string;
  embeds?: (APIEmbed | JSONEncodable<APIEmbed>)[];
  components?: ActionRowBuilder<MessageActionRowComponentBuilder>[];
  /** Attachments (a CSV export). */
  files?: AttachmentBuilder[];
}

/** Everything a handler needs; handlers throw DomainError for refusals and never catch to reply. */
export interface HandlerContext {
  services: AdapterServices;
  log: Logger;
  locale: Locale;
  /** Posts polls and keeps their messages up to date. */
  polls: PollPublisher;
  /** The servers the bot serves (the router refused every other server before the handler runs). */
  home: HomeGuilds;
  /** The user who ran the command, as the ledger names Discord accounts. */
  who: FanIdentity & { platform: "discord" };
  /** "discord:<user id>", for history rows. */
  actor: string;
  /** Set for creator commands (which only run in a server). */
  guildId: string | null;
  /** A text of the catalogue in the user's language (Discord's own keys are `discord.*`). */
  t: Translate;
  reply(message: ReplyMessage): Promise<void>;
  /** Acknowledge now when the work will take a while (the router also does it before 3 s run out). */
  defer(): Promise<void>;
}

// --- Options typed from the command data (commands/discord.ts) --------------------------------

type OptionsOf<T> = T extends { readonly options: readonly (infer O)[] } ? O : never;

/** The subcommand (or command) definition at `path` inside command `C`. */
export type At<C, P extends readonly string[]> = P extends readonly [
  infer H extends string,
  ...infer R extends string[],
]
  ? At<Extract<OptionsOf<C>, { readonly name: H }>, R>
  : C;

type NamesOf<T, K extends Opt> =
  Extract<OptionsOf<T>, { readonly type: K }> extends infer O
    ? O extends { readonly name: infer N extends string }
      ? N
      : never
    : never;
type Value<T, N, V> =
  Extract<OptionsOf<T>, { readonly name: N }> extends { readonly required: true } ? V : V | null;

/** Option getters that accept only the option names (and types) the command data declares. */
export interface Args<T> {
  string<N extends NamesOf<T, Opt.String>>(name: N): Value<T, N, string>;
  integer<N extends NamesOf<T, Opt.Integer>>(name: N): Value<T, N, number>;
  boolean<N extends NamesOf<T, Opt.Boolean>>(name: N): Value<T, N, boolean>;
  role<N extends NamesOf<T, Opt.Role>>(name: N): Value<T, N, Role | APIRole>;
  user<N extends NamesOf<T, Opt.User>>(name: N): Value<T, N, User>;
  /** A channel option's id (Discord checked its type against the command's channel_types). */
  channelId<N extends NamesOf<T, Opt.Channel>>(name: N): Value<T, N, string>;
}

export function argsOf<T>(i: ChatInputCommandInteraction): Args<T> {
  // discord.js reads the values Discord resolved (roles, users) from the interaction payload.
  return {
    string: (name: string) => i.options.getString(name) as never,
    integer: (name: string) => i.options.getInteger(name) as never,
    boolean: (name: string) => i.options.getBoolean(name) as never,
    role: (name: string) => i.options.getRole(name) as never,
    user: (name: string) => i.options.getUser(name) as never,
    channelId: (name: string) => {
      const value = i.options.get(name)?.value;
      return (typeof value === "string" ? value : null) as never;
    },
  };
}

export interface SlashRoute {
  /** "join", "tribe tier create"... */
  readonly key: string;
  /** Creator commands: in a home server only, for Manage Server holders and the manager roles. */
  readonly creator: boolean;
  /** Runs in a server that is not a home server yet (/tribe setup, which binds one). */
  readonly claim?: boolean;
  run(i: ChatInputCommandInteraction, ctx: HandlerContext): Promise<void>;
}

/**
 * A handler for the (sub)command at `path` of `command`; its `args` only know that subcommand's
 * options, so a renamed or retyped option in commands/discord.ts fails to compile here.
 */
export function slash<const C extends { readonly name: string }, const P extends readonly string[]>(
  command: C,
  path: P,
  opts: { creator: boolean; claim?: boolean },
  run: (
    ctx: HandlerContext & { args: Args<At<C, P>>; interaction: ChatInputCommandInteraction },
  ) => Promise<void>,
): SlashRoute {
  return {
    key: [command.name, ...path].join(" "),
    creator: opts.creator,
    ...(opts.claim ? { claim: true } : {}),
    run: (interaction, ctx) => run({ ...ctx, args: argsOf<At<C, P>>(interaction), interaction }),
  };
}

/** Buttons and select menus: `custom_id` is "<prefix>:<arg>:<arg>…". */
export interface ComponentRoute {
  readonly prefix: string;
  readonly creator: boolean;
  /**
   * "update" (default): the answer replaces the message the component sits on (the fan's own
   * private message). "private": a new private reply, for components on public messages (poll votes).
   */
  readonly answer?: "update" | "private";
  run(i: MessageComponentInteraction, ctx: HandlerContext, args: string[]): Promise<void>;
}
