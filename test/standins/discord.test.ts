import { once } from "node:events";
import {
  type APIThreadChannel,
  ChannelType,
  Client,
  DiscordAPIError,
  Events,
  GatewayIntentBits,
  type Interaction,
  MessageFlags,
  PermissionFlagsBits,
  Routes,
} from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DiscordStandin,
  type DiscordStandinOptions,
  INTERACTION_CALLBACK_ROUTE,
  MEMBER_ROLE_ROUTE,
  startDiscordStandin,
  THREAD_FROM_MESSAGE_ROUTE,
  THREAD_ROUTE,
} from "./discord.ts";
import { botRole, guild, member, role, slashCommand, textChannel, user } from "./discord-payloads.ts";

const fan = user({ username: "fan" });
const other = user({ username: "other" });
const supporter = role({ name: "Supporter", position: 1 });
const general = textChannel({ name: "general" });
const tribe = guild({
  name: "Tribe",
  roles: [supporter],
  channels: [general],
  members: [member({ user: fan }), member({ user: other })],
});

let standin: DiscordStandin | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.destroy();
  await standin?.close();
  client = undefined;
  standin = undefined;
});

async function connect(
  options: DiscordStandinOptions = {},
  rest: { timeout?: number; retries?: number } = {},
) {
  standin = await startDiscordStandin({ guilds: [tribe], ...options });
  client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers],
    rest: { api: standin.apiUrl, ...rest },
  });
  const ready = once(client, Events.ClientReady);
  await client.login("any-token");
  await ready;
  return { standin, client };
}

describe("Discord stand-in with discord.js", () => {
  it("logs in, sees the guild and adds a role with an audit-log reason", async () => {
    const { standin, client } = await connect();
    const cached = client.guilds.cache.get(tribe.id);
    expect(cached?.name).toBe("Tribe");
    expect(cached?.roles.cache.has(supporter.id)).toBe(true);
    expect(cached?.members.me?.id).toBe(standin.botUser.id);

    const fetched = await cached!.members.fetch(fan.id);
    await fetched.roles.add(supporter.id, "Stripe: subscription active");

    const put = await standin.waitForCall((c) => c.method === "PUT" && c.route === MEMBER_ROLE_ROUTE);
    expect(put.path).toBe(`/guilds/${tribe.id}/members/${fan.id}/roles/${supporter.id}`);
    expect(put.status).toBe(204);
    expect(put.auditLogReason).toBe("Stripe: subscription active");
    expect(standin.member(tribe.id, fan.id)?.roles).toEqual([supporter.id]);
    // The GUILD_MEMBER_UPDATE dispatch reaches the client's cache.
    await expect.poll(() => cached!.members.cache.get(fan.id)?.roles.cache.has(supporter.id)).toBe(true);

    await fetched.roles.remove(supporter.id);
    expect(standin.member(tribe.id, fan.id)?.roles).toEqual([]);
  });

  it("answers Discord's errors: unknown member, role above the bot, DMs closed, bad command", async () => {
    const above = role({ name: "Moderator", position: 5 });
    const low = botRole({ position: 2 });
    const { standin, client } = await connect({ guilds: [] });
    const members = [member({ user: fan }), member({ user: other })];
    standin.addGuild(guild({ id: tribe.id, roles: [supporter, above], members }), { botRole: low });
    await expect.poll(() => client.guilds.cache.has(tribe.id)).toBe(true);

    const api = client.rest;
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: unknown) => (e instanceof DiscordAPIError ? e.code : String(e)),
      );
    expect(await code(api.put(`/guilds/${tribe.id}/members/404/roles/${supporter.id}`))).toBe(10007);
    expect(await code(api.put(`/guilds/${tribe.id}/members/${fan.id}/roles/404`))).toBe(10011);
    expect(await code(api.put(`/guilds/${tribe.id}/members/${fan.id}/roles/${above.id}`))).toBe(50013);
    expect(await code(api.put(`/guilds/${tribe.id}/members/${fan.id}/roles/${low.id}`))).toBe(50013);

    standin.blockDirectMessages(fan.id);
    expect(await code(client.users.send(fan.id, "Welcome!"))).toBe(50007);
    await client.users.send(other.id, "Welcome!");
    expect(standin.dmsTo(other.id).map((m) => m.content)).toEqual(["Welcome!"]);

    expect(
      await code(client.application!.commands.set([{ name: "Join Now", description: "x" }], tribe.id)),
    ).toBe(50035);
    await client.application!.commands.set([{ name: "join", description: "Join the tribe" }], tribe.id);
    expect(standin.commands(tribe.id).map((c) => c.name)).toEqual(["join"]);
    const unknownRoute = await code(api.get("/nothing/here"));
    expect(unknownRoute).toBe(0);
    expect(standin.calls.at(-1)).toMatchObject({ path: "/nothing/here", status: 404, route: undefined });
  });

  it("threads: one on a message (a second is 160004), one without a message, 403 without Create Public Threads", async () => {
    const { standin, client } = await connect({ guilds: [] });
    const withThreads = botRole({
      position: 2,
      permissions: String(
        BigInt(botRole().permissions) |
          PermissionFlagsBits.CreatePublicThreads |
          PermissionFlagsBits.SendMessagesInThreads,
      ),
    });
    standin.addGuild(guild({ id: tribe.id, channels: [general], members: [member({ user: fan })] }), {
      botRole: withThreads,
    });
    await expect.poll(() => client.guilds.cache.has(tribe.id)).toBe(true);
    const code = (p: Promise<unknown>) =>
      p.then(
        () => "resolved",
        (e: unknown) => (e instanceof DiscordAPIError ? e.code : String(e)),
      );
    const channel = await client.channels.fetch(general.id);
    if (!channel?.isSendable() || channel.isDMBased()) throw new Error("no text channel");
    const sent = await channel.send("Which one next?");
    const body = { name: "Which one next?", auto_archive_duration: 10080 };
    const thread = (await client.rest.post(Routes.threads(general.id, sent.id), {
      body,
    })) as APIThreadChannel;
    expect(thread).toMatchObject({
      id: sent.id,
      type: ChannelType.PublicThread,
      parent_id: general.id,
      guild_id: tribe.id,
      owner_id: standin.botUser.id,
      name: "Which one next?",
      thread_metadata: { archived: false, auto_archive_duration: 10080 },
    });
    expect(standin.calls.at(-1)).toMatchObject({ status: 201, route: THREAD_FROM_MESSAGE_ROUTE });
    // The starter message now points at its thread.
    const starter = standin.messages(general.id).find((m) => m.id === sent.id)!;
    expect(starter.thread?.id).toBe(sent.id);
    expect((starter.flags ?? 0) & MessageFlags.HasThread).toBe(MessageFlags.HasThread);
    // A second thread on the same message: refused, and the thread is the channel with the message's id.
    expect(await code(client.rest.post(Routes.threads(general.id, sent.id), { body }))).toBe(160004);
    expect(await client.rest.get(Routes.channel(sent.id))).toMatchObject({ id: sent.id, type: 11 });
    // Without a message: a new id; the default type (a private thread) is not modelled, a public one is.
    expect(await code(client.rest.post(Routes.threads(general.id), { body: { name: "Idea" } }))).toBe(50035);
    const idea = (await client.rest.post(Routes.threads(general.id), {
      body: { name: "Idea", type: ChannelType.PublicThread },
    })) as APIThreadChannel;
    expect(idea.id).not.toBe(sent.id);
    expect(standin.calls.at(-1)?.route).toBe(THREAD_ROUTE);
    const active = (await client.rest.get(Routes.guildActiveThreads(tribe.id))) as {
      threads: { id: string }[];
    };
    expect(active.threads.map((t) => t.id)).toEqual([sent.id, idea.id]);
    // Writing in a thread counts on it.
    await client.rest.post(Routes.channelMessages(idea.id), { body: { content: "hello" } });
    expect(standin.threads(tribe.id).find((t) => t.id === idea.id)?.message_count).toBe(1);
    // The discord.js cache hears THREAD_CREATE.
    await expect.poll(() => client.channels.cache.get(idea.id)?.isThread()).toBe(true);

    // A server where the bot's role lacks Create Public Threads: 403, Discord's error shape.
    const other = guild({ channels: [textChannel({ name: "polls" })], members: [member({ user: fan })] });
    standin.addGuild(other);
    // Its @everyone does not have them either (Discord gives them by default; this server took them).
    const everyone = other.roles.find((r) => r.id === other.id)!;
    standin.addRole(other.id, {
      ...everyone,
      permissions: String(
        BigInt(everyone.permissions) &
          ~(PermissionFlagsBits.CreatePublicThreads | PermissionFlagsBits.SendMessagesInThreads),
      ),
    });
    await expect.poll(() => client.guilds.cache.has(other.id)).toBe(true);
    const polls = other.channels[0]!.id;
    const inOther = (await client.rest.post(Routes.channelMessages(polls), { body: { content: "Q?" } })) as {
      id: string;
    };
    expect(await code(client.rest.post(Routes.threads(polls, inOther.id), { body }))).toBe(50013);
    expect(standin.calls.at(-1)).toMatchObject({
      status: 403,
      response: { code: 50013, message: "Missing Permissions" },
    });
  });

  it("honours an injected 429 (retry_after) and then succeeds", async () => {
    const { standin, client } = await connect();
    standin.failNext(
      { method: "PUT", path: MEMBER_ROLE_ROUTE },
      { kind: "rate_limit", retryAfterSeconds: 0.2 },
    );
    const target = await client.guilds.cache.get(tribe.id)!.members.fetch(fan.id);
    await target.roles.add(supporter.id);
    const puts = standin.calls.filter((c) => c.route === MEMBER_ROLE_ROUTE);
    expect(puts.map((c) => c.status)).toEqual([429, 204]);
    expect(puts[0]?.response).toMatchObject({ retry_after: 0.2, global: false });
  });

  it("injects faults: a 500 and a hang, which discord.js retries", async () => {
    const { standin, client } = await connect({}, { timeout: 300, retries: 1 });
    const path = `/guilds/${tribe.id}/members/${fan.id}` as const;
    standin.failNext(
      { method: "GET", path: "/guilds/:guild/members/:user" },
      { kind: "status", status: 500 },
    );
    await client.rest.get(path);
    standin.failNext({ method: "GET", path }, { kind: "hang" });
    await client.rest.get(path);
    const reads = standin.calls.filter((c) => c.path === path).map((c) => c.status);
    expect(reads).toEqual([500, 200, "hang", 200]);
  });

  it("enforces the global limit with real 429s that discord.js waits out", async () => {
    const { standin, client } = await connect({ rateLimits: { global: { limit: 3, windowMs: 1_000 } } });
    // discord.js assumes 50 requests/s: the 4th request of the window meets a global 429.
    // (8 requests cannot fit in the two 3-request windows they may straddle.)
    await Promise.all(Array.from({ length: 8 }, () => client.rest.get(`/guilds/${tribe.id}/roles`)));
    expect(standin.rateLimitHits.global).toBeGreaterThanOrEqual(1);
    const limited = standin.calls.find((c) => c.status === 429);
    expect(limited?.response).toMatchObject({ global: true, message: "You are being rate limited." });
    expect(limited?.responseHeaders).toMatchObject({
      "x-ratelimit-global": "true",
      "x-ratelimit-scope": "global",
    });
    const roleReads = standin.calls.filter((c) => c.route === "/guilds/:guild/roles");
    expect(roleReads.filter((c) => c.status === 200)).toHaveLength(8);
  });

  it("sends route bucket headers; discord.js waits for the reset instead of hitting 429", async () => {
    const bucket = { bucket: "roles", methods: ["PUT"], route: MEMBER_ROLE_ROUTE, limit: 2, windowMs: 1_000 };
    const { standin, client } = await connect({ rateLimits: { buckets: [bucket] } });
    const started = Date.now();
    const targets = [fan.id, other.id, fan.id];
    await Promise.all(
      targets.map((id) => client.rest.put(`/guilds/${tribe.id}/members/${id}/roles/${supporter.id}`)),
    );
    const puts = standin.calls.filter((c) => c.route === MEMBER_ROLE_ROUTE);
    expect(puts.map((c) => c.status)).toEqual([204, 204, 204]);
    expect(puts[0]?.responseHeaders).toMatchObject({
      "x-ratelimit-limit": "2",
      "x-ratelimit-remaining": "1",
      "x-ratelimit-bucket": "roles",
    });
    expect(standin.rateLimitHits.route).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("delivers a slash command and records reply, defer and edit", async () => {
    const { standin, client } = await connect();
    const seen: Interaction[] = [];
    client.on(Events.InteractionCreate, async (interaction) => {
      seen.push(interaction);
      if (!interaction.isChatInputCommand()) return;
      if (interaction.commandName === "status") {
        await interaction.reply({ content: "You are a member", flags: MessageFlags.Ephemeral });
      } else {
        await interaction.deferReply({ flags: MessageFlags.Ephemeral });
        await interaction.editReply("Checkout: https://example.test/pay");
      }
    });

    const status = standin.interaction(
      slashCommand({ name: "status", guildId: tribe.id, channelId: general.id, user: fan }),
    );
    const callback = await standin.waitForCall((c) => c.route === INTERACTION_CALLBACK_ROUTE);
    expect(callback.body).toEqual({
      type: 4,
      data: expect.objectContaining({ content: "You are a member", flags: 64 }),
    });
    expect(callback.status).toBe(204);
    expect(status.original?.content).toBe("You are a member");
    expect(seen[0]?.isChatInputCommand() && seen[0].user.id).toBe(fan.id);

    const join = standin.interaction(slashCommand({ name: "join", guildId: tribe.id, user: fan }));
    const edit = await standin.waitForCall(
      (c) => c.method === "PATCH" && c.path.endsWith("/messages/@original"),
    );
    expect(edit.path).toBe(`/webhooks/${standin.applicationId}/${join.payload.token}/messages/@original`);
    expect(join.original?.content).toBe("Checkout: https://example.test/pay");
    expect(join.response?.type).toBe(5);
  });

  it("resumes after a dropped gateway and replays what was missed; destroy() closes cleanly", async () => {
    const { standin, client } = await connect();
    const resumed = standin.gateway.waitForResume();
    standin.closeGateway(4000);
    standin.setMemberRoles(tribe.id, other.id, [supporter.id]); // dispatched while disconnected
    await resumed;
    expect(standin.gatewayFrames.some((f) => f.op === 6)).toBe(true);
    await expect
      .poll(() =>
        client.guilds.cache.get(tribe.id)?.members.cache.get(other.id)?.roles.cache.has(supporter.id),
      )
      .toBe(true);

    await client.destroy();
    await expect.poll(() => standin.connections).toBe(0);
  });

  it("forgotten sessions: the RESUME is refused with op 9 and the client identifies again", async () => {
    const { standin, client } = await connect();
    const first = standin.gateway.logins[0]!.sessionId;
    const shardReady = once(client, Events.ShardReady);
    standin.closeGateway(4000, { forgetSessions: true });
    await shardReady;
    expect(standin.gateway.logins).toEqual([
      { op: "identify", sessionId: first, accepted: true },
      { op: "resume", sessionId: first, accepted: false },
      { op: "identify", sessionId: expect.not.stringMatching(first!), accepted: true },
    ]);
    expect(client.guilds.cache.get(tribe.id)?.members.cache.has(fan.id)).toBe(true);
  });

  it("a silent (half-open) connection is detected by the missing heartbeat ACK and resumed", async () => {
    const { standin, client } = await connect({ heartbeatIntervalMs: 300 });
    const resumed = standin.gateway.waitForResume(10_000);
    standin.silenceGateway();
    standin.setMemberRoles(tribe.id, other.id, [supporter.id]); // sent nowhere, replayed on RESUME
    await resumed;
    expect(standin.gateway.logins.map((l) => [l.op, l.accepted])).toEqual([
      ["identify", true],
      ["resume", true],
    ]);
    await expect
      .poll(() =>
        client.guilds.cache.get(tribe.id)?.members.cache.get(other.id)?.roles.cache.has(supporter.id),
      )
      .toBe(true);
  });
});

describe("Discord stand-in OAuth2 (Join with Discord)", () => {
  const callback = "https://tribe.example.test/join/discord/callback";

  async function authorize(s: DiscordStandin, scope: string, decision = "authorize"): Promise<URL> {
    const site = s.apiUrl.replace(/\/api$/, "");
    const query = new URLSearchParams({
      client_id: s.applicationId,
      response_type: "code",
      redirect_uri: callback,
      scope,
      state: "st4te",
    });
    const page = await fetch(`${site}/oauth2/authorize?${query}`);
    expect(page.status).toBe(200);
    const form = new URLSearchParams(query);
    form.set("decision", decision);
    const res = await fetch(`${site}/oauth2/authorize`, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(302);
    return new URL(res.headers.get("location")!);
  }

  async function token(s: DiscordStandin, code: string, secret = s.clientSecret) {
    return fetch(`${s.apiUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code,
        redirect_uri: callback,
        client_id: s.applicationId,
        client_secret: secret,
      }),
    });
  }

  it("refuses an unregistered redirect, and says access_denied when the user cancels", async () => {
    const { standin } = await connect();
    standin.browserUser = user({ username: "visitor" });
    const site = standin.apiUrl.replace(/\/api$/, "");
    const bad = await fetch(
      `${site}/oauth2/authorize?client_id=${standin.applicationId}&response_type=code&scope=identify&redirect_uri=${encodeURIComponent(callback)}`,
    );
    expect(bad.status).toBe(400);
    standin.redirectUris = [callback];
    const back = await authorize(standin, "identify guilds.join", "cancel");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("state")).toBe("st4te");
  });

  it("exchanges a code once, with the client secret, for a token that reads /users/@me and adds the user: 201, then 204", async () => {
    const { standin, client } = await connect();
    const visitor = user({ username: "visitor" });
    standin.browserUser = visitor;
    standin.redirectUris = [callback];
    const code = (await authorize(standin, "identify guilds.join")).searchParams.get("code")!;
    expect((await token(standin, code, "wrong-secret")).status).toBe(401);
    const granted = await token(standin, code);
    expect(granted.status).toBe(200);
    const body = (await granted.json()) as { access_token: string; scope: string; token_type: string };
    expect(body).toMatchObject({ token_type: "Bearer", scope: "identify guilds.join" });
    expect((await token(standin, code)).status).toBe(400);
    const me = await fetch(`${standin.apiUrl}/users/@me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(await me.json()).toMatchObject({ id: visitor.id, username: "visitor" });
    // Without Create Invite the bot may not add anyone.
    const route = `/guilds/${tribe.id}/members/${visitor.id}` as const;
    await expect(client.rest.put(route, { body: { access_token: body.access_token } })).rejects.toMatchObject(
      {
        status: 403,
      },
    );
    // Create Invite and Manage Roles, on a role of the bot's.
    const inviter = { ...botRole({ position: 9 }), permissions: String(1n | (1n << 28n)) };
    standin.addRole(tribe.id, inviter);
    const botMember = standin.member(tribe.id, standin.botUser.id)!;
    standin.setMemberRoles(tribe.id, standin.botUser.id, [...botMember.roles, inviter.id]);
    const added = (await client.rest.put(route, {
      body: { access_token: body.access_token, roles: [supporter.id] },
    })) as { user: { id: string }; roles: string[] };
    expect(added.user.id).toBe(visitor.id);
    expect(standin.member(tribe.id, visitor.id)?.roles).toEqual([supporter.id]);
    const again = await client.rest.put(route, { body: { access_token: body.access_token, roles: [] } });
    expect(again).not.toHaveProperty("user");
    expect(standin.calls.filter((c) => c.path === route).map((c) => c.status)).toEqual([403, 201, 204]);
  });
});
