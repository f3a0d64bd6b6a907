import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed callback data. A button's data comes back from the client, so anyone can send any string
 * (Telegram clients and bots can forge callback queries). Each payload carries an HMAC over the
 * payload and the user it was shown to, keyed by a key derived from the bot token: a changed
 * payload, or a button replayed by another user, fails verification. Telegram caps callback data at
 * 64 bytes: a 16-character MAC leaves 47 for the payload (a tier id is 38 with its prefix).
 */
export interface CallbackSigner {
  sign(userId: number, payload: string): string;
  /** The payload, or null when the data was not made by this bot for this user. */
  verify(userId: number, data: string): string | null;
}

const MAC_CHARS = 16;
const MAX_BYTES = 64;

export function createCallbackSigner(botToken: string): CallbackSigner {
  const key = createHmac("sha256", "tribegate/telegram/callback-data").update(botToken).digest();
  const mac = (userId: number, payload: string) =>
    createHmac("sha256", key).update(`${userId}\n${payload}`).digest("base64url").slice(0, MAC_CHARS);
  return {
    sign(userId, payload) {
      const data = `${payload}~${mac(userId, payload)}`;
      if (Buffer.byteLength(data) > MAX_BYTES) throw new Error(`callback payload too long: ${payload}`);
      return data;
    },
    verify(userId, data) {
      const at = data.lastIndexOf("~");
      if (at < 0) return null;
      const payload = data.slice(0, at);
      const given = Buffer.from(data.slice(at + 1));
      const expected = Buffer.from(mac(userId, payload));
      return given.length === expected.length && timingSafeEqual(given, expected) ? payload : null;
    },
  };
}
