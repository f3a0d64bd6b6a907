const c = await import("/work/main/dist/src/generated/prisma/client.js");
const { PrismaPg } = await import("@prisma/adapter-pg");
const p = new c.PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.U }) });
await p.$executeRawUnsafe("create table if not exists tier (id text primary key, slug text, name text, description text default '', stripe_product_id text, archived_at timestamptz, created_at timestamptz default now(), updated_at timestamptz default now())");
const t0 = performance.now();
for (let i = 0; i < 3000; i++) {
  await p.tier.findUnique({ where: { id: "t" + i } });
  await p.tier.findMany({ where: { slug: { in: ["a" + i, "b"] }, archivedAt: null }, orderBy: { createdAt: "asc" }, take: 5 });
}
console.log(process.env.L, "6000 queries ms", Math.round(performance.now() - t0));
await p.$disconnect();
