"""KPIs of a drill, computed only from its event log (plain records as in events.jsonl).

Definitions (times in seconds; an incident's *impact start* is the start of the
earliest fault behind its alerts, or its opening time if it has none):

- time to detect: per fault, first alert attributed to it minus the fault's start;
- time to acknowledge: per incident, first acknowledgement minus opening; an incident
  never acknowledged counts as censored at the drill's end (``unacknowledged``);
- time to mitigate / resolve: per incident with faults, mitigation / resolution minus
  impact start; the ``_censored`` variants count an incident not yet mitigated (or
  acknowledged) at the drill's end as lasting until then, and are what the score uses;
- noise ratio: pages for incidents with no fault behind them over all pages.
- alert posts: alerts Prometheus posted to Alertmanager (``DrillEnded.alert_posts``);
  the deduplicated ones are those that changed no alert's state (its periodic re-sends).
- re-triggers: acknowledged incidents triggered again by their policy's ``ack_timeout``
  (``IncidentRetriggered``; ``incidents_retriggered`` counts incidents, ``retriggers``
  events); auto-resolved incidents: resolved by the policy's ``auto_resolve``
  (``IncidentResolved`` by ``auto-resolve``); low-urgency incidents
  (``IncidentUrgencySet``); responders joined: multi-ack answers after the owner's.

People (:func:`people_kpis`):

- pages by channel: notifications sent per channel (``PageNotificationSent``);
- fatigue per person: the response-time and error factors at each page they received
  (``FatigueAssessed``), their mean and maximum;
- burnout indicator: off-hours pages per person scaled to 30 days, banded as PagerDuty's
  State of Digital Operations 2021 reads interruptions per user per month (2 good,
  7 bad, 19 burn-out; reference/anchors.md §5); ``None`` for drills shorter than 7 days,
  too short to say;
- role conflicts: two role holdings of one person that overlap in time (two roles of one
  incident, or roles of two open incidents); a holding lasts from its ``RoleAssigned``
  until the role is reassigned or the incident resolves;
- hand-offs (``IncidentHandedOff``), redirected pages (``PageRedirected``) and queued
  pages (``PageQueued``), counted by reason.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


def summarise(values: Sequence[float]) -> dict[str, float | int | None]:
    """Count, mean, median and 90th percentile (linear interpolation) of the values."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        return {"count": 0, "mean": None, "median": None, "p90": None}
    return {
        "count": n,
        "mean": sum(xs) / n,
        "median": _quantile(xs, 0.5),
        "p90": _quantile(xs, 0.9),
    }


def _quantile(xs: Sequence[float], q: float) -> float:
    pos = (len(xs) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


@dataclass(slots=True)
class IncidentFacts:
    """What the log says about one incident."""

    id: str
    opened: float
    severity: str
    services: list[str]
    faults: list[str] = field(default_factory=list)
    acked: float | None = None
    owner: str | None = None
    mitigated: float | None = None
    resolved: float | None = None
    resolution: str | None = None
    notifications: int = 0
    pages: int = 0
    impact_start: float | None = None

    def as_row(self) -> dict[str, Any]:
        """Per-incident row for the scorecard (durations relative as documented)."""
        start = self.impact_start if self.impact_start is not None else self.opened
        return {
            "id": self.id,
            "severity": self.severity,
            "services": self.services,
            "faults": self.faults,
            "opened_s": self.opened,
            "owner": self.owner,
            "time_to_acknowledge_s": None if self.acked is None else self.acked - self.opened,
            "time_to_mitigate_s": None
            if self.mitigated is None or not self.faults
            else self.mitigated - start,
            "time_to_resolve_s": None if self.resolved is None else self.resolved - start,
            "resolution": self.resolution,
            "notifications": self.notifications,
            "pages": self.pages,
        }


def incident_facts(records: Iterable[dict[str, Any]]) -> list[IncidentFacts]:
    """Reconstruct every incident's lifecycle from the log.

    The notification that opens an incident is logged just before the incident, so
    incidents are collected first.
    """
    records = list(records)
    incidents: dict[str, IncidentFacts] = {
        r["incident"]: IncidentFacts(r["incident"], r["t"], r["severity"], list(r["services"]))
        for r in records
        if r["kind"] == "IncidentOpened"
    }
    alert_faults: dict[str, tuple[str, ...]] = {}
    fault_start: dict[str, float] = {}
    for r in records:
        kind = r["kind"]
        if kind == "FaultInjected":
            fault_start[r["fault"]] = r["t"]
        elif kind == "AlertFired":
            alert_faults[r["fingerprint"]] = tuple(r["faults"])
        elif kind == "NotificationSent" and r["incident"] in incidents:
            inc = incidents[r["incident"]]
            inc.notifications += 1
            for fp in r["firing"]:
                for f in alert_faults.get(fp, ()):
                    if f not in inc.faults:
                        inc.faults.append(f)
        elif kind == "PageSent":
            incidents[r["incident"]].pages += 1
        elif kind == "PageAcknowledged" and incidents[r["incident"]].acked is None:
            incidents[r["incident"]].acked = r["t"]
            incidents[r["incident"]].owner = r["person"]
        elif kind == "IncidentMitigated":
            incidents[r["incident"]].mitigated = r["t"]
        elif kind == "IncidentResolved":
            incidents[r["incident"]].resolved = r["t"]
            incidents[r["incident"]].resolution = r["reason"]
    for inc in incidents.values():
        starts = [fault_start[f] for f in inc.faults if f in fault_start]
        inc.impact_start = min(starts) if starts else None
    return list(incidents.values())


def compute_kpis(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Every KPI of the drill as plain data (see the module docstring for definitions)."""
    started = next(r for r in records if r["kind"] == "DrillStarted")
    ended = next((r for r in records if r["kind"] == "DrillEnded"), None)
    end = ended["t"] if ended else started["duration_s"]
    posts = ended.get("alert_posts", 0) if ended else 0
    incidents = incident_facts(records)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_kind[r["kind"]].append(r)

    fault_start = {r["fault"]: r["t"] for r in by_kind["FaultInjected"]}
    first_alert: dict[str, float] = {}
    for r in by_kind["AlertFired"]:
        for f in r["faults"]:
            first_alert.setdefault(f, r["t"])
    detect = [first_alert[f] - t for f, t in fault_start.items() if f in first_alert]

    tta = [i.acked - i.opened for i in incidents if i.acked is not None]
    tta_censored = [
        (i.acked if i.acked is not None else end) - i.opened
        for i in incidents
        if i.acked is not None or i.resolved is None
    ]
    real = [i for i in incidents if i.faults]
    ttm_censored = [
        (i.mitigated if i.mitigated is not None else end) - i.impact_start
        for i in real
        if i.impact_start is not None
    ]
    ttm = [
        i.mitigated - i.impact_start
        for i in real
        if i.mitigated is not None and i.impact_start is not None
    ]
    ttr = [
        i.resolved - i.impact_start
        for i in real
        if i.resolved is not None and i.impact_start is not None
    ]

    failed: defaultdict[str, float] = defaultdict(float)
    user_minutes: defaultdict[str, float] = defaultdict(float)
    for r in by_kind["ImpactAccrued"]:
        failed[r["service"]] += r["failed_requests"]
        user_minutes[r["service"]] += r["user_minutes"]
    budgets = {s["name"]: s["budget_requests"] for s in started["services"]}
    burn = {s: failed[s] / budgets[s] for s in sorted(failed) if budgets.get(s)}
    total_budget = sum(b for s, b in budgets.items() if b)

    pages = by_kind["PageSent"]
    per_person = Counter(p["person"] for p in pages)
    noise_incidents = {i.id for i in incidents if not i.faults}
    noisy_pages = sum(1 for p in pages if p["incident"] in noise_incidents)
    incidents_per_fault = Counter(f for i in incidents for f in i.faults)

    return {
        "faults": len(fault_start),
        "faults_detected": len(detect),
        "incidents": len(incidents),
        "incidents_unacknowledged": sum(1 for i in incidents if i.acked is None),
        "incidents_unresolved": sum(1 for i in incidents if i.resolved is None),
        "duplicate_incidents": sum(n - 1 for n in incidents_per_fault.values() if n > 1),
        "time_to_detect_s": summarise(detect),
        "time_to_acknowledge_s": summarise(tta),
        "time_to_acknowledge_censored_s": summarise(tta_censored),
        "time_to_mitigate_s": summarise(ttm),
        "time_to_mitigate_censored_s": summarise(ttm_censored),
        "time_to_resolve_s": summarise(ttr),
        "failed_requests": sum(failed.values()),
        "user_minutes_affected": sum(user_minutes.values()),
        "failed_requests_by_service": dict(sorted(failed.items())),
        "slo_budget_burned": sum(failed.values()) / total_budget if total_budget else 0.0,
        "slo_budget_burned_by_service": burn,
        "alerts_fired": len(by_kind["AlertFired"]),
        "alert_posts": posts,
        "alert_posts_deduplicated": (
            posts - len(by_kind["AlertFired"]) - len(by_kind["AlertResolved"]) if posts else 0
        ),
        "false_positive_alerts": sum(1 for r in by_kind["AlertFired"] if r.get("false_positive")),
        "alert_outcomes": dict(sorted(Counter(alert_outcomes(records).values()).items())),
        "alerts_inhibited": len(
            {r["fingerprint"] for r in by_kind["AlertMuted"] if r["reason"] == "inhibited"}
        ),
        "alerts_silenced": len(
            {r["fingerprint"] for r in by_kind["AlertMuted"] if r["reason"] == "silenced"}
        ),
        "notifications": len(by_kind["NotificationSent"]),
        "notifications_per_incident": (
            sum(i.notifications for i in incidents) / len(incidents) if incidents else 0.0
        ),
        "pages": len(pages),
        "pages_by_person": dict(sorted(per_person.items())),
        "max_pages_per_person": max(per_person.values(), default=0),
        "off_hours_pages": sum(1 for p in pages if p["off_hours"]),
        "asleep_pages": sum(1 for p in pages if p["asleep"]),
        "missed_pages": len(by_kind["PageMissed"]),
        "escalations": len(by_kind["EscalationTimedOut"]),
        "escalations_exhausted": len(by_kind["EscalationExhausted"]),
        "retriggers": len(by_kind["IncidentRetriggered"]),
        "incidents_retriggered": len({r["incident"] for r in by_kind["IncidentRetriggered"]}),
        "incidents_auto_resolved": sum(
            1 for r in by_kind["IncidentResolved"] if r["by"] == "auto-resolve"
        ),
        "low_urgency_incidents": sum(
            1 for r in by_kind["IncidentUrgencySet"] if r["urgency"] == "low"
        ),
        "responders_joined": len(by_kind["ResponderJoined"]),
        "noise_ratio": noisy_pages / len(pages) if pages else 0.0,
        "wrong_hypotheses": sum(1 for r in by_kind["HypothesisFormed"] if not r["correct"]),
        "failed_actions": sum(1 for r in by_kind["ActionCompleted"] if not r["success"]),
        "incident_rows": [i.as_row() for i in incidents],
        **people_kpis(records, end),
    }


BURNOUT_GOOD, BURNOUT_BAD, BURNOUT = 2.0, 7.0, 19.0
"""Off-hours pages per person per 30 days: PagerDuty State of Digital Operations 2021
reads 2 as good, 7 as bad and 19 as burn-out (reference/anchors.md §5)."""
BURNOUT_MIN_S = 7 * 86400.0
MONTH_S = 30 * 86400.0


def burnout_band(per_month: float) -> str:
    """``good`` up to 2 off-hours pages per 30 days, ``watch`` under 7, ``bad`` under 19,
    ``burnout`` from 19 (see :data:`BURNOUT`)."""
    if per_month <= BURNOUT_GOOD:
        return "good"
    if per_month < BURNOUT_BAD:
        return "watch"
    return "bad" if per_month < BURNOUT else "burnout"


def _person_row() -> dict[str, Any]:
    return {
        "pages": 0,
        "off_hours_pages": 0,
        "asleep_pages": 0,
        "missed": 0,
        "acknowledged": 0,
        "queued": 0,
        "away_redirects": 0,
        "fallback_pages": 0,
        "handoffs_out": 0,
        "handoffs_in": 0,
        "roles": 0,
        "fatigue_mean": None,
        "fatigue_max": None,
        "error_factor_max": None,
        "max_pages_24h": 0,
        "max_shift_hours": 0.0,
    }


def people_kpis(records: Sequence[dict[str, Any]], end: float) -> dict[str, Any]:
    """Per-person load, fatigue and burnout, channels, hand-offs and role conflicts."""
    started = next(r for r in records if r["kind"] == "DrillStarted")
    rows: dict[str, dict[str, Any]] = {p["name"]: _person_row() for p in started["people"]}
    factors: defaultdict[str, list[float]] = defaultdict(list)
    channels: Counter[str] = Counter()
    redirected: Counter[str] = Counter()
    handoffs: Counter[str] = Counter()
    context_loss: list[float] = []
    not_allowed = 0
    unfilled = 0
    for r in records:
        kind = r["kind"]
        if kind == "PageSent":
            row = rows.setdefault(r["person"], _person_row())
            row["pages"] += 1
            row["off_hours_pages"] += int(r["off_hours"])
            row["asleep_pages"] += int(r["asleep"])
        elif kind == "PageMissed":
            rows.setdefault(r["person"], _person_row())["missed"] += 1
        elif kind == "PageAcknowledged":
            rows.setdefault(r["person"], _person_row())["acknowledged"] += 1
        elif kind == "PageQueued":
            rows.setdefault(r["person"], _person_row())["queued"] += 1
        elif kind == "PageNotificationSent":
            channels[r["channel"]] += 1
        elif kind == "FatigueAssessed":
            row = rows.setdefault(r["person"], _person_row())
            factors[r["person"]].append(r["ack_factor"])
            row["error_factor_max"] = max(row["error_factor_max"] or 1.0, r["error_factor"])
            row["max_pages_24h"] = max(row["max_pages_24h"], r["pages_24h"])
            row["max_shift_hours"] = max(row["max_shift_hours"], r["shift_hours"])
        elif kind == "PageRedirected":
            redirected[r["reason"]] += 1
            if r["reason"] != "overwhelmed":
                rows.setdefault(r["person"], _person_row())["away_redirects"] += 1
            if r["to"] is not None:
                rows.setdefault(r["to"], _person_row())["fallback_pages"] += 1
        elif kind == "IncidentHandedOff":
            handoffs[r["reason"]] += 1
            context_loss.append(r["context_loss_s"])
            rows.setdefault(r["person"], _person_row())["handoffs_out"] += 1
            rows.setdefault(r["to"], _person_row())["handoffs_in"] += 1
        elif kind == "ActionNotAllowed":
            not_allowed += 1
        elif kind == "RoleAssigned":
            if r["person"] is None:
                unfilled += 1
            else:
                rows.setdefault(r["person"], _person_row())["roles"] += 1
    long_enough = end >= BURNOUT_MIN_S
    for name, row in rows.items():
        seen = factors.get(name)
        if seen:
            row["fatigue_mean"] = sum(seen) / len(seen)
            row["fatigue_max"] = max(seen)
        per_month = row["off_hours_pages"] * MONTH_S / end if end > 0 else 0.0
        row["off_hours_pages_per_month"] = per_month
        row["burnout"] = burnout_band(per_month) if long_enough else None
    conflicts = role_conflicts(records, end)
    return {
        "pages_by_channel": dict(sorted(channels.items())),
        "people": dict(sorted(rows.items())),
        "handoffs": sum(handoffs.values()),
        "handoffs_by_reason": dict(sorted(handoffs.items())),
        "handoff_context_loss_s": summarise(context_loss),
        "redirected_pages": dict(sorted(redirected.items())),
        "queued_pages": sum(row["queued"] for row in rows.values()),
        "actions_not_allowed": not_allowed,
        "roles_unfilled": unfilled,
        "role_conflicts": len(conflicts),
        "role_conflict_rows": conflicts,
    }


def role_conflicts(records: Sequence[dict[str, Any]], end: float) -> list[dict[str, Any]]:
    """Every pair of overlapping role holdings of one person, in order of time.

    Each row: person, the overlap's start and end, and the two holdings as
    ``role@incident``.
    """
    holdings: list[list[Any]] = []  # [person, role, incident, start, end]
    current: dict[tuple[str, str], list[Any]] = {}
    for r in records:
        if r["kind"] == "RoleAssigned":
            key = (r["incident"], r["role"])
            if key in current:
                current.pop(key)[4] = r["t"]
            if r["person"] is not None:
                holding = [r["person"], r["role"], r["incident"], r["t"], end]
                holdings.append(holding)
                current[key] = holding
        elif r["kind"] == "IncidentResolved":
            for key in [k for k in current if k[0] == r["incident"]]:
                current.pop(key)[4] = r["t"]
    out = []
    by_person: defaultdict[str, list[list[Any]]] = defaultdict(list)
    for h in holdings:
        if h[4] > h[3]:
            by_person[h[0]].append(h)
    for person, held in sorted(by_person.items()):
        for i, a in enumerate(held):
            for b in held[i + 1 :]:
                start, stop = max(a[3], b[3]), min(a[4], b[4])
                if stop > start and (a[1], a[2]) != (b[1], b[2]):
                    out.append(
                        {
                            "person": person,
                            "start_s": start,
                            "end_s": stop,
                            "holdings": [f"{a[1]}@{a[2]}", f"{b[1]}@{b[2]}"],
                        }
                    )
    return sorted(out, key=lambda c: (c["start_s"], c["person"], c["holdings"]))


OUTCOMES = ("notified", "inhibited", "silenced", "time-interval", "resolved-unseen", "pending")


def alert_outcomes(records: Sequence[dict[str, Any]]) -> dict[str, str]:
    """How each firing of each alert ended up, from the log (keyed ``fingerprint@t``).

    Exactly one of :data:`OUTCOMES` per firing: ``notified`` if any notification carried
    it while it fired; else why it was left out (``inhibited``, ``silenced``,
    ``time-interval``); else ``resolved-unseen`` if it resolved before any flush included
    it (Alertmanager never sends an alert that fires and resolves within group_wait);
    else ``pending`` (still waiting for its group's first flush when the drill ended).
    Anything else would be an alert the pipeline lost: a bug.
    """
    current: dict[str, str] = {}
    state: dict[str, dict[str, Any]] = {}
    for r in records:
        kind = r["kind"]
        if kind == "AlertFired":
            key = f"{r['fingerprint']}@{r['t']}"
            current[r["fingerprint"]] = key
            state[key] = {"notified": False, "muted": None, "resolved": False}
        elif kind == "AlertResolved" and r["fingerprint"] in current:
            state[current.pop(r["fingerprint"])]["resolved"] = True
        elif kind == "NotificationSent":
            for fp in r["firing"]:
                if fp in current:
                    state[current[fp]]["notified"] = True
        elif kind == "AlertMuted" and r["fingerprint"] in current:
            entry = state[current[r["fingerprint"]]]
            entry["muted"] = entry["muted"] or r["reason"]
    out = {}
    for key, s in state.items():
        if s["notified"]:
            out[key] = "notified"
        elif s["muted"]:
            out[key] = s["muted"]
        elif s["resolved"]:
            out[key] = "resolved-unseen"
        else:
            out[key] = "pending"
    return out
