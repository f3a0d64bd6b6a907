import {
  type ChatInputCommandInteraction,
  type InteractionReplyOptions,
  type MessageComponentInteraction,
  MessageFlags,
} from "discord.js";
import type { ReplyMessage } from "./context.ts";

/** Discord drops an interaction not acknowledged within 3 s; defer with this much margin. */
const ACK_MARGIN_MS = 1_000;
const WINDOW_MS = 3_000;
/** Discord's message content limit. */
const MAX_CONTENT = 2_000;

/**
 * Answers one interaction privately, exactly once, within Discord's 3-second window: if the handler
 * has not answered in time, it defers (ephemeral "thinking…", or a silent update for components) and
 * the answer then edits it. Calls are serialized so a deferral and a reply can never race into
 * "already acknowledged".
 */
export class Responder {
  #chain: Promise<void> = Promise.resolve();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly interaction: ChatInputCommandInteraction | MessageComponentInteraction,
    /** Components update the message they sit on; commands reply. */
    private readonly mode: "reply" | "update",
    onDeferFailed: (err: unknown) => void,
    /** The interaction was acknowledged without its answer ("thinking…"): the answer is now owed. */
    private readonly onDeferred?: () => void,
  ) {
    const age = Math.max(0, Date.now() - interaction.createdTimestamp);
    const budget = Math.min(WINDOW_MS - ACK_MARGIN_MS, Math.max(0, WINDOW_MS - ACK_MARGIN_MS - age));
    this.#timer = setTimeout(() => void this.defer().catch(onDeferFailed), budget);
    this.#timer.unref();
  }

  get acknowledged(): boolean {
    return this.interaction.deferred || this.interaction.replied;
  }

  defer(): Promise<void> {
    return this.#enqueue(async () => {
      const i = this.interaction;
      if (i.deferred || i.replied) return;
      if (this.mode === "update" && i.isMessageComponent()) await i.deferUpdate();
      else await i.deferReply({ flags: MessageFlags.Ephemeral });
      this.onDeferred?.();
    });
  }

  send(message: ReplyMessage): Promise<void> {
    clearTimeout(this.#timer);
    const body = {
      ...message,
      ...(message.content !== undefined ? { content: truncate(message.content) } : {}),
      components: message.components ?? [],
    };
    return this.#enqueue(async () => {
      const i = this.interaction;
      if (i.deferred || i.replied) await i.editReply(body);
      else if (this.mode === "update" && i.isMessageComponent()) await i.update(body);
      else await i.reply({ ...body, flags: MessageFlags.Ephemeral } as InteractionReplyOptions);
    });
  }

  close(): void {
    clearTimeout(this.#timer);
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch(() => undefined);
    return next;
  }
}

function truncate(text: string): string {
  return text.length <= MAX_CONTENT ? text : `${text.slice(0, MAX_CONTENT - 1)}…`;
}
