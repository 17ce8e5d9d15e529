"""The drill's story as a readable timeline: time, actor, event (from the event log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from drillsim.spec.durations import format_duration


def _pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def describe(r: dict[str, Any]) -> tuple[str, str] | None:
    """(actor, sentence) for one record, or None for records a reader need not see."""
    k = r["kind"]
    if k == "DrillStarted":
        return (
            "drillsim",
            f"drill {r['scenario']!r} started (seed {r['seed']}, replication {r['replication']})",
        )
    if k == "DeployStarted":
        return r["service"], f"deploy of {r['version']} started"
    if k == "FaultInjected":
        ends = {
            "repaired": "until repaired",
            "self-heal": "heals by itself",
            "duration": "for a fixed time",
        }[r["ends"]]
        return r["target"], f"FAULT {r['type']} {r['fault']} ({ends}; remedy: {r['remedy']})"
    if k == "FaultCleared":
        return r["by"], f"fault {r['fault']} cleared"
    if k == "ServiceHealthChanged":
        state = (
            "DOWN"
            if not r["up"]
            else (f"errors {_pct(r['error_rate'])}, p99 {format_duration(r['latency_s'])}")
        )
        cause = (
            f" (cause: {', '.join(r['causes'])})"
            if r["causes"]
            else " (healthy)"
            if not r["causes"] and r["error_rate"] == 0
            else ""
        )
        return r["service"], f"health: {state}{cause}"
    if k == "BacklogChanged":
        flow = "grows" if r["rate"] > 0 else "drains" if r["rate"] < 0 else "holds"
        retry = f", {r['attempts']:.3g} attempts per request" if r["attempts"] > 1 else ""
        return (
            r["service"],
            f"backlog {r['phase']}: {r['queued']:,.0f} attempts queued, {flow} at "
            f"{abs(r['rate']):,.3g}/s (capacity {_pct(r['capacity_share'])}{retry})",
        )
    if k == "AlertFired":
        fp = " [false positive]" if r.get("false_positive") else ""
        return "monitoring", f"alert {r['alert']} firing for {r['labels'].get('service', '?')}{fp}"
    if k == "AlertResolved":
        return "monitoring", f"alert {r['alert']} resolved ({r['fingerprint'][:8]})"
    if k == "AlertMuted":
        return "alertmanager", f"alert {r['fingerprint'][:8]} {r['reason']} in {r['group_key']}"
    if k == "NotificationSent":
        inc = f" -> {r['incident']}" if r["incident"] else ""
        return (
            "alertmanager",
            f"notify {r['receiver']}: {r['reason']} "
            f"({len(r['firing'])} firing, {len(r['resolved'])} resolved){inc}",
        )
    if k == "IncidentOpened":
        return "incident", f"{r['incident']} opened [{r['severity']}] {r['title']}"
    if k == "AlertsCorrelated":
        services = ", ".join(r["services"])
        return "incident", f"alerts on {services} joined {r['incident']} (correlated, no page)"
    if k == "PageSent":
        flags = ", ".join(
            f for f, on in (("asleep", r["asleep"]), ("off hours", r["off_hours"])) if on
        )
        return (
            r["person"],
            f"paged for {r['incident']} (level {r['level'] + 1}, loop {r['loop'] + 1}"
            f"{', ' + flags if flags else ''})",
        )
    if k == "PageMissed":
        return r["person"], f"misses the page for {r['incident']}"
    if k == "EscalationTimedOut":
        return "escalation", f"{r['incident']}: no ack at level {r['level'] + 1}, escalating"
    if k == "EscalationExhausted":
        return "escalation", f"{r['incident']}: escalation exhausted, nobody acknowledged"
    if k == "PageAcknowledged":
        return r["person"], f"acknowledges {r['incident']}"
    if k == "HypothesisFormed":
        verdict = "right" if r["correct"] else "WRONG"
        return r["person"], f"suspects {r['service']} ({verdict})"
    if k == "ActionStarted":
        return r["person"], f"starts {r['action']} of {r['service']}"
    if k == "ActionCompleted":
        outcome = "succeeded" if r["success"] else "FAILED"
        effect = "" if r["effective"] or not r["success"] else ", no effect"
        return r["person"], f"{r['action']} of {r['service']} {outcome}{effect}"
    if k == "IncidentMitigated":
        return r["by"], f"{r['incident']} mitigated"
    if k == "IncidentResolved":
        return r["by"], f"{r['incident']} resolved ({r['reason']})"
    if k == "DrillEnded":
        return "drillsim", "drill ended"
    return _describe_people(r)


def _describe_people(r: dict[str, Any]) -> tuple[str, str] | None:
    """Sentences for the responder model's records (channels, fatigue, load, roles)."""
    k = r["kind"]
    if k == "PageNotificationSent":
        return r["person"], f"{r['channel']} notification for {r['incident']}"
    if k == "FatigueAssessed":
        return (
            r["person"],
            f"{r['state']}, {r['pages_24h']} pages / {r['shift_hours']:.1f} h of incident work "
            f"in 24 h (response x{r['ack_factor']:.2f}, errors x{r['error_factor']:.2f})",
        )
    if k == "PageRedirected":
        to = f"paged {r['to']} from the fallback pool" if r["to"] else "nobody in the fallback pool"
        return "escalation", f"{r['person']} {r['reason']} for {r['incident']}: {to}"
    if k == "PageQueued":
        return r["person"], f"busy: {r['incident']} waits (queue {r['queued']})"
    if k == "PageDeclined":
        return r["person"], f"busy with {r['waiting']} waiting: declines {r['incident']}"
    if k == "IncidentHandedOff":
        return (
            r["person"],
            f"hands {r['incident']} to {r['to']} ({r['reason']}; "
            f"{format_duration(round(r['context_loss_s']))} to catch up)",
        )
    if k == "ActionNotAllowed":
        return r["person"], f"may not {r['action']} {r['service']} (contract)"
    if k == "RoleAssigned":
        return r["person"] or "nobody", f"{r['role']} of {r['incident']}"
    return None


def timeline_lines(records: list[dict[str, Any]], *, health: bool = True) -> list[str]:
    """One line per visible record: local wall time, offset, actor, event."""
    start_rec = next((r for r in records if r["kind"] == "DrillStarted"), None)
    start = datetime.fromisoformat(start_rec["start"]).astimezone(UTC) if start_rec else None
    zone = ZoneInfo(start_rec.get("tz", "UTC")) if start_rec else UTC
    lines = []
    for r in records:
        if r["kind"] == "ImpactAccrued" or (not health and r["kind"] == "ServiceHealthChanged"):
            continue
        told = describe(r)
        if told is None:
            continue
        actor, text = told
        offset = _offset(r["t"])
        wall = (
            (start + timedelta(seconds=r["t"])).astimezone(zone).strftime("%a %H:%M:%S")
            if start
            else ""
        )
        lines.append(f"{wall}  {offset:>9}  {actor:<16.16}  {text}")
    return lines


def _offset(t: float) -> str:
    whole = int(t)
    h, rem = divmod(whole, 3600)
    m, s = divmod(rem, 60)
    return f"+{h:d}:{m:02d}:{s:02d}"
