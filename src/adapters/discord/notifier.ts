import { ActionRowBuilder, ButtonBuilder, ButtonStyle, type Client } from "discord.js";
import type { FanNotice, Notifier } from "../../app/notify.ts";
import { localeOf, noticeText, t, translator } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { comeBackButton, linkCodeButton } from "./commands/join.ts";
import { openedChannels } from "./describe.ts";
import { Code, classifyDiscordError } from "./discordErrors.ts";

/**
 * Private messages to fans (payment trouble with the portal link, welcome, goodbye). A fan whose DMs
 * are closed (50007) or who is unknown to Discord is skipped silently: "done" with a note, never an
 * error, because nothing the bot retries would change it.
 */
export function createDiscordNotifier(opts: { client: Client; log: Logger }): Notifier {
  const log = opts.log.child({ module: "discord.notify" });
  /** The welcome names the channels the tier's roles open, as links (<#id> opens the channel). */
  const withChannels = (notice: FanNotice): FanNotice => {
    if (notice.template !== "access_granted" || !notice.targets?.length) return notice;
    const ids = new Set<string>();
    for (const target of notice.targets)
      for (const c of openedChannels(opts.client, target)?.channels ?? []) ids.add(c.id);
    return { ...notice, opened: [...ids].map((id) => `<#${id}>`) };
  };

  return {
    platform: "discord",
    async notify(userId, rawLocale, notice) {
      const locale = localeOf(rawLocale);
      const portalUrl = "portalUrl" in notice ? notice.portalUrl : null;
      const button = portalUrl
        ? new ButtonBuilder()
            .setStyle(ButtonStyle.Link)
            .setURL(portalUrl)
            .setLabel(t(locale, "discord.portal.button"))
        : notice.template === "link_nudge"
          ? linkCodeButton({ t: translator(locale) })
          : notice.template === "access_revoked" && notice.comeBack
            ? comeBackButton(locale, notice.comeBack)
            : null;
      try {
        await opts.client.users.send(userId, {
          content: noticeText(locale, withChannels(notice)),
          ...(button ? { components: [new ActionRowBuilder<ButtonBuilder>().addComponents(button)] } : {}),
        });
        log.info({ event: "discord.dm.sent", userId, template: notice.template }, "DM sent");
        return { outcome: "done" };
      } catch (err) {
        const failure = classifyDiscordError(err);
        if (failure.kind === "passing") return { outcome: "retry", error: failure.message };
        if (failure.code === Code.cannotDm || failure.code === Code.unknownUser) {
          log.info({ event: "discord.dm.skipped", userId, code: failure.code }, "fan does not take DMs");
          return { outcome: "done", note: "DMs closed" };
        }
        log.warn({ event: "discord.dm.failed", userId, error: failure.message }, "DM refused");
        return { outcome: "done", note: `DM refused: ${failure.message}` };
      }
    },
  };
}
