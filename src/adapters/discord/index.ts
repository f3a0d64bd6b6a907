import { Events } from "discord.js";
import { claimAccess } from "../../app/members.ts";
import type { AppServices } from "../../app/services.ts";
import { reconcileSoon } from "../../app/tasks.ts";
import type { DiscordConfig } from "../../config.ts";
import { DomainError } from "../../errors.ts";
import type { PlatformParts } from "../platform.ts";
import { componentRoutes, slashRoutes } from "./commands/index.ts";
import { createDiscordExecutor, DISCORD_TELL_TASK } from "./executor.ts";
import type { DiscordGateway } from "./gateway.ts";
import { createDiscordNotifier } from "./notifier.ts";
import { createPollPublisher } from "./pollLive.ts";
import { createDiscordReader } from "./reader.ts";
import { syncCommands } from "./registerCommands.ts";
import { createInteractionRouter } from "./router.ts";

/**
 * Plugs Discord into the app: slash commands, the access executor (roles), DMs to fans, and the
 * reader reconciliation uses. Called before the gateway logs in, so no event is missed.
 */
export async function attachDiscord(opts: {
  gateway: DiscordGateway;
  services: AppServices;
  config: DiscordConfig;
}): Promise<PlatformParts> {
  const { client } = opts.gateway;
  const { services } = opts;
  const log = services.log.child({ module: "discord" });
  const notifier = createDiscordNotifier({ client, log });
  const executor = createDiscordExecutor({
    client,
    db: services.db,
    notifier,
    log,
    clock: services.clock,
    onWork: services.onWork,
  });
  const reader = createDiscordReader({ client, log });
  const polls = createPollPublisher({ client, services, log });
  // Live results and closings, whichever platform the ballot or the closing came from.
  services.hooks.ballotCast.push((pollId) => polls.ballotCast(pollId));
  services.hooks.pollClosed.push((pollId) => polls.pollClosed(pollId));
  services.hooks.pollOpened.push((pollId, placement) => polls.publish(pollId, placement));
  const router = createInteractionRouter({
    services,
    log,
    polls,
    slash: slashRoutes,
    components: componentRoutes,
  });

  client.on(Events.InteractionCreate, (interaction) => void router.handle(interaction));

  // A fan who left and came back gets what the ledger owes them, without having to ask.
  client.on(Events.GuildMemberAdd, (member) => {
    if (member.user.bot) return;
    claimAccess(services, { platform: "discord", userId: member.id }).then(
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
    reconcileSoon(services, "discord_reidentified").catch((err: unknown) =>
      log.error({ event: "reconcile.request_failed", err }, "could not bring reconciliation forward"),
    ),
  );

  client.on(Events.ClientReady, (ready) => {
    syncCommands(ready, log).catch((err: unknown) =>
      log.error({ event: "discord.commands.sync_failed", err }, "could not register the slash commands"),
    );
  });

  return {
    executor,
    notifier,
    reader,
    tasks: { [DISCORD_TELL_TASK]: executor.tellTask },
    stop: async () => {
      await router.drain();
      polls.stop();
    },
  };
}
