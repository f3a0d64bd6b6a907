import type { Prisma, PrismaClient } from "../generated/prisma/client.ts";

/** The Prisma client, on PGlite or PostgreSQL alike. */
export type Db = PrismaClient;
/** Inside an interactive transaction: always use this, never the outer client (PGlite deadlocks). */
export type Tx = Prisma.TransactionClient;

/** A stored poll, as the poll use cases return it to the adapters that render it. */
export type { Poll as PollRow } from "../generated/prisma/client.ts";

/** Prisma's unique-constraint violation. Prisma 7 drops meta.target: check the code only. */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}
