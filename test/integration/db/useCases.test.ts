import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../../src/adapters/db/database.ts";
import { migrate } from "../../../src/adapters/db/migrator.ts";
import {
  type AccessChange,
  accessChangeNotice,
  isSupersededChange,
  markAnnounced,
  wasAnnounced,
} from "../../../src/app/access/accessNotices.ts";
import type { Db } from "../../../src/app/db.ts";
import { resolveMemberRef } from "../../../src/app/members/memberRef.ts";
import { DomainError } from "../../../src/errors.ts";
import { MIGRATIONS_DIR } from "../../../src/lib/paths.ts";
import { createLogger } from "../../../src/log.ts";
import { createTestDataDir, type TestDataDir } from "../../support/postgres.ts";

/** Rules moved out of the platform adapters into use cases, run on a real (embedded) database. */
describe("use cases moved out of the adapters", () => {
  let dataDir: TestDataDir;
  let database: Database;
  let db: Db;
  const guildId = "900000000000000001";
  const role = (roleId: string) => ({ platform: "discord" as const, guildId, roleId });
  const clock = { now: () => new Date() };

  beforeAll(async () => {
    const log = createLogger({ level: "silent" });
    dataDir = await createTestDataDir();
    database = await openDatabase({ dataDir: dataDir.dir, log });
    await migrate(database, { migrationsDir: MIGRATIONS_DIR, log });
    db = database.prisma;
    await db.tier.create({ data: { id: "tier_gold", slug: "gold", name: "Gold" } });
    // Gold opens two roles: the first one added is the one whose change sends the message.
    for (const [i, roleId] of ["800000000000000001", "800000000000000002"].entries()) {
      await db.tierAccess.create({
        data: {
          id: `ta_${i}`,
          tierId: "tier_gold",
          platform: "discord",
          targetKey: `discord:${guildId}:${roleId}`,
          guildId,
          roleId,
          createdAt: new Date(Date.UTC(2024, 0, 1 + i)),
        },
      });
    }
    await db.member.create({
      data: {
        id: "mem_ada",
        stripeCustomerId: "cus_ada",
        identities: {
          create: [
            { platform: "discord", platformUserId: "700000000000000001", locale: "fr" },
            { platform: "telegram", platformUserId: "4242", username: "AdaL" },
          ],
        },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await dataDir?.remove();
  });

  const change = (over: Partial<AccessChange> = {}): AccessChange => ({
    platform: "discord",
    userId: "700000000000000001",
    action: "grant",
    target: role("800000000000000001"),
    ...over,
  });

  it("one welcome per tier: the tier's first role sends it, in the fan's stored language; its other roles send none", async () => {
    // The welcome names every role the tier opens on the platform, so it can list their channels.
    expect(await accessChangeNotice({ db, clock }, change())).toEqual({
      notice: {
        template: "access_granted",
        tierName: "Gold",
        targets: [role("800000000000000001"), role("800000000000000002")],
      },
      locale: "fr",
    });
    expect(
      await accessChangeNotice({ db, clock }, change({ target: role("800000000000000002") })),
    ).toBeNull();
    expect(await accessChangeNotice({ db, clock }, change({ action: "revoke" }))).toEqual({
      notice: { template: "access_revoked", tierName: "Gold" },
      locale: "fr",
    });
  });

  it("a role taken back from a member who holds another tier now says the tier they hold, not goodbye", async () => {
    await db.tier.create({ data: { id: "tier_silver", slug: "silver", name: "Silver" } });
    await db.subscription.create({
      data: {
        id: "sub_ada_silver",
        memberId: "mem_ada",
        tierId: "tier_silver",
        stripePriceId: "price_silver",
        kind: "recurring",
        startedAt: new Date(),
        status: "active",
        currentPeriodEnd: new Date(Date.now() + 20 * 86_400_000),
        syncedAt: new Date(),
      },
    });
    try {
      expect(await accessChangeNotice({ db, clock }, change({ action: "revoke" }))).toEqual({
        notice: { template: "access_switched", fromTier: "Gold", toTier: "Silver" },
        locale: "fr",
      });
    } finally {
      await db.subscription.delete({ where: { id: "sub_ada_silver" } });
    }
    // Membership over: the usual goodbye with its way back.
    expect(await accessChangeNotice({ db, clock }, change({ action: "revoke" }))).toMatchObject({
      notice: { template: "access_revoked" },
    });
  });

  it("a role no tier opens still gets its message, without a tier name, and no locale for an unknown fan", async () => {
    expect(await accessChangeNotice({ db, clock }, change({ userId: "1", target: role("1") }))).toEqual({
      notice: { template: "access_granted", tierName: "", targets: [] },
      locale: null,
    });
  });

  it("a message is superseded when a newer, opposite change for the same account and role came meanwhile", async () => {
    expect(await isSupersededChange(db, change())).toBe(false); // no job at all
    await db.accessJob.create({
      data: {
        platform: "discord",
        platformUserId: "700000000000000001",
        targetKey: `discord:${guildId}:800000000000000001`,
        action: "revoke",
        reason: "test",
      },
    });
    expect(await isSupersededChange(db, change())).toBe(true);
    expect(await isSupersededChange(db, change({ action: "revoke" }))).toBe(false);
  });

  it("records a change's announcement once, and knows it was made", async () => {
    const now = new Date();
    expect(await wasAnnounced(db, "tg:invite:1:1")).toBe(false);
    await markAnnounced(db, "tg:invite:1:1", now);
    await markAnnounced(db, "tg:invite:1:1", now);
    expect(await wasAnnounced(db, "tg:invite:1:1")).toBe(true);
    expect(await wasAnnounced(db, "tg:invite:1:2")).toBe(false);
    expect(await db.announcement.count({ where: { key: "tg:invite:1:1" } })).toBe(1);
  });

  it("resolves every way a creator names a member, and refuses an unknown one", async () => {
    for (const ref of ["4242", "tg:4242", "@adal", "discord:700000000000000001", "cus_ada", "mem_ada"])
      expect(await resolveMemberRef(db, ref)).toBe("mem_ada");
    for (const ref of ["4243", "@nobody", "cus_nobody", "mem_nobody", "discord:700000000000000009"])
      await expect(resolveMemberRef(db, ref)).rejects.toThrow(DomainError);
  });
});
