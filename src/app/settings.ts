import { z } from "zod";
import { type AccessTarget, type ExtraRoles, parseTargetKey, targetKey } from "../core/access.ts";
import { DEFAULT_GRACE_DAYS } from "../core/membership.ts";
import { DomainError } from "../errors.ts";
import type { Db, Tx } from "./db.ts";
import { FEED_KINDS } from "./feedKinds.ts";

/** The longest pause a creator may offer, in months (Stripe allows more; a pause is a break, not an exit). */
export const MAX_PAUSE_MONTHS = 3;

/** The most tenure roles a creator may set, and the longest tenure one may ask for, in months. */
export const MAX_TENURE_ROLES = 10;
export const MAX_TENURE_MONTHS = 120;

/** A Discord role of one server, as an access target key ("discord:<guild>:<role>"). */
const discordRoleKey = z.string().regex(/^discord:\d{17,20}:\d{17,20}$/);

/** The co-creation cycle's settings (see `cycle` below); the limits are shown in the commands' errors. */
export const CYCLE_LIMITS = {
  day: { min: 1, max: 28 },
  hour: { min: 0, max: 23 },
  days: { min: 1, max: 14 },
  top: { min: 2, max: 10 },
  min: { min: 0, max: 1_000_000 },
} as const;
/** The poll modes a cycle's poll may have. */
export const CYCLE_MODES = ["single", "approval", "ranked"] as const;
export type CycleMode = (typeof CYCLE_MODES)[number];
const limited = (k: keyof typeof CYCLE_LIMITS) =>
  z.number().int().min(CYCLE_LIMITS[k].min).max(CYCLE_LIMITS[k].max);
export const CycleSettingsSchema = z.object({
  on: z.boolean(),
  day: limited("day"),
  hour: limited("hour"),
  days: limited("days"),
  top: limited("top"),
  min: limited("min"),
  mode: z.enum(CYCLE_MODES),
  /** The language of the poll's question: the one the creator set the cycle in. */
  locale: z.enum(["en", "fr"]),
});
export type CycleSettings = z.infer<typeof CycleSettingsSchema>;
export const CYCLE_DEFAULTS: CycleSettings = {
  on: false,
  day: 25,
  hour: 12,
  days: 5,
  top: 3,
  min: 0,
  mode: "single",
  locale: "en",
};

/**
 * Creator settings changed at run time by commands (as opposed to start-up configuration).
 * Stored one row per key in `setting`; a missing row means the default.
 */
export const CreatorSettingsSchema = z.object({
  /** Days a past_due subscription keeps access. */
  graceDays: z.number().int().min(0).max(60).default(DEFAULT_GRACE_DAYS),
  /** The "1,000 true fans" goal shown in stats. */
  trueFansGoal: z.number().int().min(1).max(10_000_000).default(1000),
  /** Fans may pause their subscription's payments from the chat (Stripe's pause_collection). */
  pauseAllowed: z.boolean().default(false),
  /**
   * A paused fan keeps their access during the pause (true) or loses it until payments resume
   * (false). A pause keeps the choice in force when it began.
   */
  pauseKeepsAccess: z.boolean().default(false),
  /** The longest pause offered, in months: fans pick 1 month up to this. */
  pauseMaxMonths: z.number().int().min(1).max(MAX_PAUSE_MONTHS).default(1),
  /**
   * Roles beyond the tiers' (src/core/access.ts, ExtraRoles), each off when empty: a role given
   * during a free trial, one given to former members (taken back when they return), and roles for
   * months of continuous membership.
   */
  trialRole: z.union([z.literal(""), discordRoleKey]).default(""),
  alumniRole: z.union([z.literal(""), discordRoleKey]).default(""),
  tenureRoles: z
    .array(z.object({ months: z.number().int().min(1).max(MAX_TENURE_MONTHS), role: discordRoleKey }))
    .max(MAX_TENURE_ROLES)
    .default([]),
  /** Let fans enter Stripe promotion codes at checkout. */
  allowPromotionCodes: z.boolean().default(false),
  /** Default trial for new tiers, in days. */
  defaultTrialDays: z.number().int().min(0).max(730).default(0),
  /** Discord roles (besides Manage Server) whose holders may use the creator commands. */
  discordManagerRoleIds: z
    .array(z.string().regex(/^\d{17,20}$/))
    .max(25)
    .default([]),
  /** Discord channels every new poll is posted in (a poll opened on Discord may name its own). */
  discordPollChannelIds: z
    .array(z.string().regex(/^\d{17,20}$/))
    .max(10)
    .default([]),
  /**
   * Discord servers the application's owner bound with /tribe setup: the only servers the bot serves
   * when DISCORD_GUILD_IDS is unset.
   */
  discordHomeGuildIds: z
    .array(z.string().regex(/^\d{17,20}$/))
    .max(25)
    .default([]),
  /**
   * Telegram creators who claimed the bot with the one-time set-up code (/setup), for an instance
   * started without TELEGRAM_CREATOR_IDS. They count as TELEGRAM_CREATOR_IDS do (managers included).
   */
  telegramCreatorIds: z
    .array(z.string().regex(/^\d{1,20}$/))
    .max(10)
    .default([]),
  /** The tribe's public page (src/app/tribePage.ts): the creator's name, pitch and picture. */
  profileName: z.string().max(80).default(""),
  profilePitch: z.string().max(500).default(""),
  /** An https address of the creator's picture; empty: none. */
  profilePictureUrl: z.string().max(500).default(""),
  /** A Discord invite (https://discord.gg/…) shown when Discord sign-in is not set up; empty: none. */
  profileDiscordInvite: z.string().max(200).default(""),
  /** Show the true-fans goal's progress on the public page. */
  profileShowGoal: z.boolean().default(false),
  /** Telegram users (besides TELEGRAM_CREATOR_IDS) who may use the creator commands in private chat. */
  telegramManagerIds: z
    .array(z.string().regex(/^\d{1,20}$/))
    .max(50)
    .default([]),
  /** The Discord channel the creator's feed is posted in (src/app/feed.ts); empty: none. */
  feedDiscordChannelId: z.union([z.literal(""), z.string().regex(/^\d{17,20}$/)]).default(""),
  /** The Discord channel the roadmap message is kept up to date in (src/app/roadmapMessage.ts); empty: none. */
  roadmapDiscordChannelId: z.union([z.literal(""), z.string().regex(/^\d{17,20}$/)]).default(""),
  /** The roadmap message is pinned and kept up to date in every Telegram chat bound to a tier. */
  roadmapTelegram: z.boolean().default(false),
  /** The kinds of feed lines switched off (every kind is on by default). */
  feedOff: z.array(z.enum(FEED_KINDS)).max(FEED_KINDS.length).default([]),
  /**
   * The co-creation cycle (src/app/cycle.ts): each month, on `day` at `hour` (UTC), the `top`
   * shortlisted ideas with at least `min` upvotes go to a poll of `mode` open `days` days. Off by default.
   */
  cycle: CycleSettingsSchema.default(CYCLE_DEFAULTS),
});

export type CreatorSettings = z.infer<typeof CreatorSettingsSchema>;

/** The optional roles beyond the tiers', as the access planner takes them. */
export function extraRolesOf(
  s: Pick<CreatorSettings, "trialRole" | "alumniRole" | "tenureRoles">,
): ExtraRoles {
  const role = (key: string): AccessTarget | null => (key ? (parseTargetKey(key) ?? null) : null);
  return {
    trial: role(s.trialRole),
    alumni: role(s.alumniRole),
    tenure: [...s.tenureRoles]
      .sort((a, b) => a.months - b.months)
      .flatMap((t) => {
        const target = role(t.role);
        return target ? [{ months: t.months, target }] : [];
      }),
  };
}
export type SettingKey = keyof CreatorSettings;

/** Whether `target` is one of the creator's roles beyond the tiers' (not a tier's to open). */
export async function isExtraRole(db: Db | Tx, target: AccessTarget): Promise<boolean> {
  const extra = extraRolesOf(await getSettings(db));
  const key = targetKey(target);
  return [extra.trial, extra.alumni, ...extra.tenure.map((t) => t.target)].some(
    (t) => t !== null && targetKey(t) === key,
  );
}

export const SETTING_LIMITS: Record<
  "graceDays" | "trueFansGoal" | "defaultTrialDays" | "pauseMaxMonths",
  { min: number; max: number }
> = {
  pauseMaxMonths: { min: 1, max: MAX_PAUSE_MONTHS },
  graceDays: { min: 0, max: 60 },
  trueFansGoal: { min: 1, max: 10_000_000 },
  defaultTrialDays: { min: 0, max: 730 },
};

export async function getSettings(db: Db | Tx): Promise<CreatorSettings> {
  const rows = await db.setting.findMany();
  return parseSettings(Object.fromEntries(rows.map((r) => [r.key, r.value])));
}

/** The settings from their stored rows (key → value), defaults for the missing or no longer valid ones. */
export function parseSettings(raw: Record<string, unknown>): CreatorSettings {
  const parsed = CreatorSettingsSchema.safeParse(raw);
  // A row written by an older version that no longer validates falls back to the default.
  if (parsed.success) return parsed.data;
  const clean: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = CreatorSettingsSchema.shape[key as SettingKey];
    if (field?.safeParse(value).success) clean[key] = value;
  }
  return CreatorSettingsSchema.parse(clean);
}

export async function setSetting<K extends SettingKey>(
  db: Db | Tx,
  key: K,
  value: CreatorSettings[K],
): Promise<void> {
  const field = CreatorSettingsSchema.shape[key];
  if (!field.safeParse(value).success) {
    const limits = key in SETTING_LIMITS ? SETTING_LIMITS[key as keyof typeof SETTING_LIMITS] : undefined;
    throw new DomainError("setting_out_of_range", {
      setting: key,
      min: limits?.min ?? 0,
      max: limits?.max ?? 0,
    });
  }
  await db.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}

/** The settings that hold a set of ids (roles, channels, servers, accounts). */
type ListKey = {
  [K in SettingKey]: CreatorSettings[K] extends readonly string[] ? K : never;
}[SettingKey];

/**
 * A change to several settings at once: values replaced, and ids added to or removed from list
 * settings. All of it or nothing: each value is validated (a DomainError names the setting) before
 * the transaction commits.
 */
export interface SettingsChange {
  set?: { [K in SettingKey]?: CreatorSettings[K] | undefined };
  add?: { [K in ListKey]?: readonly string[] | undefined };
  remove?: { [K in ListKey]?: readonly string[] | undefined };
}

const listKeys = (m: SettingsChange["add"]): ListKey[] =>
  (Object.entries(m ?? {}) as [ListKey, readonly string[] | undefined][])
    .filter(([, ids]) => ids !== undefined && ids.length > 0)
    .map(([key]) => key);

/** Applies a change in one transaction; true when it named anything to change. */
export async function updateSettings(db: Db, change: SettingsChange): Promise<boolean> {
  const set = Object.entries(change.set ?? {}).filter(([, v]) => v !== undefined);
  const lists = new Set<ListKey>([...listKeys(change.add), ...listKeys(change.remove)]);
  if (set.length === 0 && lists.size === 0) return false;
  await db.$transaction(async (tx) => {
    for (const [key, value] of set) await setSetting(tx, key as SettingKey, value as never);
    if (lists.size === 0) return;
    const current = await getSettings(tx);
    for (const key of lists) {
      const ids = new Set<string>(current[key]);
      for (const id of change.add?.[key] ?? []) ids.add(id);
      for (const id of change.remove?.[key] ?? []) ids.delete(id);
      await setSetting(tx, key, [...ids]);
    }
  });
  return true;
}
