import type { Identity } from "../../core/access.ts";
import type { Logger } from "../../log.ts";
import type { Billing } from "../billing/billing.ts";
import type { Db } from "../db.ts";
import type { Clock } from "../worker.ts";

export interface MemberDeps {
  db: Db;
  billing: Billing;
  clock: Clock;
  log: Logger;
  publicBaseUrl: string;
  onWork?: () => void;
}

export interface FanIdentity extends Identity {
  username?: string | null;
  locale?: string | null;
}
