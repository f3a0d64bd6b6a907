/**
 * `npm run demo`: the first hour of a creator, played in about a minute, with no account anywhere.
 *
 * The real bot (the composition root, src/bootstrap.ts, as `npm start` runs it) starts against the
 * local stand-ins of Discord (REST + gateway), Telegram's Bot API and Stripe on 127.0.0.1
 * (test/standins/), on the embedded database (PGlite) in a temporary folder. The people of the story
 * act through the same doors as on the real platforms: slash commands and button clicks arrive over
 * the Discord gateway, Telegram messages and button presses through `getUpdates`, checkouts are
 * completed on the Stripe stand-in and its events POSTed to the bot's webhook, signed as Stripe signs
 * them. Each step prints what the bot did, read from the calls the stand-ins recorded and from the
 * bot's own log events (written to DEMO_LOG when set, kept in memory otherwise), and how long it took.
 *
 * Only time is faked: the bot runs on a clock the demo moves 3 days ahead to let a grace period pass.
 * Nothing is left behind: servers closed, the temporary folder removed; exit 0, or 1 with the reason.
 */
import { createWriteStream, existsSync, openSync, type WriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Chat, Message, User as TelegramUser } from "@grammyjs/types";
import {
  type APIApplicationCommandInteractionDataOption,
  type APIInteraction,
  type APIMessage,
  ApplicationCommandOptionType,
  type InteractionType,
  MessageFlags,
  PermissionFlagsBits,
} from "discord-api-types/v10";
import { startTribegate, type Tribegate } from "../src/bootstrap.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import {
  type DiscordCall,
  type DiscordStandin,
  INTERACTION_CALLBACK_ROUTE,
  MEMBER_ROLE_ROUTE,
  startDiscordStandin,
} from "../test/standins/discord.ts";
import {
  botRole,
  buttonClick,
  user as discordUser,
  guild,
  member,
  permissions,
  slashCommand,
  textChannel,
} from "../test/standins/discord-payloads.ts";
import { type StripeStandin, startStripeStandin } from "../test/standins/stripe.ts";
import { startTelegramStandin, type TelegramStandin } from "../test/standins/telegram.ts";
import {
  BOT_ADMIN_RIGHTS,
  chatMember,
  supergroup,
  user as telegramUser,
} from "../test/standins/telegram-payloads.ts";

const STRIPE_KEY = "sk_test_demo0123456789abcdef";
const WEBHOOK_SECRET = "whsec_demo0123456789abcdef";
const DISCORD_TOKEN = "discord-demo-token.abcdef.0123456789";
const TELEGRAM_TOKEN = "123456789:AAdemo-demo-demo-demo-demo-0123";
const DAY_MS = 24 * 60 * 60 * 1000;
/** The bot's default grace period after a failed payment. */
const GRACE_DAYS = 3;
/** One step waits this long at most for the bot. */
const STEP_TIMEOUT_MS = 20_000;
/** The whole story must end within this (the machine may be slow; it usually takes well under a minute). */
const DEMO_TIMEOUT_MS = 110_000;

// --- Output ---------------------------------------------------------------------------------------

const colour = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (colour ? `\u001b[${code}m${s}\u001b[0m` : s);
const bold = paint(1);
const dim = paint(2);
const green = paint(32);
const red = paint(31);
const cyan = paint(36);
const out = (line = "") => process.stdout.write(`${line}\n`);

function elapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// --- The bot's log, read back -----------------------------------------------------------------------

type LogLine = Record<string, unknown>;

/** Keeps the bot's pino JSON lines to read its events back; copies them to DEMO_LOG when set. */
class LogSink extends Writable {
  readonly lines: LogLine[] = [];
  constructor(private readonly file: WriteStream | undefined) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    const text = chunk.toString("utf8");
    this.file?.write(text);
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      try {
        this.lines.push(JSON.parse(line) as LogLine);
      } catch {
        this.lines.push({ unparsed: line });
      }
    }
    done();
  }
}

// --- Waiting --------------------------------------------------------------------------------------

async function until<T>(check: () => T | undefined | false, what: string, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${elapsed(timeoutMs)} waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A clock the demo moves forward; the bot reads it for grace periods and due dates. */
class DemoClock {
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
}

// --- The world ------------------------------------------------------------------------------------

interface World {
  app: Tribegate;
  discord: DiscordStandin;
  telegram: TelegramStandin;
  stripe: StripeStandin;
  logs: LogSink;
  clock: DemoClock;
  webhookUrl: string;
}

type Option = APIApplicationCommandInteractionDataOption<InteractionType.ApplicationCommand>;
const str = (name: string, value: string): Option => ({
  type: ApplicationCommandOptionType.String,
  name,
  value,
});
/** `/tribe <group> <sub>` or `/tribe <sub>` options as Discord nests them. */
function sub(names: [string] | [string, string], options: Option[] = []): Option[] {
  const [first, second] = names;
  const leaf = { type: ApplicationCommandOptionType.Subcommand, name: second ?? first, options } as Option;
  return second
    ? [{ type: ApplicationCommandOptionType.SubcommandGroup, name: first, options: [leaf] } as Option]
    : [leaf];
}

/** Sends an interaction over the gateway; resolves with the bot's final (non-loading) answer. */
async function interact(w: World, payload: APIInteraction): Promise<APIMessage> {
  const record = w.discord.interaction(payload);
  await until(() => {
    const done = w.logs.lines.some(
      (l) =>
        l.interactionId === payload.id &&
        ["discord.interaction.handled", "discord.interaction.refused", "discord.interaction.failed"].includes(
          String(l.event),
        ),
    );
    const original = record.original;
    return done && original !== undefined && ((original.flags ?? 0) & MessageFlags.Loading) === 0;
  }, `the bot's answer to a Discord interaction`);
  return record.original!;
}

const componentsOf = (m: APIMessage) =>
  (m.components ?? []).flatMap((row) =>
    "components" in row ? (row.components as { url?: string; custom_id?: string; label?: string }[]) : [],
  );

function botMessages(w: World, chatId: number): Message[] {
  return w.telegram.messages(chatId).filter((m) => m.from?.id === w.telegram.bot.id);
}

async function nextBotMessage(
  w: World,
  chatId: number,
  seen: number,
  match: (m: Message) => boolean = () => true,
): Promise<Message> {
  return until(() => botMessages(w, chatId).slice(seen).find(match), `a Telegram message from the bot`);
}

/** A Telegram command typed by `from` (in private unless `chat`); resolves with the bot's answer. */
async function say(w: World, from: TelegramUser, command: string, args = "", chat?: Chat): Promise<Message> {
  const chatId = chat?.id ?? from.id;
  const seen = botMessages(w, chatId).length;
  w.telegram.pushCommand({ command, ...(args ? { args } : {}), from, ...(chat ? { chat } : {}) });
  return nextBotMessage(w, chatId, seen);
}

const inlineButtons = (m: Message) => (m.reply_markup?.inline_keyboard ?? []).flat();

/** Stripe: the fan pays on the checkout page; its events are POSTed to the bot, signed. */
async function payOnStripe(
  w: World,
  sessionId: string,
): Promise<{ subscriptionId: string; events: string[] }> {
  const done = w.stripe.completeCheckout(sessionId, { name: "fan" });
  const delivered = await w.stripe.deliverEvents(w.webhookUrl, WEBHOOK_SECRET);
  const refused = delivered.filter((d) => d.status !== 200);
  if (refused.length)
    throw new Error(
      `the bot refused webhooks: ${refused.map((d) => `${d.event.type} ${d.status}`).join(", ")}`,
    );
  if (!done.subscription) throw new Error(`checkout ${sessionId} made no subscription`);
  return { subscriptionId: done.subscription.id, events: delivered.map((d) => d.event.type) };
}

// --- What the bot did during a step ---------------------------------------------------------------

interface Marks {
  discord: number;
  telegram: number;
  stripe: number;
  log: number;
}

const markNow = (w: World): Marks => ({
  discord: w.discord.calls.length,
  telegram: w.telegram.calls.length,
  stripe: w.stripe.calls.length,
  log: w.logs.lines.length,
});

function countList(names: string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(", ");
}

function discordCallName(c: DiscordCall): string {
  if (c.route === INTERACTION_CALLBACK_ROUTE) return "interaction reply";
  if (c.route === MEMBER_ROLE_ROUTE) return `${c.method} member role`;
  if (c.route?.startsWith("/webhooks/"))
    return `${c.method === "PATCH" ? "edit" : "send"} interaction message`;
  return `${c.method} ${c.route ?? c.path}`;
}

/** Log events worth showing (the bot's decisions), in the order they happened. */
const SHOWN_EVENTS =
  /^(tier|bind|checkout|stripe\.event|access\.(granted|revoked|dead)|telegram\.(join|invite|poll_posted)|discord\.(home\.bound|dm\.sent|poll)|poll|member|task\.done)/;

/** What the bot did since `m`, as recorded by the stand-ins and its log: a few grey lines. */
function didSince(w: World, m: Marks): string[] {
  const lines: string[] = [];
  const discord = w.discord.calls
    .slice(m.discord)
    .filter((c) => !(c.method === "GET" && c.route?.startsWith("/gateway")))
    .map(discordCallName);
  const telegram = w.telegram.calls
    .slice(m.telegram)
    .map((c) => c.method)
    .filter((x) => x !== "getUpdates");
  const stripe = w.stripe.calls.slice(m.stripe).map((c) => `${c.method} ${c.route ?? c.path}`);
  const events = w.logs.lines
    .slice(m.log)
    .map((l) => String(l.event ?? ""))
    .filter((e) => SHOWN_EVENTS.test(e) && !e.startsWith("task.done"));
  if (discord.length) lines.push(`Discord API ← bot: ${countList(discord)}`);
  if (telegram.length) lines.push(`Telegram API ← bot: ${countList(telegram)}`);
  if (stripe.length) lines.push(`Stripe API ← bot: ${countList(stripe)}`);
  if (events.length) lines.push(`bot log: ${countList(events)}`);
  return lines;
}

// --- Steps ----------------------------------------------------------------------------------------

let stepNo = 0;
let currentStep = "0, before the bot started";
/** A step's line is printed, waiting for its result. */
let lineOpen = false;
/** The bot's log, for the warnings and errors shown when the demo fails. */
let botLog: LogSink | undefined;
/** Where the current step began in the bot's log. */
let stepLogStart = 0;
/** Ctrl-C or SIGTERM: cleaning up, then exit 130 (what fails meanwhile is not reported). */
let interrupted = false;

/** Runs one step: prints `N. title … result (time)` and what the bot did underneath. */
async function step(
  w: World | undefined,
  title: string,
  run: () => Promise<{ result: string; notes?: string[] }>,
): Promise<void> {
  stepNo += 1;
  currentStep = `${stepNo}. ${title}`;
  process.stdout.write(`${bold(`${String(stepNo).padStart(2)}.`)} ${title} … `);
  lineOpen = true;
  stepLogStart = botLog?.lines.length ?? 0;
  const marks = w ? markNow(w) : undefined;
  const t0 = performance.now();
  const { result, notes = [] } = await run();
  const ms = performance.now() - t0;
  out(`${green(result)} ${dim(`(${elapsed(ms)})`)}`);
  lineOpen = false;
  for (const note of notes) out(`      ${note}`);
  if (w && marks) for (const line of didSince(w, marks)) out(dim(`      ${line}`));
}

// --- The story ------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  // Opened here, so that a log file that cannot be written stops the demo with the reason.
  const logFile = process.env.DEMO_LOG
    ? createWriteStream(process.env.DEMO_LOG, { fd: openSync(process.env.DEMO_LOG, "w") })
    : undefined;
  const dataDir = await mkdtemp(path.join(tmpdir(), "tribegate-demo-"));
  const logs = new LogSink(logFile);
  botLog = logs;
  /** The stand-ins' closers; the bot is stopped through `starting`. */
  const closers: (() => Promise<unknown>)[] = [];
  let starting: Promise<Tribegate> | undefined;
  let w: World | undefined;

  out(bold("tribegate demo: from git clone to the first paying fans, with no account anywhere"));
  out(
    dim(
      "The real bot runs against local stand-ins of Discord, Telegram and Stripe on 127.0.0.1; the embedded\n" +
        `database lives in ${dataDir} until the end.${process.env.DEMO_LOG ? ` The bot's log: ${process.env.DEMO_LOG}.` : ""}`,
    ),
  );
  out();

  const watchdog = setTimeout(() => {
    process.stderr.write(
      `\n${red("✗ demo failed:")} it did not finish within ${elapsed(DEMO_TIMEOUT_MS)} (at step ${currentStep})\n`,
    );
    const giveUp = setTimeout(() => process.exit(1), 15_000);
    void cleanUp().finally(() => {
      clearTimeout(giveUp);
      process.exit(1);
    });
  }, DEMO_TIMEOUT_MS);
  watchdog.unref();
  // Ctrl-C reaches this process twice (from the terminal, and relayed by tsx): clean up once.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      process.stderr.write(
        `\n${red("✗ demo interrupted")} (${signal}); stopping everything and removing ${dataDir}\n`,
      );
      void cleanUp().finally(() => process.exit(130));
    });
  }

  try {
    // The cast.
    const maya = discordUser({ username: "maya", global_name: "Maya" }); // the creator, owner of the application
    const mayaT = telegramUser({ id: 7_000_001, first_name: "Maya", username: "maya_makes" });
    const ben = discordUser({ username: "ben", global_name: "Ben" });
    const ana = telegramUser({ id: 7_000_002, first_name: "Ana", language_code: "en" });
    const lounge = supergroup({ title: "Gold lounge" });
    const general = textChannel({ name: "general" });
    const serverName = "Maya's Studio";

    await step(
      undefined,
      "tribegate starts: local Discord, Telegram and Stripe, embedded database",
      async () => {
        const [stripe, discord, telegram] = await Promise.all([
          startStripeStandin({ secretKey: STRIPE_KEY, portalSettingsSaved: true }),
          startDiscordStandin({ token: DISCORD_TOKEN, applicationOwner: maya }),
          startTelegramStandin({ token: TELEGRAM_TOKEN, bot: { username: "tribegate_demo_bot" } }),
        ]);
        closers.push(() => Promise.allSettled([stripe.close(), discord.close(), telegram.close()]));
        const config = loadConfig({
          values: {
            STRIPE_SECRET_KEY: STRIPE_KEY,
            STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
            STRIPE_API_URL: stripe.origin,
            PUBLIC_BASE_URL: "https://tribe.example",
            HOST: "127.0.0.1",
            PORT: "0",
            DATA_DIR: dataDir,
            DISCORD_TOKEN,
            DISCORD_APPLICATION_ID: discord.applicationId,
            DISCORD_API_URL: discord.apiUrl,
            TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
            TELEGRAM_API_URL: telegram.apiRoot,
            TELEGRAM_CREATOR_IDS: String(mayaT.id),
            LOG_LEVEL: "debug",
          },
          fileKeys: [],
        });
        const log = createLogger({
          level: "debug",
          destination: logs,
          secrets: [STRIPE_KEY, WEBHOOK_SECRET, DISCORD_TOKEN, TELEGRAM_TOKEN],
        });
        const clock = new DemoClock();
        starting = startTribegate({ config, log, clock, reconcileOnStart: false, doctorOnStart: false });
        const app = await starting;
        w = {
          app,
          discord,
          telegram,
          stripe,
          logs,
          clock,
          webhookUrl: `${app.http.url}/stripe/webhook`,
        };
        await app.discord!.ready();
        const world = w;
        await until(() => world.app.telegram!.status() === "ready", "the Telegram bot to start polling");
        const at = (event: string) => {
          const line = logs.lines.find((l) => l.event === event);
          return line ? Date.parse(String(line.time)) : Number.NaN;
        };
        const phases = [
          ["embedded database opened", at("db.open") - at("db.lock.acquired")],
          ["migrations", at("db.migrate.done") - at("db.open")],
          ["Discord and Telegram connected", at("startup.complete") - at("db.migrate.done")],
        ] as const;
        return {
          result: `up on ${app.http.url}, connected to Discord's gateway and polling Telegram`,
          notes: [
            phases
              .filter(([, ms]) => Number.isFinite(ms))
              .map(([what, ms]) => `${what} ${elapsed(ms)}`)
              .join(" · "),
          ],
        };
      },
    );
    const world = w as World | undefined;
    if (!world) throw new Error("the bot did not start");

    const serverId = await (async () => {
      let id = "";
      await step(
        world,
        `Maya adds the bot to her Discord server "${serverName}" and runs /tribe setup`,
        async () => {
          const bot = botRole({
            position: 5,
            permissions: permissions(
              PermissionFlagsBits.ManageRoles,
              PermissionFlagsBits.ManageChannels,
              PermissionFlagsBits.ViewChannel,
              PermissionFlagsBits.SendMessages,
            ),
          });
          const g = guild({
            name: serverName,
            ownerId: maya.id,
            members: [member({ user: maya })],
            channels: [general],
          });
          id = g.id;
          world.discord.addGuild(g, { botRole: bot });
          await until(() => world.app.discord!.client.guilds.cache.has(g.id), "the bot to see the server");
          const answer = await interact(world, mayaCommand(g.id, "tribe", sub(["setup"])));
          if (!answer.content.includes("home server"))
            throw new Error(`/tribe setup answered: ${answer.content}`);
          return { result: "it is now a home server", notes: [quote(answer.content)] };
        },
      );
      return id;
    })();

    function mayaCommand(guildId: string, name: string, options: Option[]) {
      return slashCommand({
        name,
        options,
        user: maya,
        guildId,
        channelId: general.id,
        permissions: permissions(PermissionFlagsBits.ManageGuild, PermissionFlagsBits.ViewChannel),
      });
    }

    let tierSlug = "";
    let roleId = "";
    await step(world, "Maya creates the tier Gold, €5.00 a month: /tribe tier create", async () => {
      const answer = await interact(
        world,
        mayaCommand(
          serverId,
          "tribe",
          sub(["tier", "create"], [str("name", "Gold"), str("price", "5"), str("currency", "eur")]),
        ),
      );
      const tier = await world.app.db.prisma.tier.findFirst({
        where: { name: "Gold" },
        include: { access: true },
      });
      const access = tier?.access.find((a) => a.guildId === serverId);
      if (!tier || !access?.roleId) throw new Error(`no Gold tier with a role: ${answer.content}`);
      tierSlug = tier.slug;
      roleId = access.roleId;
      const roleName = world.discord.guild(serverId)?.roles.find((r) => r.id === roleId)?.name ?? roleId;
      // Stripe tells the webhook about the new product and price too; the bot has nothing to do with them.
      const delivered = await world.stripe.deliverEvents(world.webhookUrl, WEBHOOK_SECRET);
      return {
        result: `tier "${tier.slug}" on sale, Discord role "${roleName}" made for it, Stripe price created`,
        notes: [
          quote(answer.content),
          `Stripe → bot webhook (signed): ${countList(delivered.map((d) => `${d.event.type} ${d.status}`))}`,
        ],
      };
    });

    await step(
      world,
      `Maya opens her Telegram group "${lounge.title}" to Gold: /bindcode, then /bind`,
      async () => {
        world.telegram.addUser(mayaT);
        await say(world, mayaT, "start");
        world.telegram.addChat(lounge, { members: [chatMember.creator(mayaT)], botStatus: BOT_ADMIN_RIGHTS });
        const coded = await say(world, mayaT, "bindcode", tierSlug);
        const code = /: ([A-Z0-9]{8})\n/.exec(coded.text ?? "")?.[1];
        if (!code) throw new Error(`/bindcode answered: ${coded.text}`);
        const bound = await say(world, mayaT, "bind", code, lounge);
        if (!bound.text?.includes("is now bound to tier")) throw new Error(`/bind answered: ${bound.text}`);
        return { result: `bound with code ${code}`, notes: [quote(bound.text)] };
      },
    );

    await step(
      world,
      "Ana pays €5.00 on Telegram: /start gold, Stripe Checkout, join-request link",
      async () => {
        world.telegram.addUser(ana);
        const menu = await say(world, ana, "start", tierSlug);
        const choose = inlineButtons(menu).find((b) => "callback_data" in b) as
          | { text: string; callback_data: string }
          | undefined;
        if (!choose) throw new Error(`/start ${tierSlug} showed no tier button: ${menu.text}`);
        let seen = botMessages(world, ana.id).length;
        world.telegram.pushCallbackQuery({ from: ana, data: choose.callback_data, message: menu });
        const checkout = await nextBotMessage(world, ana.id, seen);
        const payUrl = (inlineButtons(checkout).find((b) => "url" in b) as { url: string } | undefined)?.url;
        const sessionId = payUrl?.split("/").pop();
        if (!sessionId?.startsWith("cs_")) throw new Error(`no checkout link: ${checkout.text}`);
        seen = botMessages(world, ana.id).length;
        const paid = await payOnStripe(world, sessionId);
        const invite = await nextBotMessage(world, ana.id, seen, (m) =>
          /https:\/\/t\.me\/\+/.test(m.text ?? ""),
        );
        const link = /https:\/\/t\.me\/\+\S+/.exec(invite.text ?? "")![0];
        const opened = world.telegram.userJoinsViaLink(ana, link);
        if (opened.outcome !== "requested") throw new Error(`the link ${link} was ${opened.outcome}`);
        await until(
          () =>
            world.telegram.member(lounge.id, ana.id)?.status === "member" &&
            world.logs.lines.some((l) => l.event === "telegram.join_approved"),
          `Ana to be let into "${lounge.title}"`,
        );
        return {
          result: `approved into "${lounge.title}"`,
          notes: [
            `Stripe → bot webhook (signed): ${countList(paid.events)}`,
            `Ana opened ${link}; the bot asked the ledger and approved her join request`,
          ],
        };
      },
    );

    let benSubscription = "";
    await step(world, 'Ben pays €5.00 on Discord: /join, Stripe Checkout, role "Gold"', async () => {
      world.discord.addMember(serverId, member({ user: ben }));
      const answer = await interact(
        world,
        slashCommand({
          name: "join",
          options: [str("tier", tierSlug)],
          user: ben,
          guildId: serverId,
          channelId: general.id,
        }),
      );
      const url = componentsOf(answer).find((c) => c.url)?.url;
      const sessionId = url?.split("/").pop();
      if (!sessionId?.startsWith("cs_")) throw new Error(`/join answered: ${answer.content}`);
      const paid = await payOnStripe(world, sessionId);
      benSubscription = paid.subscriptionId;
      await until(
        () => world.discord.member(serverId, ben.id)?.roles.includes(roleId),
        `Ben to get the Gold role`,
      );
      const dm = await until(() => world.discord.dmsTo(ben.id).at(-1), "the welcome DM to Ben");
      return {
        result: `role "Gold" given to Ben`,
        notes: [
          `Stripe → bot webhook (signed): ${countList(paid.events)}`,
          `DM to Ben: ${quote(dm.content)}`,
        ],
      };
    });

    let pollId = "";
    await step(world, "Maya opens a poll on both platforms: /tribe poll open", async () => {
      const answer = await interact(
        world,
        mayaCommand(
          serverId,
          "tribe",
          sub(
            ["poll", "open"],
            [
              str("question", "What should I make next?"),
              str("options", "Cooking | Travel | Music"),
              str("duration", "2h"),
            ],
          ),
        ),
      );
      const poll = await world.app.db.prisma.poll.findFirst({
        where: { question: "What should I make next?" },
      });
      if (!poll) throw new Error(`/tribe poll open answered: ${answer.content}`);
      pollId = poll.id;
      await until(() => {
        const onDiscord = world.discord
          .messages(general.id)
          .some((m) => JSON.stringify(m.components ?? []).includes(poll.id));
        const onTelegram = botMessages(world, lounge.id).some((m) =>
          (m.text ?? "").includes("What should I make next?"),
        );
        return onDiscord && onTelegram;
      }, "the poll to be posted on Discord and Telegram");
      return {
        result: `posted in #${general.name} and in "${lounge.title}"`,
        notes: [quote(answer.content)],
      };
    });

    await step(world, "Ana votes with the Telegram button, Ben with the Discord button", async () => {
      const post = await world.app.db.prisma.pollPost.findFirst({
        where: { pollId, platform: "telegram", chatId: String(lounge.id) },
      });
      const tgMessage = world.telegram
        .messages(lounge.id)
        .find((m) => m.message_id === Number(post?.messageId));
      const travel =
        tgMessage &&
        (inlineButtons(tgMessage).find((b) => b.text === "Travel") as { callback_data: string } | undefined);
      if (!tgMessage || !travel)
        throw new Error(`no Telegram poll message with a "Travel" button in "${lounge.title}"`);
      const press = world.telegram.pushCallbackQuery({
        from: ana,
        data: travel.callback_data,
        message: tgMessage,
      });
      const answered = await until(
        () => world.telegram.callbackAnswers.get(press.callback_query!.id),
        "the bot to answer Ana's press",
      );
      const dcMessage = world.discord
        .messages(general.id)
        .find((m) => JSON.stringify(m.components ?? []).includes(pollId));
      const travelId =
        dcMessage && componentsOf(dcMessage).find((c) => c.custom_id === `pv:${pollId}:1`)?.custom_id;
      if (!dcMessage || !travelId) throw new Error(`no Discord poll message with a "Travel" button`);
      const click = await interact(
        world,
        // Discord sends the clicker's member object, roles included, with every interaction.
        buttonClick({
          customId: travelId,
          user: ben,
          roles: world.discord.member(serverId, ben.id)?.roles ?? [],
          guildId: serverId,
          channelId: general.id,
          message: dcMessage,
        }),
      );
      const ballots = await world.app.db.prisma.pollBallot.count({ where: { pollId } });
      return {
        result: `${ballots} ballots counted`,
        notes: [`Ana sees: ${quote(answered.text ?? "")}`, `Ben sees: ${quote(click.content)}`],
      };
    });

    await step(world, "Maya closes the poll from Telegram: /closepoll", async () => {
      const answer = await say(world, mayaT, "closepoll", pollId.slice(0, 8));
      const closed = await world.app.db.prisma.poll.findUnique({ where: { id: pollId } });
      const result = closed?.result as { counts?: number[]; winners?: number[] } | null | undefined;
      if (!closed || !result?.counts) throw new Error(`/closepoll answered: ${answer.text}`);
      const options = closed.options as string[];
      const posted = await until(() => {
        const dc = world.discord
          .messages(general.id)
          .find((m) => m.embeds[0]?.title === "Closed: What should I make next?");
        const tg = botMessages(world, lounge.id).find((m) => (m.text ?? "").includes("Winner:"));
        return dc && tg && { dc, tg };
      }, "the results on Discord and Telegram");
      const winner = (result.winners ?? []).map((i) => options[i]).join(", ");
      const winnerLine = (text: string | undefined) =>
        quote((text ?? "").split("\n").find((l) => l.includes("Winner")) ?? text);
      return {
        result: `winner: ${winner}`,
        notes: [
          `Maya sees: ${quote(answer.text?.split("\n")[0])}`,
          `tally: ${options.map((o, i) => `${o} ${result.counts?.[i] ?? 0}`).join(" · ")}`,
          `#${general.name} on Discord: ${winnerLine(posted.dc.embeds[0]?.description)}`,
          `"${lounge.title}" on Telegram: ${winnerLine(posted.tg.text)}`,
        ],
      };
    });

    await step(
      world,
      "Ben's renewal fails: his card is declined, Stripe marks the subscription past due",
      async () => {
        const seen = world.discord.dmsTo(ben.id).length;
        world.stripe.updateSubscription(benSubscription, { status: "past_due" });
        const delivered = await world.stripe.deliverEvents(world.webhookUrl, WEBHOOK_SECRET);
        if (delivered.some((d) => d.status !== 200)) throw new Error("the bot refused the past_due webhook");
        const dm = await until(
          () =>
            world.discord
              .dmsTo(ben.id)
              .slice(seen)
              .find((m) => m.content.includes("did not go through")),
          "the payment-failed DM to Ben",
        );
        const portal = componentsOf(dm).some((c) => c.url);
        // The reminder is a durable task: let it settle before the clock jumps days ahead.
        await until(
          () =>
            world.logs.lines.some(
              (l) =>
                l.event === "task.done" &&
                String(l.key).startsWith(`notify:payment_failed:${benSubscription}`),
            ),
          "the reminder task to finish",
        );
        const stillIn = world.discord.member(serverId, ben.id)?.roles.includes(roleId) ?? false;
        if (!stillIn) throw new Error("Ben lost the role before the grace period ended");
        return {
          result: `Ben keeps "Gold" for the ${GRACE_DAYS}-day grace period`,
          notes: [`DM to Ben${portal ? " (with a button to the Stripe portal)" : ""}: ${quote(dm.content)}`],
        };
      },
    );

    await step(world, `${GRACE_DAYS} days pass without payment (the bot's clock moves ahead)`, async () => {
      const seen = world.discord.dmsTo(ben.id).length;
      world.clock.advance(GRACE_DAYS * DAY_MS + 60_000);
      await world.app.taskWorker.drain();
      world.app.wake();
      await until(
        () =>
          world.discord.calls.some(
            (c) =>
              c.method === "DELETE" &&
              c.route === MEMBER_ROLE_ROUTE &&
              c.params.user === ben.id &&
              c.params.role === roleId &&
              c.status === 204,
          ),
        "the bot to take the Gold role back from Ben",
      );
      const dm = await until(
        () =>
          world.discord
            .dmsTo(ben.id)
            .slice(seen)
            .find((m) => m.content.includes("ended")),
        "the access-ended DM to Ben",
      );
      const anaStatus = world.telegram.member(lounge.id, ana.id)?.status;
      if (anaStatus !== "member")
        throw new Error(`Ana, who kept paying, is ${anaStatus} in "${lounge.title}"`);
      return {
        result: `role "Gold" taken back from Ben`,
        notes: [
          `DM to Ben: ${quote(dm.content)}`,
          `Ana's membership is untouched: still in "${lounge.title}"`,
        ],
      };
    });

    await step(
      undefined,
      "tribegate stops as on SIGTERM; the stand-ins close; the temporary folder goes",
      async () => {
        await cleanUp();
        const shutdown = logs.lines.find((l) => l.event === "shutdown.complete");
        if (!shutdown) throw new Error("the bot did not log shutdown.complete");
        if (existsSync(dataDir)) throw new Error(`${dataDir} is still there`);
        return {
          result: "all closed, nothing left behind",
          notes: [`bot: shut down cleanly in ${elapsed(Number(shutdown.ms))}; ${dataDir} removed`],
        };
      },
    );

    out();
    out(`${bold(green("✓ demo finished"))} ${dim(`in ${elapsed(performance.now() - started)}`)}`);
    out(
      dim(
        "Next: copy .env.example to .env, fill in your own Discord, Telegram and Stripe settings, and npm start.",
      ),
    );
  } finally {
    clearTimeout(watchdog);
    await cleanUp();
  }

  /** Stops the bot, closes the stand-ins and removes the temporary folder; safe to call twice. */
  async function cleanUp(): Promise<void> {
    // A bot still starting (the embedded database opening) is let finish, then stopped: stopped
    // halfway, it would keep writing into the folder being removed.
    const app = await starting?.catch(() => undefined);
    await app?.stop().catch(() => undefined);
    while (closers.length) await closers.shift()!().catch(() => undefined);
    if (logFile && !logFile.closed) await new Promise((r) => logFile.end(r));
    await rm(dataDir, { recursive: true, force: true });
    if (existsSync(dataDir)) process.stderr.write(`could not remove ${dataDir}\n`);
  }
}

/** A message the bot sent, on one line; a long one is cut after its first sentence. */
function quote(s: string | undefined): string {
  let line = (s ?? "")
    .replace(/<t:(\d+):\w>/g, (_, t: string) =>
      new Date(Number(t) * 1000).toISOString().slice(0, 16).replace("T", " "),
    )
    .replace(/\s+/g, " ")
    .trim();
  if (line.length > 160) {
    const end = line.search(/[.:!?] /);
    line = end > 0 && end < 160 ? `${line.slice(0, end + 1)} …` : `${line.slice(0, 159)}…`;
  }
  return cyan(`“${line}”`);
}

main().then(
  () => {
    process.exitCode = 0;
  },
  (err: unknown) => {
    if (interrupted) return;
    if (lineOpen) out(red("FAILED"));
    const hints = (botLog?.lines ?? [])
      .slice(stepLogStart)
      .filter((l) => l.level === "warn" || l.level === "error" || l.level === "fatal")
      .slice(-5)
      .map((l) => `\n    bot ${String(l.level)}: ${String(l.event)}: ${String(l.msg ?? "")}`)
      .join("");
    process.stderr.write(
      `${red("✗ demo failed")} at step ${currentStep}:\n  ${err instanceof Error ? err.message : String(err)}` +
        `${hints ? `\n  The bot's warnings during that step:${hints}` : ""}\n` +
        "  Everything it started was stopped and its temporary folder removed. DEMO_LOG=<file> keeps the bot's log.\n",
    );
    process.exitCode = 1;
  },
);
