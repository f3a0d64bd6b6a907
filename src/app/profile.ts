import { DomainError } from "../errors.ts";
import type { Db } from "./db.ts";
import { type CreatorSettings, getSettings, setSetting } from "./settings.ts";

/**
 * The creator's public profile, shown on the tribe's page: a name, a short pitch, a picture, a
 * Discord invite for when Discord sign-in is not set up, and whether the true-fans goal shows.
 * Every text is checked here, once, whichever platform it was typed on; the page escapes it again.
 */

export const PROFILE_LIMITS = { name: 80, pitch: 500, pictureUrl: 500, discordInvite: 200 } as const;

/** What a creator types to clear a field (Discord options cannot be empty). */
export const CLEAR = "-";

export interface ProfileChanges {
  name?: string;
  pitch?: string;
  pictureUrl?: string;
  discordInvite?: string;
  showGoal?: boolean;
}

export interface CreatorProfile {
  name: string;
  pitch: string;
  pictureUrl: string;
  discordInvite: string;
  showGoal: boolean;
}

export function profileOf(s: CreatorSettings): CreatorProfile {
  return {
    name: s.profileName,
    pitch: s.profilePitch,
    pictureUrl: s.profilePictureUrl,
    discordInvite: s.profileDiscordInvite,
    showGoal: s.profileShowGoal,
  };
}

export async function getCreatorProfile(db: Db): Promise<CreatorProfile> {
  return profileOf(await getSettings(db));
}

/** Control characters (and the bidirectional overrides that reorder text) never reach a page or a message. */
const CONTROL = /(?!\n)[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu;

export function cleanText(raw: string, multiline: boolean): string {
  const text = raw
    .normalize("NFC")
    .replace(/\r\n?/g, "\n")
    .replace(CONTROL, multiline ? "" : " ");
  return (multiline ? text.replace(/\n{3,}/g, "\n\n") : text.replace(/\s+/g, " ")).trim();
}

/** An https address without credentials, as the URL parser writes it; null when it is not one. */
export function httpsUrl(raw: string, max: number): string | null {
  const text = raw.trim();
  if (text.length === 0 || text.length > max) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" || !url.hostname || url.username || url.password) return null;
  return url.href.length <= max ? url.href : null;
}

const DISCORD_INVITE_HOSTS = new Set(["discord.gg", "discord.com", "www.discord.com", "discordapp.com"]);

function discordInvite(raw: string): string | null {
  const url = httpsUrl(raw, PROFILE_LIMITS.discordInvite);
  if (!url) return null;
  const u = new URL(url);
  if (!DISCORD_INVITE_HOSTS.has(u.hostname)) return null;
  const path = u.hostname === "discord.gg" ? /^\/[\w-]{2,32}$/ : /^\/invite\/[\w-]{2,32}$/;
  return path.test(u.pathname) && !u.search && !u.hash ? url : null;
}

/** Checks and saves the fields given; returns the whole profile as saved. */
export async function updateCreatorProfile(db: Db, changes: ProfileChanges): Promise<CreatorProfile> {
  const clear = (v: string) => v.trim() === CLEAR;
  const values: Partial<CreatorSettings> = {};
  if (changes.name !== undefined) {
    const name = clear(changes.name) ? "" : cleanText(changes.name, false);
    if (!clear(changes.name) && (name.length === 0 || name.length > PROFILE_LIMITS.name))
      throw new DomainError("profile_name_invalid", { max: PROFILE_LIMITS.name });
    values.profileName = name;
  }
  if (changes.pitch !== undefined) {
    const pitch = clear(changes.pitch) ? "" : cleanText(changes.pitch, true);
    if (pitch.length > PROFILE_LIMITS.pitch)
      throw new DomainError("profile_pitch_too_long", { max: PROFILE_LIMITS.pitch });
    values.profilePitch = pitch;
  }
  if (changes.pictureUrl !== undefined) {
    const url = clear(changes.pictureUrl) ? "" : httpsUrl(changes.pictureUrl, PROFILE_LIMITS.pictureUrl);
    if (url === null) throw new DomainError("profile_picture_invalid", { max: PROFILE_LIMITS.pictureUrl });
    values.profilePictureUrl = url;
  }
  if (changes.discordInvite !== undefined) {
    const url = clear(changes.discordInvite) ? "" : discordInvite(changes.discordInvite);
    if (url === null) throw new DomainError("profile_invite_invalid");
    values.profileDiscordInvite = url;
  }
  if (changes.showGoal !== undefined) values.profileShowGoal = changes.showGoal;
  await db.$transaction(async (tx) => {
    for (const [key, value] of Object.entries(values)) {
      await setSetting(tx, key as keyof CreatorSettings, value as never);
    }
  });
  return getCreatorProfile(db);
}
