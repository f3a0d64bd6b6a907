import type { RoadmapIdea, RoadmapPoll } from "../../app/roadmap.ts";
import type { UseCases } from "../../app/useCases.ts";
import type { Clock } from "../../app/worker.ts";
import type { IdeaStatus } from "../../core/ideaLifecycle.ts";
import { summarizeTally } from "../../core/pollSummary.ts";
import { formatDay, type Locale, t, wordsFor } from "../../i18n/index.ts";
import type { Logger } from "../../log.ts";
import { pollChartSvg } from "../resultsChart.ts";
import type { HttpRequest, HttpResponse, Route } from "../routes.ts";
import type { AddressLimiter } from "./addressLimiter.ts";
import { cachedPage, esc, pageLocale, paragraphs, shell, withLang } from "./html.ts";
import { guarded } from "./tribePage.ts";

/**
 * The public roadmap (`/roadmap`, and `/roadmap/<idea or poll id>`): every idea from its proposal to
 * its release with the dates of each stage and the name its author chose, every poll with its vote
 * counts (not while a poll hides them), and a closed poll's results chart
 * (`/roadmap/<poll id>/chart.svg`). Server-rendered, no script, cached a minute; every text a fan
 * or the creator typed is escaped.
 */
export interface RoadmapPageDeps {
  app: Pick<UseCases, "readRoadmap" | "readRoadmapItem" | "getCreatorProfile">;
  clock: Clock;
  log: Logger;
  limiter: AddressLimiter;
}

export function roadmapRoutes(deps: RoadmapPageDeps): Route[] {
  return [
    { method: "GET", path: "/roadmap", handler: (req) => guarded(deps, req, () => overview(deps, req)) },
    { method: "GET", path: "/roadmap/:id", handler: (req) => guarded(deps, req, () => item(deps, req)) },
    {
      method: "GET",
      path: "/roadmap/:id/chart.svg",
      handler: (req) => guarded(deps, req, () => chart(deps, req)),
    },
  ];
}

/** The page may show its own charts (same origin) besides https images. */
function roadmapPage(req: HttpRequest, status: number, html: string): HttpResponse {
  const r = cachedPage(req, status, html);
  const csp = r.headers?.["content-security-policy"];
  return csp
    ? {
        ...r,
        headers: {
          ...r.headers,
          "content-security-policy": csp.replace("img-src https:", "img-src 'self' https:"),
        },
      }
    : r;
}

const STYLE = `<style>.items{list-style:none;padding:0;margin:0;display:grid;gap:1rem}.item{border:1px solid var(--line);border-radius:12px;padding:1rem 1.1rem;background:var(--card)}.chain{margin:.4rem 0;padding-left:1.2rem}.results{border-collapse:collapse;width:100%;margin:.5rem 0}.results th,.results td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid var(--line)}.results td.n{text-align:right;white-space:nowrap}.chart{max-width:100%;height:auto;border:1px solid var(--line);border-radius:8px;background:#fff}.status{font-weight:600}.item>h1,.item>h2,.item>h3{margin-top:0}</style>`;

function day(locale: Locale, date: Date): string {
  return formatDay(locale, date, "UTC");
}

function itemHref(id: string, locale: Locale): string {
  return withLang(`/roadmap/${encodeURIComponent(id)}`, locale);
}

/**
 * "Discuss on Discord / on Telegram": one link per place (a poll posted in two chats has two),
 * numbered when a platform has several. The links are built from ids (src/core/discussion.ts).
 */
function discussHtml(links: RoadmapIdea["discuss"], locale: Locale): string {
  if (links.length === 0) return "";
  const total = { discord: 0, telegram: 0 };
  for (const l of links) total[l.platform]++;
  const seen = { discord: 0, telegram: 0 };
  const items = links.map((l) => {
    const n = ++seen[l.platform];
    const label = t(locale, "web.roadmap.discuss", {
      platform: l.platform,
      n: total[l.platform] > 1 ? n : 0,
    });
    return `<a class="discuss" href="${esc(l.url)}" rel="noopener">${esc(label)}</a>`;
  });
  return `<p class="discussion">💬 ${items.join(" · ")}</p>`;
}

function ideaHtml(idea: RoadmapIdea, locale: Locale, heading: "h1" | "h2" | "h3"): string {
  const by = idea.author
    ? t(locale, "web.roadmap.by", { name: idea.author })
    : t(locale, "web.roadmap.anonymous");
  const steps = idea.steps
    .map(
      (s) => `<li>${esc(t(locale, "web.roadmap.step", { stage: s.status, date: day(locale, s.at) }))}</li>`,
    )
    .join("");
  return `<li class="item idea" data-status="${esc(idea.status)}"><${heading}><a href="${esc(itemHref(idea.id, locale))}">${esc(idea.title)}</a></${heading}><p class="muted"><span class="status">${esc(t(locale, "idea.status", { status: idea.status }))}</span> · ${esc(by)} · ${esc(t(locale, "web.roadmap.upvotes", { votes: idea.upvotes }))}</p>${paragraphs(idea.description)}${
    idea.declineReason
      ? `<p class="reason">${esc(t(locale, "web.roadmap.reason", { reason: idea.declineReason }))}</p>`
      : ""
  }${
    idea.mergedInto
      ? `<p>${esc(t(locale, "web.roadmap.merged_into"))} <a href="${esc(itemHref(idea.mergedInto.id, locale))}">${esc(idea.mergedInto.title)}</a></p>`
      : ""
  }${steps ? `<ol class="chain">${steps}</ol>` : ""}${discussHtml(idea.discuss, locale)}</li>`;
}

function pollHtml(
  poll: RoadmapPoll,
  locale: Locale,
  heading: "h1" | "h2" | "h3",
  withChart: boolean,
): string {
  const n = wordsFor(locale);
  const dates = [
    t(locale, "web.roadmap.poll.opened", { date: day(locale, poll.opensAt) }),
    poll.closedAt
      ? t(locale, "web.roadmap.poll.closed", { date: day(locale, poll.closedAt) })
      : t(locale, "web.roadmap.poll.open", { date: day(locale, poll.closesAt) }),
    ...(poll.inTheWorksAt
      ? [t(locale, "web.roadmap.poll.in_the_works", { date: day(locale, poll.inTheWorksAt) })]
      : []),
    ...(poll.shippedAt ? [t(locale, "web.roadmap.poll.shipped", { date: day(locale, poll.shippedAt) })] : []),
  ];
  let results = `<p class="muted">${esc(t(locale, "web.roadmap.poll.hidden"))}</p>`;
  if (poll.tally) {
    const summary = summarizeTally(
      poll.options.map((o) => o.label),
      poll.tally,
    );
    const rows = summary.rows
      .map((r) => {
        const ideaId = poll.options[r.option]?.ideaId;
        const label = ideaId
          ? `<a href="${esc(itemHref(ideaId, locale))}">${esc(r.label)}</a>`
          : esc(r.label);
        const won = r.winner && summary.outcome.kind === "winner" && poll.closedAt;
        return `<tr><td>${label}${won ? ` <strong>(${esc(t(locale, "web.roadmap.poll.winner"))})</strong>` : ""}</td><td class="n">${esc(t(locale, "web.roadmap.poll.weight", { weight: r.weight }))}</td><td class="n">${r.percent}%</td></tr>`;
      })
      .join("");
    const rounds = summary.rounds.length
      ? `<p class="muted">${esc(t(locale, "web.roadmap.poll.rounds"))}</p><ol>${summary.rounds
          .map(
            (round) =>
              `<li>${round.counts.map((c) => `${esc(c.label)} ${esc(n.number(c.weight))}`).join(" · ")}</li>`,
          )
          .join("")}</ol>`
      : "";
    results = `<p class="muted">${esc(t(locale, "web.roadmap.poll.voters", { voters: summary.voters }))}</p><table class="results"><tbody>${rows}</tbody></table>${
      summary.outcome.kind === "tie" && poll.closedAt
        ? `<p>${esc(t(locale, "web.roadmap.poll.tie"))}</p>`
        : ""
    }${rounds}`;
  }
  const chart =
    withChart && poll.closedAt && poll.tally
      ? `<p><img class="chart" src="${esc(withLang(`/roadmap/${encodeURIComponent(poll.id)}/chart.svg`, locale))}" alt="${esc(t(locale, "web.roadmap.poll.chart_alt", { question: poll.question }))}" width="800"></p>`
      : "";
  return `<li class="item poll"><${heading}><a href="${esc(itemHref(poll.id, locale))}">${esc(poll.question)}</a></${heading}><p class="muted">${dates.map(esc).join(" · ")}</p>${results}${chart}${discussHtml(poll.discuss, locale)}</li>`;
}

const SECTIONS: readonly {
  key: "shipped" | "in_the_works" | "ideas" | "declined";
  statuses: IdeaStatus[];
}[] = [
  { key: "shipped", statuses: ["shipped"] },
  { key: "in_the_works", statuses: ["in_the_works", "won"] },
  { key: "ideas", statuses: ["proposed", "shortlisted", "in_poll", "lost"] },
  { key: "declined", statuses: ["declined", "merged"] },
];

async function titleName(deps: RoadmapPageDeps, locale: Locale): Promise<string> {
  const profile = await deps.app.getCreatorProfile();
  return profile.name || t(locale, "web.page.default_name");
}

async function overview(deps: RoadmapPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  const [roadmap, name] = await Promise.all([deps.app.readRoadmap(), titleName(deps, locale)]);
  const sections: string[] = [];
  for (const s of SECTIONS) {
    const ideas = roadmap.ideas.filter((i) => s.statuses.includes(i.status));
    if (s.key === "ideas" && roadmap.polls.length > 0) {
      sections.push(
        `<section aria-labelledby="polls-h"><h2 id="polls-h">${esc(t(locale, "web.roadmap.section.polls"))}</h2><ul class="items">${roadmap.polls
          .map((p) => pollHtml(p, locale, "h3", false))
          .join("")}</ul></section>`,
      );
    }
    if (ideas.length === 0) continue;
    sections.push(
      `<section aria-labelledby="${s.key}-h"><h2 id="${s.key}-h">${esc(t(locale, `web.roadmap.section.${s.key}`))}</h2><ul class="items">${ideas
        .map((i) => ideaHtml(i, locale, "h3"))
        .join("")}</ul></section>`,
    );
  }
  const body = `${STYLE}<h1>${esc(t(locale, "web.roadmap.heading"))}</h1><p class="pitch">${esc(t(locale, "web.roadmap.intro"))}</p><p><a href="${esc(withLang("/", locale))}">${esc(t(locale, "web.roadmap.tribe_link"))}</a></p>${
    sections.length ? sections.join("") : `<p>${esc(t(locale, "web.roadmap.empty"))}</p>`
  }`;
  return roadmapPage(
    req,
    200,
    shell({ locale, title: esc(t(locale, "web.roadmap.title", { name })), switchPath: "/roadmap", body }),
  );
}

async function item(deps: RoadmapPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  const id = req.params.id ?? "";
  const [found, name] = await Promise.all([deps.app.readRoadmapItem(id), titleName(deps, locale)]);
  const back = `<p><a href="${esc(withLang("/roadmap", locale))}">${esc(t(locale, "web.roadmap.all"))}</a></p>`;
  if (!found) {
    const body = `<h1>${esc(t(locale, "web.roadmap.notfound.title"))}</h1><p>${esc(t(locale, "web.roadmap.notfound.text"))}</p>${back}`;
    return roadmapPage(
      req,
      404,
      shell({ locale, title: esc(t(locale, "web.roadmap.notfound.title")), body }),
    );
  }
  let main: string;
  let title: string;
  if (found.kind === "idea") {
    title = found.idea.title;
    main = `<ul class="items">${ideaHtml(found.idea, locale, "h1")}${found.poll ? pollHtml(found.poll, locale, "h2", true) : ""}</ul>`;
  } else {
    title = found.poll.question;
    main = `<ul class="items">${pollHtml(found.poll, locale, "h1", true)}${found.ideas.map((i) => ideaHtml(i, locale, "h2")).join("")}</ul>`;
  }
  const body = `${STYLE}${main}${back}`;
  return roadmapPage(
    req,
    200,
    shell({
      locale,
      title: esc(`${title} · ${t(locale, "web.roadmap.title", { name })}`),
      switchPath: `/roadmap/${encodeURIComponent(found.kind === "idea" ? found.idea.id : found.poll.id)}`,
      body,
    }),
  );
}

async function chart(deps: RoadmapPageDeps, req: HttpRequest): Promise<HttpResponse> {
  const { locale } = pageLocale(req);
  const found = await deps.app.readRoadmapItem(req.params.id ?? "");
  if (found?.kind !== "poll" || !found.poll.closedAt || !found.poll.tally)
    return { status: 404, body: { error: "not_found" } };
  const svg = pollChartSvg(
    locale,
    { question: found.poll.question, options: found.poll.options.map((o) => o.label) },
    found.poll.tally,
  );
  return {
    status: 200,
    body: svg,
    headers: {
      "content-type": "image/svg+xml; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
      "x-content-type-options": "nosniff",
      "cache-control": "public, max-age=300",
      vary: "Accept-Language",
    },
  };
}
