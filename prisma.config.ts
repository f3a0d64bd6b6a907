import { defineConfig } from "prisma/config";

// Prisma 7 keeps the connection URL out of the schema. The CLI only needs it for commands that
// talk to a database; `prisma generate` does not. The application itself never reads this file:
// src/adapters/db/ builds the client from the validated config (PGlite or PostgreSQL).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/tribegate" },
});
