import type { ComponentRoute, SlashRoute } from "../context.ts";
import { bindRoute } from "./bind.ts";
import { claimRoute } from "./claim.ts";
import { cycleOffRoute, cycleSetRoute, cycleShowRoute } from "./cycle.ts";
import { jobsListRoute, jobsRetryRoute } from "./jobs.ts";
import { joinBuyRoute, joinPickRoute, joinRoute, linkCodeRoute, switchRoute } from "./join.ts";
import { linkRoute } from "./link.ts";
import {
  memberRestoreRoute,
  memberResyncRoute,
  memberRevokeRoute,
  memberShowRoute,
  memberUnlinkRoute,
} from "./member.ts";
import { membershipRoute, pauseRoute, resumeRoute } from "./membership.ts";
import {
  ideaCreditRoute,
  ideaDecideRoute,
  ideaEditRoute,
  ideaMineRoute,
  ideaPollRoute,
  ideaProposeRoute,
  ideaTopRoute,
  ideaUnvoteRoute,
  ideaUpvoteRoute,
  pollBudgetRoute,
  pollCloseRoute,
  pollCommitRoute,
  pollExportRoute,
  pollOpenRoute,
  pollRankRoute,
  pollResultsRoute,
  pollVoteRoute,
} from "./poll.ts";
import { profileRoute } from "./profile.ts";
import { reconcileApplyRoute, reconcileRoute } from "./reconcile.ts";
import { settingsRoute } from "./settings.ts";
import { setupRoute } from "./setup.ts";
import { statsRoute } from "./stats.ts";
import {
  tierAddRoleRoute,
  tierArchiveRoute,
  tierCreateRoute,
  tierEditRoute,
  tierListRoute,
  tierRemoveRoleRoute,
} from "./tier.ts";

/** Every (sub)command of commands/discord.ts has exactly one handler here (test/unit/command-handlers.test.ts). */
export const slashRoutes: readonly SlashRoute[] = [
  joinRoute,
  membershipRoute,
  linkRoute,
  claimRoute,
  setupRoute,
  statsRoute,
  settingsRoute,
  profileRoute,
  reconcileRoute,
  bindRoute,
  tierCreateRoute,
  tierEditRoute,
  tierArchiveRoute,
  tierListRoute,
  tierAddRoleRoute,
  tierRemoveRoleRoute,
  memberShowRoute,
  memberResyncRoute,
  memberRevokeRoute,
  memberRestoreRoute,
  memberUnlinkRoute,
  jobsListRoute,
  jobsRetryRoute,
  pollOpenRoute,
  pollCloseRoute,
  pollResultsRoute,
  pollExportRoute,
  pollCommitRoute,
  ideaDecideRoute,
  ideaEditRoute,
  ideaMineRoute,
  ideaPollRoute,
  ideaProposeRoute,
  ideaUpvoteRoute,
  ideaUnvoteRoute,
  ideaCreditRoute,
  ideaTopRoute,
  cycleSetRoute,
  cycleOffRoute,
  cycleShowRoute,
];

export const componentRoutes: readonly ComponentRoute[] = [
  joinPickRoute,
  joinBuyRoute,
  switchRoute,
  pauseRoute,
  resumeRoute,
  linkCodeRoute,
  reconcileApplyRoute,
  pollVoteRoute,
  pollRankRoute,
  pollBudgetRoute,
];
