import {
  type AutocompleteInteraction,
  type ChatInputCommandInteraction,
  GuildMemberRoleManager,
  type Interaction,
  type MessageComponentInteraction,
  PermissionFlagsBits,
} from "discord.js";
import type { InteractionsInHand } from "../../app/interactionsInHand.ts";
import type { AdapterServices } from "../../app/services.ts";
import { DomainError } from "../../errors.ts";
import { localeOf, refusalText, t, translator } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import type { ComponentRoute, HandlerContext, SlashRoute } from "./context.ts";
import type { HomeGuilds } from "./homeGuilds.ts";
import type { PollPublisher } from "./pollLive.ts";
import { ledgerChoices } from "./pollView.ts";
import { Responder } from "./responder.ts";

export interface InteractionRouter {
  handle(interaction: Interaction): Promise<void>;
  /** Waits for the interactions being handled (shutdown). */
  drain(): Promise<void>;
}

/**
 * The one door for Discord interactions: finds the handler, checks who may run it and where, and is
 * the single error boundary. Handlers just throw: a DomainError becomes the translated refusal, any
 * other failure a generic apology with a reference (the interaction id) and an error log line
 * carrying the same id, so the creator can find it.
 */
export function createInteractionRouter(opts: {
  services: AdapterServices;
  log: Logger;
  polls: PollPublisher;
  home: HomeGuilds;
  slash: readonly SlashRoute[];
  components: readonly ComponentRoute[];
  /** Where deferred interactions are kept until answered (see src/app/interactionsInHand.ts). */
  inHand?: InteractionsInHand;
}): InteractionRouter {
  const log = opts.log.child({ module: "discord.interactions" });
  const slashRoutes = new Map(opts.slash.map((r) => [r.key, r]));
  const componentRoutes = new Map(opts.components.map((r) => [r.prefix, r]));
  const inFlight = new Set<Promise<void>>();

  async function run(
    interaction: ChatInputCommandInteraction | MessageComponentInteraction,
    name: string,
    route: { creator: boolean; claim?: boolean; answer?: "update" | "private" } | undefined,
    go: (ctx: HandlerContext) => Promise<void>,
  ): Promise<void> {
    const started = Date.now();
    const locale = localeOf(interaction.locale);
    const fields = { interactionId: interaction.id, command: name, userId: interaction.user.id };
    const responder = new Responder(
      interaction,
      interaction.isMessageComponent() && route?.answer !== "private" ? "update" : "reply",
      (err) => log.warn({ event: "discord.interaction.defer_failed", ...fields, err }, "could not defer"),
      () =>
        opts.inHand?.deferred({
          interactionId: interaction.id,
          applicationId: interaction.applicationId,
          token: interaction.token,
          mode: interaction.isMessageComponent() && route?.answer !== "private" ? "update" : "reply",
          command: name,
          locale,
        }),
    );
    const ctx: HandlerContext = {
      services: opts.services,
      log,
      locale,
      polls: opts.polls,
      home: opts.home,
      who: {
        platform: "discord",
        userId: interaction.user.id,
        username: interaction.user.username,
        locale: interaction.locale,
      },
      actor: `discord:${interaction.user.id}`,
      guildId: interaction.guildId,
      t: translator(locale),
      reply: (message) => responder.send(message),
      defer: () => responder.defer(),
    };
    try {
      if (!route) throw new DomainError("discord_unknown_command");
      // Before anything else: the bot serves its home servers only (fans in DMs too).
      if (interaction.guildId && !route.claim) await requireHome(interaction.guildId);
      if (route.creator) await requireCreator(interaction);
      await go(ctx);
      log.info(
        { event: "discord.interaction.handled", ...fields, ms: Date.now() - started },
        `${name} handled`,
      );
    } catch (err) {
      const ref = interaction.id;
      let text: string;
      if (err instanceof DomainError) {
        log.info(
          { event: "discord.interaction.refused", ...fields, code: err.code, ms: Date.now() - started },
          `${name} refused: ${err.code}`,
        );
        text = refusalText(locale, err, "discord", ref);
      } else {
        log.error({ event: "discord.interaction.failed", ...fields, err }, `${name} failed`);
        text = t(locale, "error.unexpected", { ref });
      }
      await responder
        .send({ content: text, embeds: [] })
        .catch((e: unknown) =>
          log.warn({ event: "discord.interaction.reply_failed", ...fields, err: e }, "could not answer"),
        );
    } finally {
      responder.close();
      opts.inHand?.answered(interaction.id);
    }
  }

  async function requireHome(guildId: string): Promise<void> {
    if (await opts.home.isHome(guildId)) return;
    throw new DomainError(opts.home.fixed ? "discord_not_home_fixed" : "discord_not_home");
  }

  /**
   * Creator commands: in a server (a home server, checked before), by a Manage Server holder or a
   * manager role from the settings.
   */
  async function requireCreator(
    i: ChatInputCommandInteraction | MessageComponentInteraction | AutocompleteInteraction,
  ): Promise<void> {
    if (!i.inGuild()) throw new DomainError("discord_guild_only");
    if (i.memberPermissions.has(PermissionFlagsBits.ManageGuild)) return;
    const { discordManagerRoleIds } = await opts.services.app.getSettings();
    const roles = i.member.roles;
    const held = roles instanceof GuildMemberRoleManager ? [...roles.cache.keys()] : roles;
    if (!held.some((id) => discordManagerRoleIds.includes(id))) throw new DomainError("discord_not_manager");
  }

  async function autocomplete(i: AutocompleteInteraction): Promise<void> {
    try {
      // Nothing leaks to other servers, nor the creator's ledger (ideas, polls, archived tiers) to fans.
      const allowed =
        (!i.guildId || (await opts.home.isHome(i.guildId))) &&
        (i.commandName !== "tribe" ||
          (await requireCreator(i).then(
            () => true,
            () => false,
          )));
      if (!allowed) {
        await i.respond([]);
        return;
      }
      const focused = i.options.getFocused(true).name;
      if (focused !== "tier") {
        await i.respond(await ledgerChoices(opts.services.app, focused, i.options.getFocused()));
        return;
      }
      const typed = i.options.getFocused().toLowerCase();
      const tiers = await opts.services.app.listTiers({ includeArchived: i.commandName !== "join" });
      await i.respond(
        tiers
          .filter((t) => t.slug.includes(typed) || t.name.toLowerCase().includes(typed))
          .slice(0, 25)
          .map((t) => ({ name: t.name.slice(0, 100), value: t.slug })),
      );
    } catch (err) {
      log.warn({ event: "discord.autocomplete.failed", interactionId: i.id, err }, "autocomplete failed");
    }
  }

  async function dispatch(interaction: Interaction): Promise<void> {
    if (interaction.isAutocomplete()) return autocomplete(interaction);
    if (interaction.isChatInputCommand()) {
      const group = interaction.options.getSubcommandGroup(false);
      const sub = interaction.options.getSubcommand(false);
      const key = [interaction.commandName, group, sub].filter(Boolean).join(" ");
      const route = slashRoutes.get(key);
      return run(interaction, key, route, (ctx) => route!.run(interaction, ctx));
    }
    if (interaction.isMessageComponent()) {
      const [prefix = "", ...args] = interaction.customId.split(":");
      const route = componentRoutes.get(prefix);
      return run(interaction, `component ${prefix}`, route, (ctx) => route!.run(interaction, ctx, args));
    }
  }

  return {
    handle(interaction) {
      const p = dispatch(interaction).catch((err: unknown) =>
        log.error({ event: "discord.interaction.failed", interactionId: interaction.id, err }, "unhandled"),
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      return p;
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
