/**
 * The Discord gateway half of the stand-in: a WebSocket endpoint on the REST server's port at
 * /gateway speaking the JSON, uncompressed, text-frame protocol discord.js uses.
 *
 * Script: HELLO on connect; heartbeat → ACK; IDENTIFY → READY, then one GUILD_CREATE per guild of the
 * shard. A session outlives its socket: dispatches sent while it is disconnected are kept, and RESUME
 * replays everything after the client's sequence number, then RESUMED. Unknown session → op 9 (false).
 * Faults: close the sockets (with a code, or by cutting TCP), forget the sessions (the next RESUME is
 * refused and the client identifies again), or fall silent (a half-open connection: no heartbeat ACK).
 */
import { EventEmitter, once } from "node:events";
import type { Server } from "node:http";
import {
  type APIUser,
  type ApplicationFlags,
  GatewayCloseCodes,
  type GatewayIdentifyData,
  GatewayOpcodes,
  type GatewayReadyDispatchData,
  type GatewayResumeData,
} from "discord-api-types/v10";
import { type WebSocket, WebSocketServer } from "ws";
import type { GuildCreate } from "./discord-payloads.ts";
import { CallLog, type RecordedCall } from "./http.ts";

/** A frame a client sent to the gateway. */
export interface GatewayFrame extends RecordedCall {
  readonly op: GatewayOpcodes;
  readonly d: unknown;
  /** Id of the session the socket belongs to (after IDENTIFY/RESUME). */
  readonly sessionId: string | undefined;
}

export interface GatewaySession {
  readonly id: string;
  readonly identify: GatewayIdentifyData;
  readonly intents: number;
  /** Last sequence number assigned. */
  seq: number;
  /** Connected socket, if any: a dropped session waits for a RESUME. */
  socket: WebSocket | undefined;
  /** READY and its GUILD_CREATEs were sent (or the session resumed) on the current socket. */
  ready: boolean;
  readonly history: { s: number; t: string; d: unknown }[];
}

interface GatewayOptions {
  server: Server;
  url: string;
  heartbeatIntervalMs: number;
  /** Accept only this token in IDENTIFY/RESUME; any when undefined. */
  token: string | undefined;
  botUser: () => APIUser;
  applicationId: string;
  guilds: () => GuildCreate[];
}

const HISTORY_LIMIT = 5_000;

const isOpen = (socket: WebSocket | undefined): boolean =>
  socket !== undefined && socket.readyState === socket.OPEN;

export class DiscordGateway {
  readonly received = new CallLog<GatewayFrame>(
    "Discord gateway",
    (f) => `#${f.seq} op ${GatewayOpcodes[f.op] ?? f.op} ${JSON.stringify(f.d)?.slice(0, 120) ?? ""}`,
  );
  readonly sessions = new Map<string, GatewaySession>();
  readonly #wss: WebSocketServer;
  readonly #events = new EventEmitter();
  /** Sockets that went silent (see `silence`): nothing is sent on them and nothing they send is answered. */
  readonly #silenced = new WeakSet<WebSocket>();
  readonly #logins: { op: "identify" | "resume"; sessionId: string | undefined; accepted: boolean }[] = [];
  #sessionCounter = 0;

  constructor(private readonly options: GatewayOptions) {
    this.#wss = new WebSocketServer({ server: options.server, path: "/gateway" });
    this.#wss.on("connection", (socket) => this.#onConnection(socket));
  }

  /** Open sockets. */
  get connections(): number {
    let open = 0;
    for (const socket of this.#wss.clients) if (isOpen(socket)) open++;
    return open;
  }

  /** IDENTIFY (op 2) and RESUME (op 6) frames received, in order, with the session each one was for. */
  get logins(): { op: "identify" | "resume"; sessionId: string | undefined; accepted: boolean }[] {
    return this.#logins;
  }

  /** Sends a dispatch to every session (or those `filter` keeps); kept for replay if disconnected. */
  dispatch(t: string, d: unknown, filter: (session: GatewaySession) => boolean = () => true): void {
    for (const session of this.sessions.values()) {
      if (filter(session)) this.#send(session, t, d);
    }
  }

  /** Resolves with a session that is connected and has received READY + GUILD_CREATEs (or RESUMED). */
  async waitForReady(timeoutMs = 10_000): Promise<GatewaySession> {
    const current = [...this.sessions.values()].find((s) => s.ready && this.#live(s.socket));
    return current ?? this.#next("ready", timeoutMs);
  }

  /** Resolves on the next successful RESUME. */
  waitForResume(timeoutMs = 10_000): Promise<GatewaySession> {
    return this.#next("resumed", timeoutMs);
  }

  async #next(event: "ready" | "resumed", timeoutMs: number): Promise<GatewaySession> {
    try {
      const [session] = await once(this.#events, event, { signal: AbortSignal.timeout(timeoutMs) });
      return session as GatewaySession;
    } catch {
      throw new Error(
        `Discord gateway stand-in: no client became ${event} within ${timeoutMs} ms (${this.connections} open sockets)`,
      );
    }
  }

  /**
   * Drops every socket. With a close code (4000 "unknown error" by default) the client resumes;
   * `"abnormal"` cuts the TCP connection without a close frame, like a network failure (code 1006).
   * `forgetSessions`: the sessions expire with it, so the client's RESUME is answered op 9 (false) and
   * it must IDENTIFY again; what happened in between is not replayed (READY/GUILD_CREATE carry the state).
   */
  closeAll(
    code: number | "abnormal" = GatewayCloseCodes.UnknownError,
    options: { forgetSessions?: boolean } = {},
  ): void {
    if (options.forgetSessions) this.sessions.clear();
    for (const socket of this.#wss.clients) {
      if (code === "abnormal") socket.terminate();
      else socket.close(code, "closed by the stand-in");
    }
  }

  /**
   * Every open connection goes silent without closing, as a half-open TCP connection does: heartbeats
   * are not acknowledged and nothing more is sent on it, so only the client's zombie detection (a
   * heartbeat without ACK) gets it out. Dispatches meanwhile are kept for the RESUME that follows.
   */
  silence(): void {
    for (const socket of this.#wss.clients) this.#silenced.add(socket);
  }

  /** Sends op 9 to every connected session; `resumable: false` also forgets the sessions. */
  invalidateSessions(resumable: boolean): void {
    for (const session of this.sessions.values()) {
      session.socket?.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: resumable }));
      if (!resumable) this.sessions.delete(session.id);
    }
  }

  /** Sends op 7 (reconnect): the client closes and resumes. */
  requestReconnect(): void {
    for (const session of this.sessions.values()) {
      session.socket?.send(JSON.stringify({ op: GatewayOpcodes.Reconnect, d: null }));
    }
  }

  async close(): Promise<void> {
    for (const socket of this.#wss.clients) socket.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #onConnection(socket: WebSocket): void {
    let session: GatewaySession | undefined;
    socket.send(
      JSON.stringify({
        op: GatewayOpcodes.Hello,
        d: { heartbeat_interval: this.options.heartbeatIntervalMs },
      }),
    );
    socket.on("message", (raw, isBinary) => {
      let frame: { op: GatewayOpcodes; d: unknown };
      try {
        frame = JSON.parse(isBinary ? Buffer.from(raw as Buffer).toString("utf8") : String(raw));
      } catch {
        socket.close(GatewayCloseCodes.DecodeError, "Error while decoding payload.");
        return;
      }
      const logged = this.received.add({
        seq: this.received.nextSeq(),
        time: Date.now(),
        status: "pending",
        op: frame.op,
        d: frame.d,
        sessionId: session?.id,
      });
      if (this.#silenced.has(socket)) {
        this.received.settle(logged, "hang");
        return;
      }
      switch (frame.op) {
        case GatewayOpcodes.Heartbeat:
          socket.send(JSON.stringify({ op: GatewayOpcodes.HeartbeatAck }));
          break;
        case GatewayOpcodes.Identify:
          if (session) socket.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated.");
          else session = this.#identify(socket, frame.d as GatewayIdentifyData);
          break;
        case GatewayOpcodes.Resume:
          if (session) socket.close(GatewayCloseCodes.AlreadyAuthenticated, "Already authenticated.");
          else session = this.#resume(socket, frame.d as GatewayResumeData);
          break;
        default:
          // Presence updates, member chunk requests...: accepted and recorded, not acted upon.
          if (!session) socket.close(GatewayCloseCodes.NotAuthenticated, "Not authenticated.");
      }
      this.received.settle(logged, 200);
    });
    socket.on("close", () => {
      if (session?.socket === socket) {
        session.socket = undefined;
        session.ready = false;
      }
    });
  }

  #live(socket: WebSocket | undefined): boolean {
    return isOpen(socket) && !this.#silenced.has(socket as WebSocket);
  }

  #tokenAccepted(token: string): boolean {
    return this.options.token === undefined || token === this.options.token;
  }

  #identify(socket: WebSocket, identify: GatewayIdentifyData): GatewaySession | undefined {
    if (!this.#tokenAccepted(identify.token)) {
      this.#logins.push({ op: "identify", sessionId: undefined, accepted: false });
      socket.close(GatewayCloseCodes.AuthenticationFailed, "Authentication failed.");
      return undefined;
    }
    const [shardId, shardCount] = identify.shard ?? [0, 1];
    const guilds = this.options
      .guilds()
      .filter((g) => Number((BigInt(g.id) >> 22n) % BigInt(shardCount)) === shardId);
    const session: GatewaySession = {
      id: `session-${++this.#sessionCounter}`,
      identify,
      intents: identify.intents,
      seq: 0,
      socket,
      ready: false,
      history: [],
    };
    this.sessions.set(session.id, session);
    this.#logins.push({ op: "identify", sessionId: session.id, accepted: true });
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: this.options.botUser(),
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.url,
      shard: [shardId, shardCount],
      application: { id: this.options.applicationId, flags: 0 as ApplicationFlags, flags_new: "0" },
    };
    this.#send(session, "READY", ready);
    for (const guild of guilds) this.#send(session, "GUILD_CREATE", guild);
    session.ready = true;
    this.#events.emit("ready", session);
    return session;
  }

  #resume(socket: WebSocket, resume: GatewayResumeData): GatewaySession | undefined {
    const session = this.sessions.get(resume.session_id);
    const accepted = session !== undefined && this.#tokenAccepted(resume.token);
    this.#logins.push({ op: "resume", sessionId: resume.session_id, accepted });
    if (!session || !accepted) {
      socket.send(JSON.stringify({ op: GatewayOpcodes.InvalidSession, d: false }));
      return undefined;
    }
    session.socket?.terminate();
    session.socket = socket;
    for (const event of session.history) {
      if (event.s > resume.seq) socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, ...event }));
    }
    this.#send(session, "RESUMED", {});
    session.ready = true;
    this.#events.emit("resumed", session);
    this.#events.emit("ready", session);
    return session;
  }

  #send(session: GatewaySession, t: string, d: unknown): void {
    const event = { s: ++session.seq, t, d };
    if (t !== "RESUMED") {
      session.history.push(event);
      if (session.history.length > HISTORY_LIMIT) session.history.shift();
    }
    if (session.socket && this.#live(session.socket)) {
      session.socket.send(JSON.stringify({ op: GatewayOpcodes.Dispatch, ...event }));
    }
  }
}
