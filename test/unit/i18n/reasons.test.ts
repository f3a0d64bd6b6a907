import { describe, expect, it } from "vitest";
import { type DriftFact, driftWhat } from "../../../src/core/drift.ts";
import { driftText, jobProblemText, translator } from "../../../src/i18n/index.ts";

/** Reconciliation's findings reach the creator in their language; the logs keep English. */
describe("drift, worded for the reader", () => {
  const changed: DriftFact = {
    kind: "stripe",
    customerId: "cus_1",
    subscriptionId: "sub_1",
    changes: [
      { field: "status", from: "active", to: "past_due" },
      { field: "price", from: "price_a", to: "price_b" },
      { field: "cancel_at_period_end", from: false, to: true },
      { field: "period_end" },
    ],
  };
  const platform: DriftFact = {
    kind: "platform",
    action: "revoke",
    platform: "discord",
    userId: "111",
    target: "discord:g1:gold",
  };

  it("in French, statuses included", () => {
    const fr = translator("fr");
    expect(driftText(fr, changed)).toBe(
      "Stripe : l'abonnement sub_1 du client cus_1 diffère : statut actif → paiement échoué : mettez votre carte à jour, prix price_a → price_b, prend désormais fin à la fin de la période, la fin de période a changé",
    );
    expect(driftText(fr, platform)).toBe("discord:111 a discord:g1:gold sans y avoir droit");
    expect(
      driftText(fr, {
        kind: "stripe",
        customerId: "cus_2",
        subscriptionId: "sub_2",
        missing: { status: "active" },
      }),
    ).toBe("Stripe : l'abonnement sub_2 du client cus_2 manque au registre (actif)");
  });

  it("in English, and the log line stays the same as before", () => {
    expect(driftText(translator("en"), platform)).toBe(
      "discord:111 holds discord:g1:gold without being owed it",
    );
    expect(driftWhat(changed)).toBe(
      "customer cus_1: subscription sub_1: status active → past_due, price price_a → price_b, cancel at period end false → true, period end moved",
    );
  });
});

/** A failed access job shows why in the reader's language; the platform's words only when unknown. */
describe("job problems, worded for the reader", () => {
  it("a stored problem in French, else the recorded words", () => {
    const fr = translator("fr");
    expect(
      jobProblemText(fr, {
        lastProblem: { code: "role_not_manageable", role: "@Or (1)", server: "“Chez Camille” (2)" },
        lastError: "tribegate may not manage @Or (1) in “Chez Camille” (2): …",
      }),
    ).toBe(
      "le bot ne peut pas gérer @Or (1) dans “Chez Camille” (2) : donnez-lui Gérer les rôles et placez son rôle au-dessus de @Or (1), puis relancez la tâche",
    );
    expect(jobProblemText(fr, { lastProblem: { code: "chat_gone", chat: "“Salon”" }, lastError: "x" })).toBe(
      "“Salon” n'existe plus ou le bot ne le voit plus (supprimé, ou devenu un supergroupe : liez le nouveau)",
    );
    // Unknown or malformed problems fall back to what was recorded.
    expect(
      jobProblemText(fr, { lastProblem: { code: "role_gone" }, lastError: "Discord refused: 500" }),
    ).toBe("Discord refused: 500");
    expect(jobProblemText(fr, { lastProblem: null, lastError: null })).toBe("");
  });
});
