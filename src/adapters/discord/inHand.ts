import { MessageFlags, type REST, Routes } from "discord.js";
import type { InteractionsInHand } from "../../app/interactionsInHand.ts";
import { localeOf, t } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";

/** How long a process that lost the lead without dying is left to answer what it has in hand. */
export const LEFT_GRACE_MS = 10_000;
/** Discord accepts answers to an interaction for 15 minutes; past this, the token is not tried. */
const TOKEN_LIFE_MS = 14.5 * 60 * 1000;

/**
 * Tells the fans whose interaction an earlier leader acknowledged and never answered (it died) that
 * it may not have been done and to try again: the deferred private reply is edited; under a button's
 * message, which must stay as it is, a private follow-up says it. Over REST with the interaction's
 * own token: nothing of the gateway is needed. Returns how many were told.
 */
export async function tellLeftToTryAgain(opts: {
  rest: REST;
  inHand: InteractionsInHand;
  log: Logger;
  now: () => Date;
}): Promise<number> {
  let told = 0;
  for (const left of await opts.inHand.takeLeft(LEFT_GRACE_MS)) {
    const fields = { interactionId: left.interactionId, command: left.command, mode: left.mode };
    const ageMs = opts.now().getTime() - left.deferredAt.getTime();
    if (ageMs > TOKEN_LIFE_MS) {
      opts.log.info(
        { event: "discord.in_hand.expired", ...fields, ageMs },
        "an interaction left unanswered by an earlier leader is too old for Discord to take an answer",
      );
      continue;
    }
    const content = t(localeOf(left.locale), "discord.interaction.try_again");
    try {
      if (left.mode === "reply")
        await opts.rest.patch(Routes.webhookMessage(left.applicationId, left.token, "@original"), {
          body: { content, embeds: [], components: [], allowed_mentions: { parse: [] } },
          auth: false,
        });
      else
        await opts.rest.post(Routes.webhook(left.applicationId, left.token), {
          body: { content, flags: MessageFlags.Ephemeral, allowed_mentions: { parse: [] } },
          auth: false,
        });
      told++;
      opts.log.warn(
        { event: "discord.in_hand.try_again", ...fields, ageMs },
        "an earlier leader died before answering this interaction: the fan was asked to try again",
      );
    } catch (err) {
      opts.log.warn(
        { event: "discord.in_hand.try_again_failed", ...fields, ageMs, err },
        "could not ask the fan to try again",
      );
    }
  }
  return told;
}
