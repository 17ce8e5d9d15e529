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
    ]


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
    out += [
        "",
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
