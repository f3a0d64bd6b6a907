import { describe, expect, it } from "vitest";
import { type DriftFact, driftWhat } from "../../../src/core/drift.ts";
import { driftText, translator } from "../../../src/i18n/index.ts";

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
