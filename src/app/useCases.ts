import { inTurn } from "../lib/turn.ts";
import {
  accessChangeNotice,
  isSupersededChange,
  markAnnounced,
  wasAnnounced,
} from "./access/accessNotices.ts";
import { listDeadJobs, retryDeadJobs } from "./access/deadJobs.ts";
import { isOwedAccess, memberTierNow, tiersOpening } from "./accessQuery.ts";
import { createBindCode, redeemBindCode } from "./chatBinding.ts";
import { migrateTelegramChat } from "./chatMigration.ts";
import { setCreditName } from "./credit.ts";
import { cycleStatus, setCycle } from "./cycle.ts";
import type { Db } from "./db.ts";
import { changeExtraRoles, membershipTenure } from "./extraRoles.ts";
import {
  decideIdea,
  editIdea,
  findIdeaIdByRef,
  getIdea,
  myIdeas,
  pollFromIdeas,
  proposeIdea,
  topIdeas,
  unvoteIdea,
  upvoteIdea,
} from "./ideas.ts";
import { inviteOwner, liveInvites, markInviteRevoked, recordInvite } from "./invites.ts";
import { startCheckout } from "./members/checkout.ts";
import { claimAccess, reapplyAccess } from "./members/claim.ts";
import {
  lookupMember,
  restoreMember,
  resyncMember,
  suspendMember,
  unlinkIdentity,
} from "./members/creatorActions.ts";
import { greetFan } from "./members/greet.ts";
import { storedLocale } from "./members/identity.ts";
import { clearAttempts, countAttempt, createLinkCode, redeemLinkCode } from "./members/linking.ts";
import { resolveMemberRef } from "./members/memberRef.ts";
import { pauseChoices, pauseMembership, resumeMembership } from "./members/pause.ts";
import { openPortal } from "./members/portal.ts";
import { switchChoices, switchTier } from "./members/switchTier.ts";
import { dropJoinToken, joinToken, rolesOwedInGuild } from "./members/webJoin.ts";
import {
  budgetBallot,
  castVote,
  closePoll,
  exportBallotsCsv,
  findPollByRef,
  getPoll,
  listPolls,
  openPoll,
  pollChats,
  pollPosts,
  pollResults,
  publishPoll,
  recordPollPost,
  resolveBudget,
  resolveTierWeights,
  setCommitment,
} from "./polls.ts";
import { getCreatorProfile, updateCreatorProfile } from "./profile.ts";
import { reconcileAll } from "./reconcile.ts";
import { readRoadmap, readRoadmapItem } from "./roadmap.ts";
import { refreshRoadmapSoon } from "./roadmapMessage.ts";
import type { AppServices, CoreServices } from "./services.ts";
import { getSettings, isExtraRole, updateSettings } from "./settings.ts";
import { getCreatorStats } from "./stats.ts";
import { holdTask, reconcileSoon, settleHeldTask } from "./tasks.ts";
import {
  addTierAccess,
  archiveTier,
  changeTierPrice,
  createTier,
  editTier,
  findTier,
  isTierTarget,
  listTiers,
  listTiersForSale,
  removeTierAccess,
  tierName,
  tierNames,
} from "./tiers.ts";
import { checkoutPlatform, readTribePage, tierOnSale } from "./tribePage.ts";

/** A use case with its first argument (the database, or the services) already given. */
type Bound<F> = F extends (first: never, ...rest: infer A) => infer R ? (...rest: A) => R : never;

function bindFirst<T, F extends Record<string, (first: T, ...rest: never[]) => unknown>>(
  first: T,
  fns: F,
): { [K in keyof F]: Bound<F[K]> } {
  return Object.fromEntries(
    Object.entries(fns).map(([name, fn]) => [
      name,
      // Each call is one request in line (src/lib/turn.ts): the Stripe calls it makes keep its place.
      (...rest: never[]) => inTurn(() => (fn as (first: T, ...rest: never[]) => unknown)(first, ...rest)),
    ]),
  ) as { [K in keyof F]: Bound<F[K]> };
}

/**
 * The use cases a platform's ports call (executor, notifier, poll surface, invite store): they need
 * the ledger, not the other platforms, so they exist before the platforms do.
 */
export function portUseCases(deps: CoreServices) {
  return {
    ...bindFirst(deps.db as Db, {
      dropJoinToken,
      getPoll,
      getSettings,
      inviteOwner,
      isSupersededChange,
      joinToken,
      liveInvites,
      markAnnounced,
      markInviteRevoked,
      pollPosts,
      recordInvite,
      rolesOwedInGuild,
      storedLocale,
      pollChats,
      tierNames,
      tiersOpening,
      wasAnnounced,
    }),
    ...bindFirst(deps, { accessChangeNotice, isOwedAccess, memberTierNow, pollResults, recordPollPost }),
  };
}
export type PortUseCases = ReturnType<typeof portUseCases>;

/**
 * Every use case a platform's handlers call, bound to the services: handlers get these, never the
 * database client, so a rule of the ledger cannot be written in an adapter.
 */
export function useCases(services: AppServices) {
  return {
    ...portUseCases(services),
    ...bindFirst(services.db as Db, {
      clearAttempts,
      countAttempt,
      findIdeaIdByRef,
      findPollByRef,
      findTier,
      checkoutPlatform,
      getCreatorProfile,
      getCreatorStats,
      getIdea,
      isExtraRole,
      holdTask,
      isTierTarget,
      listDeadJobs,
      listPolls,
      listTiers,
      listTiersForSale,
      lookupMember,
      pauseChoices,
      resolveMemberRef,
      resolveBudget,
      resolveTierWeights,
      retryDeadJobs,
      setCreditName,
      settleHeldTask,
      switchChoices,
      tierName,
      tierOnSale,
      topIdeas,
      updateCreatorProfile,
      updateSettings,
    }),
    ...bindFirst(services, {
      addTierAccess,
      archiveTier,
      budgetBallot,
      castVote,
      changeExtraRoles,
      changeTierPrice,
      claimAccess,
      cycleStatus,
      setCycle,
      closePoll,
      createBindCode,
      createLinkCode,
      createTier,
      decideIdea,
      editIdea,
      editTier,
      exportBallotsCsv,
      greetFan,
      membershipTenure,
      migrateTelegramChat,
      myIdeas,
      openPoll,
      openPortal,
      pauseMembership,
      pollFromIdeas,
      proposeIdea,
      publishPoll,
      readRoadmap,
      readRoadmapItem,
      reapplyAccess,
      refreshRoadmapSoon,
      reconcileAll,
      readTribePage,
      reconcileSoon,
      redeemBindCode,
      redeemLinkCode,
      removeTierAccess,
      restoreMember,
      resumeMembership,
      resyncMember,
      setCommitment,
      startCheckout,
      suspendMember,
      switchTier,
      unlinkIdentity,
      unvoteIdea,
      upvoteIdea,
    }),
  };
}
export type UseCases = ReturnType<typeof useCases>;
