import { randomUUID } from "node:crypto";
import { type BotError, Composer, GrammyError } from "grammy";
import type { Platform } from "../../app/platform.ts";
import type { PortServices } from "../../app/services.ts";
import type { TelegramConfig } from "../../config.ts";
import { DomainError } from "../../errors.ts";
import { refusalText, t } from "../../i18n/index.ts";
import type { PlatformAdapter } from "../platform.ts";
import { createCreatorAlerts } from "./alerts.ts";
import { isPassingFailure } from "./apiErrors.ts";
import type { TelegramBot } from "./bot.ts";
import { createCallbackSigner } from "./callbackData.ts";
import { registerCommandMenus } from "./commandMenu.ts";
import type { TgContext } from "./context.ts";
import type { TelegramDeps, TelegramPortDeps } from "./deps.ts";
import { createTelegramDiscussions } from "./discussions.ts";
import { createTelegramExecutor } from "./executor.ts";
import { bindFeature } from "./features/bind.ts";
import { chatMemberFeature } from "./features/chatMembers.ts";
import { chatMigrationFeature } from "./features/chatMigration.ts";
import { creatorMemberFeature } from "./features/creatorMembers.ts";
import { creatorOpsFeature } from "./features/creatorOps.ts";
import { creatorTierFeature } from "./features/creatorTiers.ts";
import { fanFeature } from "./features/fan.ts";
import { JOIN_DECISION_TASK, joinDecisionTask, joinRequestFeature } from "./features/joinRequests.ts";
import { pollFeature } from "./features/polls.ts";
import { setupFeature } from "./features/setup.ts";
import { unboundChatFeature } from "./features/unboundChat.ts";
import { createTelegramFeed } from "./feed.ts";
import { createInviteStore } from "./invites.ts";
import { createTelegramNotifier } from "./notifier.ts";
import { postTelegramChart } from "./pollChart.ts";
import { createPollLive } from "./pollLive.ts";
import { publishTelegramPoll } from "./pollPublish.ts";
import { createTelegramReader } from "./reader.ts";
import { createTelegramRoadmap } from "./roadmapMessage.ts";

/**
 * Telegram as a platform: its ports (the access executor for invite links, approvals, ban+unban;
 * messages to fans; the reader reconciliation uses; live poll messages; join decisions) built first;
 * `attach` then registers the commands, chat binding, join requests and member updates with the
 * complete services. Both run before the bot starts receiving updates.
 */
export function createTelegramPlatform(opts: {
  bot: TelegramBot;
  services: PortServices;
  config: TelegramConfig;
}): PlatformAdapter {
  const { bot } = opts.bot;
  const { services, config } = opts;
  const log = services.log.child({ module: "telegram" });
  const api = bot.api;
  const portDeps: TelegramPortDeps = {
    services,
    config,
    api,
    log,
    botId: Number(config.token.split(":")[0]),
    botUsername: () => {
      try {
        return bot.botInfo.username;
      } catch {
        return undefined; // getMe has not answered yet
      }
    },
    signer: createCallbackSigner(config.token),
    invites: createInviteStore({ app: services.app, api, log, now: () => services.clock.now() }),
    alerts: createCreatorAlerts({ api, app: services.app, log, creatorIds: config.creatorIds }),
    stopping: opts.bot.stopping,
  };
  // Live poll results: ballots refresh the posted messages (coalesced); closings show the results.
  const live = createPollLive(portDeps);
  const platform: Platform = {
    name: "telegram",
    executor: createTelegramExecutor(portDeps),
    notifier: createTelegramNotifier(portDeps),
    reader: createTelegramReader(portDeps),
    polls: {
      publish: (pollId) => publishTelegramPoll(portDeps, pollId),
      refresh: (pollId) => live.request(pollId),
      // The final results edited in, then the results chart in reply.
      closed: async (pollId) => {
        await live.final(pollId);
        await postTelegramChart(portDeps, pollId);
      },
    },
    feed: createTelegramFeed(portDeps, log),
    roadmap: createTelegramRoadmap(portDeps, log),
    discussions: createTelegramDiscussions(portDeps, log),
    tasks: { [JOIN_DECISION_TASK]: joinDecisionTask(portDeps) },
  };
  return {
    platform,
    attach: async (appServices) => {
      const deps: TelegramDeps = { ...portDeps, services: appServices };
      const registerMenus = () =>
        void registerCommandMenus(deps).catch((err: unknown) =>
          log.warn({ event: "telegram.commands_failed", err }, "could not register the command menus"),
        );

      const features = telegramFeatures(deps, {
        onCreatorAdded: registerMenus,
        onManagersChanged: registerMenus,
      });
      opts.bot.onReady(features.announce);

      // One boundary for every feature: handlers just throw.
      bot.errorBoundary(errorBoundary(deps), features.composer);
      registerMenus();
      return { stop: () => live.stop() };
    },
  };
}

/**
 * Every feature, in the order an update goes through them (the commands, buttons, join requests and
 * member updates the bot answers). Building it registers handlers only: nothing is sent or read, so
 * a test can list the commands without starting a bot.
 */
export function telegramFeatures(
  deps: TelegramDeps,
  opts: { onCreatorAdded: () => void; onManagersChanged: () => void },
): { composer: Composer<TgContext>; announce: () => Promise<void> } {
  const setup = setupFeature(deps, { onCreatorAdded: opts.onCreatorAdded });
  const composer = new Composer<TgContext>(
    // Before the fan feature: its button handler refuses any data it does not know.
    chatMigrationFeature(deps),
    setup.composer,
    unboundChatFeature(deps),
    pollFeature(deps),
    fanFeature(deps),
    bindFeature(deps),
    creatorTierFeature(deps),
    creatorMemberFeature(deps),
    creatorOpsFeature(deps, { onManagersChanged: opts.onManagersChanged }),
    joinRequestFeature(deps),
    chatMemberFeature(deps),
  );
  return { composer, announce: setup.announce };
}

/**
 * A refusal (DomainError) becomes a translated reply in the user's language; anything else is
 * logged with a short reference the user also sees, so a report can be matched to its log line.
 * Only messages and button presses get a reply: join requests and member updates have no one to answer.
 *
 * In webhook mode an unexpected failure (the database down, Telegram not answering) is thrown on
 * after logging, so the webhook answers 5xx and Telegram delivers the update again; the user gets
 * no apology then, as the redelivered update gets the real answer. A refusal already answered, and
 * a call Telegram itself refused (4xx: retrying would be refused again), are handled updates.
 */
function errorBoundary(deps: TelegramDeps) {
  return async (err: BotError<TgContext>): Promise<void> => {
    const { ctx, error } = err;
    const { locale } = ctx;
    const canReply = Boolean(ctx.chat && (ctx.message || ctx.callbackQuery));
    const redeliver =
      deps.config.mode === "webhook" && !(error instanceof DomainError) && worthRedelivery(error);
    if (ctx.callbackQuery && !redeliver) await ctx.answerCallbackQuery().catch(() => undefined);
    if (error instanceof DomainError) {
      deps.log.info(
        { event: "telegram.refused", code: error.code, updateId: ctx.update.update_id, userId: ctx.from?.id },
        `refused: ${error.code}`,
      );
      if (canReply) await ctx.reply(refusalText(locale, error, "telegram")).catch(() => undefined);
      return;
    }
    const ref = randomUUID().slice(0, 8);
    deps.log.error(
      { event: "telegram.handler_failed", updateId: ctx.update.update_id, ref, err: error, redeliver },
      "update failed",
    );
    if (redeliver) throw error;
    if (canReply) await ctx.reply(t(locale, "error.unexpected", { ref })).catch(() => undefined);
  };
}

/** Anything but Telegram refusing the call (a 4xx other than 429) may go through next time. */
function worthRedelivery(error: unknown): boolean {
  return !(error instanceof GrammyError) || isPassingFailure(error);
}
