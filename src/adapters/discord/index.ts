import { Events, type Guild } from "discord.js";
import type { InteractionsInHand } from "../../app/interactionsInHand.ts";
import { joinTokenKey } from "../../app/members/webJoin.ts";
import type { Platform } from "../../app/platform.ts";
import type { AdapterServices, PortServices } from "../../app/services.ts";
import type { DiscordConfig } from "../../config.ts";
import { DomainError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { PlatformAdapter, PlatformRuntime } from "../platform.ts";
import { componentRoutes, slashRoutes } from "./commands/index.ts";
import { describeDiscordTarget } from "./describe.ts";
import { createDiscordDiscussions } from "./discussions.ts";
import { createDiscordExecutor, DISCORD_TELL_TASK } from "./executor.ts";
import { createDiscordFeed } from "./feed.ts";
import type { DiscordGateway } from "./gateway.ts";
import { createHomeGuilds, inviteUrl } from "./homeGuilds.ts";
import { LEFT_GRACE_MS, tellLeftToTryAgain } from "./inHand.ts";
import { createDiscordNotifier } from "./notifier.ts";
import { createPollPublisher, type PollPublisher } from "./pollLive.ts";
import { createDiscordReader } from "./reader.ts";
import { syncCommands } from "./registerCommands.ts";
import { createDiscordRoadmap } from "./roadmapMessage.ts";
import { createInteractionRouter } from "./router.ts";

/**
 * Discord as a platform: its ports (the access executor for roles, DMs to fans, the reader
 * reconciliation uses, live poll messages) built first; `attach` then starts the slash commands and
 * member events with the complete services. Both run before the gateway logs in, so no event is missed.
 */
export function createDiscordPlatform(opts: {
  gateway: DiscordGateway;
  services: PortServices;
  config: DiscordConfig;
  /** Deferred interactions kept until answered; what a dead leader left is answered "try again". */
  inHand?: InteractionsInHand;
}): PlatformAdapter {
  const { client } = opts.gateway;
  const log = opts.services.log.child({ module: "discord" });
  const notifier = createDiscordNotifier({ client, log });
  const executor = createDiscordExecutor({
    client,
    app: opts.services.app,
    notifier,
    log,
    clock: opts.services.clock,
    restOnly: () => opts.gateway.status() === "standby",
    joinTokenKey: opts.config.clientSecret ? joinTokenKey(opts.config.clientSecret) : undefined,
  });
  const reader = createDiscordReader({ client, log });
  const polls = createPollPublisher({ client, services: opts.services, log });
  const platform: Platform = {
    name: "discord",
    executor,
    notifier,
    reader,
    // Live results and closings, whichever platform the ballot or the closing came from.
    polls: {
      publish: (pollId, placement) => polls.publish(pollId, placement),
      refresh: (pollId) => polls.ballotCast(pollId),
      closed: (pollId) => polls.pollClosed(pollId),
    },
    feed: createDiscordFeed({ client, log }),
    roadmap: createDiscordRoadmap({ client, log, publicBaseUrl: opts.services.publicBaseUrl }),
    discussions: createDiscordDiscussions({ client, log }),
    tasks: { [DISCORD_TELL_TASK]: executor.tellTask },
    describe: (target) => describeDiscordTarget(client, target),
  };
  return { platform, attach: async (services) => attachDiscord({ ...opts, client, services, log, polls }) };
}

async function attachDiscord(opts: {
  gateway: DiscordGateway;
  client: DiscordGateway["client"];
  services: AdapterServices;
  config: DiscordConfig;
  log: Logger;
  polls: PollPublisher;
  inHand?: InteractionsInHand;
}): Promise<PlatformRuntime> {
  const { client, services, log, polls } = opts;
  const home = createHomeGuilds({ client, config: opts.config, services, log });
  const router = createInteractionRouter({
    services,
    log,
    polls,
    home,
    slash: slashRoutes,
    components: componentRoutes,
    ...(opts.inHand ? { inHand: opts.inHand } : {}),
  });

  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));

  // A fan who left and came back gets what the ledger owes them, without having to ask.
  client.on(Events.GuildMemberAdd, async (member) => {
    if (member.user.bot) return;
    if (!(await home.isHome(member.guild.id).catch(() => false))) return;
    // The bot's own doing, not the fan's: never rate-limited (reapplyAccess, not claimAccess).
    services.app.reapplyAccess({ platform: "discord", userId: member.id }).then(
      ({ owed }) =>
        log.info(
          { event: "discord.member.rejoined", guildId: member.guild.id, userId: member.id, owed },
          "member joined; access re-applied",
        ),
      (err: unknown) => {
        // Most people who join are not members: nothing to give back.
        if (err instanceof DomainError) return;
        log.error(
          { event: "discord.member.rejoin_failed", userId: member.id, err },
          "could not restore access",
        );
      },
    );
  });

  // A gateway session that had to be identified again (Discord would not resume it) does not replay
  // what happened meanwhile: a paying fan who joined the server then got no role. Reconcile now.
  opts.gateway.onReidentified(() =>
    services.app
      .reconcileSoon("discord_reidentified")
      .catch((err: unknown) =>
        log.error({ event: "reconcile.request_failed", err }, "could not bring reconciliation forward"),
      ),
  );

  // Servers that are not home servers are left (or ignored): at start-up, and when the bot is invited.
  const review = (guild: Guild) =>
    home
      .review(guild)
      .catch((err: unknown) =>
        log.error(
          { event: "discord.home.review_failed", guildId: guild.id, err },
          "could not review a server",
        ),
      );
  client.on(Events.GuildCreate, (guild) => void review(guild));
  client.on(Events.ClientReady, (ready) => {
    // Interactions an earlier leader acknowledged and died before answering: their fans are asked
    // to try again, once a leader that lost the lead without dying has had time to answer them.
    const inHand = opts.inHand;
    if (inHand)
      setTimeout(() => {
        void tellLeftToTryAgain({ rest: client.rest, inHand, log, now: () => services.clock.now() }).catch(
          (err: unknown) =>
            log.warn(
              { event: "discord.in_hand.sweep_failed", err },
              "could not read the interactions an earlier leader left unanswered",
            ),
        );
      }, LEFT_GRACE_MS).unref();
    syncCommands(ready, log).catch((err: unknown) =>
      log.error({ event: "discord.commands.sync_failed", err }, "could not register the slash commands"),
    );
    void (async () => {
      for (const guild of ready.guilds.cache.values()) await review(guild);
      let any = false;
      for (const id of ready.guilds.cache.keys()) if (await home.isHome(id).catch(() => false)) any = true;
      if (!any) {
        log.warn(
          { event: "discord.home.none", inviteUrl: inviteUrl(ready.application.id) },
          `tribegate is in none of its home servers yet: invite it with ${inviteUrl(ready.application.id)} then run /tribe setup there (or set DISCORD_GUILD_IDS)`,
        );
      }
    })();
  });

  return {
    stop: async () => {
      await router.drain();
      await polls.stop();
    },
    // Interactions that arrived after `stop` and before the gateway closed are answered, not cut off.
    afterClose: () => router.drain(),
  };
}
