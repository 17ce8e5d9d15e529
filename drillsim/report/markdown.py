"""report.md: the scorecard, the incidents and the timeline of one drill, for humans."""

from __future__ import annotations

from typing import Any

from drillsim.report.timeline import timeline_lines
from drillsim.spec.durations import format_duration


def fmt_s(value: float | None) -> str:
    """Seconds as a compact duration, or a dash."""
    return "-" if value is None else format_duration(round(value))


def kpi_rows(kpis: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline KPIs, shared by the console and report.md."""

    def dist(key: str) -> str:
        s = kpis[key]
        if not s["count"]:
            return "-"
        return (
            f"mean {fmt_s(s['mean'])}, median {fmt_s(s['median'])}, "
            f"p90 {fmt_s(s['p90'])} (n={s['count']})"
        )

    return [
        ("faults (detected)", f"{kpis['faults']} ({kpis['faults_detected']})"),
        (
            "incidents (unacked / unresolved)",
            f"{kpis['incidents']} "
            f"({kpis['incidents_unacknowledged']} / {kpis['incidents_unresolved']})",
        ),
        ("time to detect", dist("time_to_detect_s")),
        ("time to acknowledge", dist("time_to_acknowledge_s")),
        ("time to mitigate", dist("time_to_mitigate_s")),
        ("time to resolve", dist("time_to_resolve_s")),
        ("failed requests", f"{kpis['failed_requests']:,.0f}"),
        ("user-minutes affected", f"{kpis['user_minutes_affected']:,.0f}"),
        ("SLO error budget burned", f"{100 * kpis['slo_budget_burned']:.2f}%"),
        (
            "alerts fired (false positives)",
            f"{kpis['alerts_fired']} ({kpis['false_positive_alerts']})",
        ),
        (
            "alerts posted to Alertmanager (re-sends)",
            f"{kpis['alert_posts']:,} ({kpis['alert_posts_deduplicated']:,})",
        ),
        ("notifications per incident", f"{kpis['notifications_per_incident']:.1f}"),
        (
            "pages (off hours / asleep / missed)",
            f"{kpis['pages']} "
            f"({kpis['off_hours_pages']} / {kpis['asleep_pages']} / {kpis['missed_pages']})",
        ),
        (
            "pages per person",
            ", ".join(f"{k} {v}" for k, v in kpis["pages_by_person"].items()) or "-",
        ),
        ("escalations (exhausted)", f"{kpis['escalations']} ({kpis['escalations_exhausted']})"),
        ("noise ratio", f"{100 * kpis['noise_ratio']:.0f}%"),
        (
            "wrong hypotheses / failed actions",
            f"{kpis['wrong_hypotheses']} / {kpis['failed_actions']}",
        ),
        ("duplicate incidents", str(kpis["duplicate_incidents"])),
        *people_rows(kpis),
    ]


def people_rows(kpis: dict[str, Any]) -> list[tuple[str, str]]:
    """Headline rows about the responders: channels, load, hand-offs, roles."""
    if "people" not in kpis:
        return []  # a scorecard written before the responder model
    channels = ", ".join(f"{k} {v}" for k, v in kpis["pages_by_channel"].items()) or "-"
    redirected = ", ".join(f"{k} {v}" for k, v in kpis["redirected_pages"].items()) or "-"
    by_reason = ", ".join(f"{k} {v}" for k, v in kpis["handoffs_by_reason"].items())
    worst = max(
        ((row["fatigue_max"] or 1.0, name) for name, row in kpis["people"].items()),
        default=(1.0, "-"),
    )
    return [
        ("notifications by channel", channels),
        ("pages queued behind other work", str(kpis["queued_pages"])),
        ("pages redirected to the fallback pool", redirected),
        ("hand-offs", f"{kpis['handoffs']}" + (f" ({by_reason})" if by_reason else "")),
        ("most tired responder (response time x)", f"{worst[1]} x{worst[0]:.2f}"),
        ("role conflicts (one person, two roles)", str(kpis["role_conflicts"])),
    ]


def people_section(kpis: dict[str, Any]) -> list[str]:
    """The People section of report.md: load, fatigue and burnout per person, then
    role conflicts; what a manager reads to see who carried the drill."""
    if "people" not in kpis:
        return []
    out = [
        "## People",
        "",
        "| person | pages | off hours | asleep | missed | queued | fallback | hand-offs "
        "out/in | roles | fatigue max | pages in 24 h max | off-hours pages / 30 d | burnout |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for name, row in kpis["people"].items():
        fatigue = "-" if row["fatigue_max"] is None else f"x{row['fatigue_max']:.2f}"
        out.append(
            f"| {name} | {row['pages']} | {row['off_hours_pages']} | {row['asleep_pages']} | "
            f"{row['missed']} | {row['queued']} | {row['fallback_pages']} | "
            f"{row['handoffs_out']}/{row['handoffs_in']} | {row['roles']} | {fatigue} | "
            f"{row['max_pages_24h']} | {row['off_hours_pages_per_month']:.1f} | "
            f"{row['burnout'] or 'n/a (< 7 days)'} |"
        )
    conflicts = kpis["role_conflict_rows"]
    if conflicts:
        out += ["", "Role conflicts (one person holding two roles at once):", ""]
        out += [
            f"- {c['person']}: {' and '.join(c['holdings'])} from +{fmt_s(c['start_s'])} "
            f"for {fmt_s(c['end_s'] - c['start_s'])}"
            for c in conflicts
        ]
    return [*out, ""]


def render_report(scorecard: dict[str, Any], records: list[dict[str, Any]]) -> str:
    """The whole report.md text."""
    kpis = scorecard["kpis"]
    started = next(r for r in records if r["kind"] == "DrillStarted")
    out = [
        f"# Drill report: {started['scenario']}",
        "",
        f"Start {started['start']} ({started['tz']}), {fmt_s(started['duration_s'])}, "
        f"seed {started['seed']}, replication {started['replication']}.",
        "",
        f"## Score: {scorecard['score']:.1f} / 100",
        "",
        "| part | weight | KPI value | sub-score |",
        "|---|---:|---:|---:|",
    ]
    for part, sub in scorecard["parts"].items():
        value = scorecard["values"][part]
        shown = "-" if value is None else f"{value:.2f}"
        out.append(f"| {part} | {scorecard['weights'][part]:g} | {shown} | {sub:.1f} |")
    out += ["", "## KPIs", "", "| KPI | value |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in kpi_rows(kpis)]
    out += ["", *people_section(kpis)]
    out += [
        "## Incidents",
        "",
        "| incident | severity | services | faults | owner | TTA | TTM | TTR | resolution |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in kpis["incident_rows"]:
        out.append(
            f"| {row['id']} | {row['severity']} | {', '.join(row['services'])} | "
            f"{', '.join(row['faults']) or '-'} | {row['owner'] or '-'} | "
            f"{fmt_s(row['time_to_acknowledge_s'])} | {fmt_s(row['time_to_mitigate_s'])} | "
            f"{fmt_s(row['time_to_resolve_s'])} | {row['resolution'] or 'open'} |"
        )
    out += ["", "## Timeline", "", "```", *timeline_lines(records, health=False), "```", ""]
    return "\n".join(out)
