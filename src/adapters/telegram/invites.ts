import type { Api } from "grammy";
import type { PortUseCases } from "../../app/useCases.ts";
import type { Logger } from "../../log.ts";

/**
 * Invite links the bot made, one fan and one chat each. They are join-request links
 * (creates_join_request): opening one only asks to join, and the bot approves the request only for
 * someone the ledger says is owed the chat. So a forwarded link lets nobody else in, a fan who left
 * can come back through the same door, and nothing depends on the fan clicking before a stranger
 * does (the weakness of single-use member_limit links, which admit whoever clicks first).
 */
export interface InviteStore {
  /** A fresh link for this fan; their older links to this chat are revoked. */
  issue(chatId: string, userId: string): Promise<string>;
  /** Whom a link was made for, if the bot made it. */
  ownerOf(inviteLink: string): Promise<{ chatId: string; userId: string; revoked: boolean } | null>;
  /** Revokes one link (a leaked one). */
  revoke(chatId: string, inviteLink: string): Promise<void>;
  /** Revokes every live link of this fan to this chat (membership ended). */
  revokeAllOf(chatId: string, userId: string): Promise<number>;
}

export function createInviteStore(deps: {
  app: Pick<PortUseCases, "inviteOwner" | "liveInvites" | "markInviteRevoked" | "recordInvite">;
  api: Api;
  log: Logger;
  now: () => Date;
}): InviteStore {
  const { app, api, log } = deps;
  const revoke = async (chatId: string, inviteLink: string): Promise<void> => {
    await api.revokeChatInviteLink(chatId, inviteLink);
    await app.markInviteRevoked(inviteLink, deps.now());
  };
  const revokeAllOf = async (chatId: string, userId: string): Promise<number> => {
    const live = await app.liveInvites(chatId, userId);
    for (const link of live) await revoke(chatId, link);
    return live.length;
  };
  return {
    async issue(chatId, userId) {
      await revokeAllOf(chatId, userId);
      const link = await api.createChatInviteLink(chatId, {
        // Shown to the chat's admins next to each request: who the link was made for.
        name: `member ${userId}`.slice(0, 32),
        creates_join_request: true,
      });
      await app.recordInvite({ inviteLink: link.invite_link, chatId, userId });
      log.debug({ event: "telegram.invite_issued", chatId, userId }, "invite link issued");
      return link.invite_link;
    },
    ownerOf: (inviteLink) => app.inviteOwner(inviteLink),
    revoke,
    revokeAllOf,
  };
}
