"""``drillsim oncall``: who is on call, when, with gaps and fairness, from a schedule file."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from drillsim.cli.group import cli
from drillsim.errors import ConfigError, DrillsimError, Issue
from drillsim.io.diagnostics import first_error

if TYPE_CHECKING:
    from drillsim.io.yamlsource import Source
    from drillsim.spec.oncall import Person
    from drillsim.spec.schedules import Schedule

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
TEMPLATE_SHAPES = ("primary-secondary", "follow-the-sun", "business-hours")


def _instant(text: str, option: str) -> datetime:
    """An aware instant from ISO 8601 with an offset or a ``[Zone]`` suffix."""
    from pydantic import TypeAdapter, ValidationError

    from drillsim.spec.types import Timestamp

    try:
        value: datetime = TypeAdapter(Timestamp).validate_python(text)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
        raise click.BadParameter(reason, param_hint=option) from None
    return value


def load_schedules(path: Path) -> tuple[list[Schedule], list[Person], list[Issue]]:
    """Schedules (and people, when the file has them) from an OnCall document, an
    iCalendar file or PagerDuty schedule JSON; warnings alongside. Raises ConfigError
    with located problems."""
    if path.suffix.lower() in (".ics", ".ical"):
        from drillsim.io.importers.ical import import_ical

        schedule, warnings = import_ical(path)
        return [schedule], [], warnings
    from drillsim.io.loader import display_name, load_document
    from drillsim.io.references import check_oncall
    from drillsim.io.yamlsource import read_source

    source, issues = read_source(path, display_name(path))
    if source is None:
        raise ConfigError(issues)
    if isinstance(source.data, dict) and source.data.get("kind") is None:
        return _imported(source)
    doc, issues = load_document(path, expect="OnCall")
    if doc is None or issues:
        raise ConfigError(issues)
    problems = check_oncall(doc)
    if problems:
        raise ConfigError(problems)
    from drillsim.io.schedule_checks import schedule_warnings

    warnings = [w for i, s in enumerate(doc.model.schedules) for w in schedule_warnings(doc, i, s)]
    return list(doc.model.schedules), list(doc.model.people), warnings


def _imported(source: Source) -> tuple[list[Schedule], list[Person], list[Issue]]:
    """Schedules from another tool's file, recognised by its shape."""
    from pydantic import ValidationError

    from drillsim.io.importers import goalert, grafana_oncall, opsgenie, pagerduty
    from drillsim.spec.schedules import Schedule

    readers = [  # PagerDuty's shape is the loosest ({"schedule": ...}): it goes last
        (opsgenie.is_opsgenie_schedules, opsgenie.import_opsgenie_schedules),
        (
            grafana_oncall.is_grafana_oncall_schedules,
            grafana_oncall.import_grafana_oncall_schedules,
        ),
        (goalert.is_goalert_schedules, goalert.import_goalert_schedules),
        (pagerduty.is_pagerduty_schedules, pagerduty.import_pagerduty_schedules),
    ]
    reader = next((read for looks, read in readers if looks(source.data)), None)
    if reader is None:
        raise ConfigError(
            [
                Issue(
                    source.file,
                    1,
                    1,
                    "",
                    "not an OnCall document nor a schedule export drillsim reads",
                    "give 'kind: OnCall', an iCalendar (.ics) file, or PagerDuty, Opsgenie, "
                    "Grafana OnCall or GoAlert schedule JSON",
                )
            ]
        )
    imported: Any = reader(source)  # every importer returns schedules, people, warnings
    schedules = []
    for data in imported.schedules:
        try:
            schedules.append(Schedule.model_validate(data))
        except ValidationError as exc:
            message = f"schedule {data['name']!r}: {first_error(exc)}"
            raise ConfigError([Issue(source.file, 1, 1, "", message)]) from None
    return schedules, [], imported.warnings


def _warn(warnings: list[Issue]) -> None:
    for w in warnings:
        click.echo(w.render(), err=True)


@cli.group()
def oncall() -> None:
    """Who is on call: at an instant, or over a window with gaps and fairness."""


@oncall.command("who")
@click.argument("oncall_file", metavar="ONCALL", type=FILE)
@click.option("--at", "at_text", required=True, help="An instant, e.g. 2026-03-29T02:30:00+01:00.")
@click.option("--json", "as_json", is_flag=True, help='Print {"schedule": ["user", ...]}.')
def oncall_who(oncall_file: Path, at_text: str, as_json: bool) -> None:
    """Print who is on call on every schedule of ONCALL at one instant.

    ONCALL is a drillsim OnCall document, an iCalendar (.ics) feed, or PagerDuty
    (REST or CloudFormation form), Opsgenie, Grafana OnCall or GoAlert schedule JSON.

    \b
    Example:
      drillsim oncall who scenarios/oncall/shop.yaml --at "2026-03-29T02:30:00[Europe/Berlin]"
    """
    from drillsim.oncall.rotation import who_is_on_call

    at = _instant(at_text, "--at")
    schedules, _people, warnings = load_schedules(oncall_file)
    _warn(warnings)
    result = {s.name: who_is_on_call(s, at) for s in schedules}
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    width = max(len(name) for name in result)
    for name, people in result.items():
        click.echo(f"{name:<{width}}  {', '.join(people) if people else '(nobody)'}")


@oncall.command("show")
@click.argument("oncall_file", metavar="ONCALL", type=FILE)
@click.option("--from", "from_text", help="Window start (default: today 00:00 UTC).")
@click.option("--to", "to_text", help="Window end (default: 14 days after the start).")
@click.option("--chart", type=click.Path(dir_okay=False, path_type=Path), help="Write a PNG chart.")
@click.option("--ical", type=click.Path(dir_okay=False, path_type=Path), help="Write an .ics file.")
@click.option("--holidays", "country", help="Count public holidays of this country (e.g. DE).")
@click.option("--json", "as_json", is_flag=True, help="Print shifts, gaps and loads as JSON.")
def oncall_show(
    oncall_file: Path,
    from_text: str | None,
    to_text: str | None,
    chart: Path | None,
    ical: Path | None,
    country: str | None,
    as_json: bool,
) -> None:
    """Show who is on call when over a window: shifts, coverage gaps (exact windows) and
    each person's load (hours, nights, weekends, holidays).

    \b
    Example:
      drillsim oncall show scenarios/oncall/shop.yaml --from 2026-03-23T00:00:00Z \\
          --to 2026-04-06T00:00:00Z --chart oncall.png --ical oncall.ics --holidays DE
    """
    from drillsim.oncall.coverage import gaps, load_by_person
    from drillsim.oncall.rotation import shifts

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = _instant(from_text, "--from") if from_text else today
    end = _instant(to_text, "--to") if to_text else start + timedelta(days=14)
    if end <= start:
        raise click.BadParameter("must be after --from", param_hint="--to")
    schedules, people, warnings = load_schedules(oncall_file)
    _warn(warnings)
    holidays = _holidays(country, start, end)
    tz_of = {p.name: p.tz for p in people}
    sleeps_of = {p.name: p.sleeps for p in people}
    report: dict[str, Any] = {"from": start.isoformat(), "to": end.isoformat(), "schedules": {}}
    rendered = []
    for s in schedules:
        got = shifts(s, start, end)
        holes = gaps(got, start.astimezone(_tz(s)), end)
        loads = load_by_person(got, tz_of, sleeps_of, holidays, default_tz=s.tz)
        rendered.append((s, got))
        covered = sum(x.duration_s for x in got)
        report["schedules"][s.name] = {
            "tz": s.tz,
            "coverage": covered / (end.timestamp() - start.timestamp()),
            "shifts": [
                {"start": x.start.isoformat(), "end": x.end.isoformat(), "users": list(x.users)}
                for x in got
            ],
            "gaps": [{"start": g.start.isoformat(), "end": g.end.isoformat()} for g in holes],
            "load": {
                person: {
                    "hours": round(load.total_s / 3600, 3),
                    "night_hours": round(load.night_s / 3600, 3),
                    "weekend_hours": round(load.weekend_s / 3600, 3),
                    "holiday_hours": round(load.holiday_s / 3600, 3),
                    "shifts": load.shifts,
                }
                for person, load in loads.items()
            },
        }
    if chart is not None:
        from drillsim.report.oncall_chart import oncall_chart

        oncall_chart(rendered, start, end, chart)
    if ical is not None:
        from drillsim.io.importers.ical import export_ical
        from drillsim.io.results import write_file

        write_file(ical, export_ical(rendered, start))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        _print_report(report)


def _tz(schedule: Schedule) -> Any:
    from drillsim.oncall.clock import zone

    return zone(schedule.tz)


def _holidays(country: str | None, start: datetime, end: datetime) -> set[date]:
    if country is None:
        return set()
    import holidays

    try:
        calendar = holidays.country_holidays(country, years=range(start.year, end.year + 1))
    except NotImplementedError:
        raise DrillsimError(
            f"unknown holiday calendar {country!r}; use a country code like DE"
        ) from None
    return set(calendar)


def _print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    console.print(f"on call from {report['from']} to {report['to']}")
    for name, body in report["schedules"].items():
        table = Table(title=f"{name} ({body['tz']}): {100 * body['coverage']:.1f}% covered")
        for column in ("from", "to", "on call"):
            table.add_column(column)
        for x in body["shifts"]:
            table.add_row(x["start"], x["end"], ", ".join(x["users"]))
        console.print(table)
        for g in body["gaps"]:
            console.print(f"  gap: nobody on call {g['start']} .. {g['end']}")
        load = Table(title=f"{name}: load per person (hours)")
        for column in ("person", "total", "nights", "weekends", "holidays", "shifts"):
            load.add_column(column, justify="right" if column != "person" else "left")
        for person, row in body["load"].items():
            load.add_row(
                person,
                f"{row['hours']:.1f}",
                f"{row['night_hours']:.1f}",
                f"{row['weekend_hours']:.1f}",
                f"{row['holiday_hours']:.1f}",
                str(row["shifts"]),
            )
        console.print(load)


@oncall.command("template")
@click.argument(
    "shape", type=click.Choice(["primary-secondary", "follow-the-sun", "business-hours"])
)
@click.option("--users", help="People of the rotation, comma-separated (primary-secondary).")
@click.option(
    "--region",
    "regions",
    multiple=True,
    help="follow-the-sun: TZ=person,person (repeat per region, in the order they cover the day).",
)
@click.option("--day", "day_users", help="business-hours: people on call in business hours.")
@click.option("--night", "night_users", help="business-hours: people on call after hours.")
@click.option("--tz", default="UTC", show_default=True, help="The schedules' time zone.")
@click.option("--hours", default="09:00-17:00", show_default=True, help="Business hours.")
@click.option("--handoff", default="mon 09:00", show_default=True, help="Weekly handoff.")
def oncall_template(
    shape: str,
    users: str | None,
    regions: tuple[str, ...],
    day_users: str | None,
    night_users: str | None,
    tz: str,
    hours: str,
    handoff: str,
) -> None:
    """Print a complete OnCall document of a common shape, to edit and run.

    \b
    Example:
      drillsim oncall template primary-secondary --users ann,ben,cat --tz Europe/Berlin
      drillsim oncall template follow-the-sun --region Asia/Singapore=wei,tan \\
          --region Europe/Berlin=ann,ben --region America/New_York=cat,dan
      drillsim oncall template business-hours --day ann,ben --night cat,dan
    """
    import yaml
    from pydantic import ValidationError

    from drillsim.oncall import templates
    from drillsim.spec.oncall import OnCall

    def names(text: str | None, option: str) -> list[str]:
        got = [n.strip() for n in (text or "").split(",") if n.strip()]
        if not got:
            raise click.UsageError(f"{shape} needs {option} NAME,NAME,...")
        return got

    try:
        if shape == "primary-secondary":
            doc = templates.primary_secondary(names(users, "--users"), tz, handoff)
        elif shape == "follow-the-sun":
            parsed = []
            for region in regions:
                zone_name, _, people = region.partition("=")
                parsed.append((zone_name.strip(), names(people, f"--region {zone_name}=")))
            doc = templates.follow_the_sun(parsed, handoff)
        else:
            doc = templates.business_hours(
                names(day_users, "--day"), names(night_users, "--night"), tz, hours, handoff
            )
        OnCall.model_validate(doc)  # a template never prints a document drillsim rejects
    except ValidationError as exc:
        raise click.UsageError(first_error(exc)) from None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(yaml.safe_dump(doc, sort_keys=False), nl=False)
