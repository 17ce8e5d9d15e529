"""Cross-document checks: every name a document uses must exist where it points.

Schema validation sees one document at a time; these checks see the whole drill
(a fault's target service, a layer's users, a receiver's escalation policy ...).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from drillsim.errors import Issue
from drillsim.io.horizon_checks import faults_after_end
from drillsim.io.responder_checks import check_responders, responder_warnings
from drillsim.io.schedule_checks import schedule_errors, schedule_warnings

if TYPE_CHECKING:
    from drillsim.io.loader import Document, Drill
    from drillsim.spec.alerting import Route, ServiceSelector
    from drillsim.spec.escalation import EscalationPolicy
    from drillsim.spec.topology import Topology


_PLURALS = {
    "person": "people",
    "escalation policy": "escalation policies",
    "dependency": "dependencies",
}


def _unknown(
    doc: Document, path: tuple, what: str, name: str, known: Iterable[str], known_as: str = ""
) -> Issue:
    """``unknown <what> 'name'``, hinting the known names (labelled ``known_as``)."""
    names = sorted(known)
    close = difflib.get_close_matches(name, names, n=1)
    shown = ", ".join(names[:12]) + (" ..." if len(names) > 12 else "")
    plural = _PLURALS.get(what, f"{what}s")
    hint = f"{known_as or 'known ' + plural}: {shown}" if names else f"no {plural} are defined"
    if close:
        hint += f" (did you mean {close[0]!r}?)"
    return doc.issue(path, f"unknown {what} {name!r}", hint)


def _duplicates(doc: Document, items: list, key: str, path: tuple, what: str) -> list[Issue]:
    seen: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        name = getattr(item, key)
        if name in seen:
            out.append(
                doc.issue(
                    (*path, i, key),
                    f"duplicate {what} {name!r}",
                    f"first defined at {path[-1]}[{seen[name]}]",
                )
            )
        else:
            seen[name] = i
    return out


def _selector_issues(
    doc: Document, path: tuple, selector: ServiceSelector, names: set[str], teams: set[str]
) -> list[Issue]:
    """The services and teams a monitor (or binding) selects are among those known."""
    issues = [
        _unknown(doc, (*path, "names", j), "service", name, names)
        for j, name in enumerate(selector.names or [])
        if name not in names
    ]
    issues += [
        _unknown(doc, (*path, "teams", j), "team", team, teams)
        for j, team in enumerate(selector.teams or [])
        if team not in teams
    ]
    return issues


def _matcher_issues(doc: Document, path: tuple, texts: list[str], hint: str) -> list[Issue]:
    """Each matcher parses as Alertmanager would parse it."""
    from drillsim.alerting.matchers import parse_matchers

    issues = []
    for j, text in enumerate(texts):
        try:
            parse_matchers([text])
        except ValueError as exc:
            issues.append(doc.issue((*path, j), str(exc), hint))
    return issues


def check_topology(doc: Document) -> list[Issue]:
    """Services, teams, regions and dependencies of a topology refer to each other."""
    topo = doc.model
    issues = _duplicates(doc, topo.services, "name", ("services",), "service")
    issues += _duplicates(doc, topo.teams, "name", ("teams",), "team")
    names = {s.name for s in topo.services}
    teams = {t.name for t in topo.teams}
    for i, svc in enumerate(topo.services):
        base = ("services", i)
        if teams and svc.team not in teams:
            issues.append(_unknown(doc, (*base, "team"), "team", svc.team, teams))
        for j, dep in enumerate(svc.depends_on):
            if dep.service == svc.name:
                issues.append(
                    doc.issue(
                        (*base, "depends_on", j, "service"), "a service cannot depend on itself"
                    )
                )
            elif dep.service not in names:
                issues.append(
                    _unknown(
                        doc, (*base, "depends_on", j, "service"), "service", dep.service, names
                    )
                )
        if svc.placement:
            for j, region in enumerate(svc.placement.regions):
                if region not in topo.regions:
                    issues.append(
                        _unknown(
                            doc, (*base, "placement", "regions", j), "region", region, topo.regions
                        )
                    )
            zones = {
                z for r in svc.placement.regions if r in topo.regions for z in topo.regions[r].zones
            }
            for j, zone in enumerate(svc.placement.zones or []):
                if zone not in zones:
                    issues.append(
                        _unknown(doc, (*base, "placement", "zones", j), "zone", zone, zones)
                    )
        red = svc.redundancy
        if red is not None and red.mode == "k-of-n" and red.k > svc.replicas:
            issues.append(
                doc.issue(
                    (*base, "redundancy", "k"),
                    f"k={red.k} is more than the {svc.replicas} replicas",
                )
            )
        standby = red.standby_region if red is not None and red.mode == "active-standby" else None
        if standby and standby not in topo.regions:
            path = (*base, "redundancy", "standby_region")
            issues.append(_unknown(doc, path, "region", standby, topo.regions))
    return issues


def check_oncall(doc: Document) -> list[Issue]:
    """Layers and escalation targets name people and schedules that exist."""
    oc = doc.model
    issues = _duplicates(doc, oc.people, "name", ("people",), "person")
    issues += _duplicates(doc, oc.schedules, "name", ("schedules",), "schedule")
    issues += _duplicates(
        doc, oc.escalation_policies, "name", ("escalation_policies",), "escalation policy"
    )
    people = {p.name for p in oc.people}
    schedules = {s.name for s in oc.schedules}
    for i, sched in enumerate(oc.schedules):
        issues += schedule_errors(doc, i, sched, people, _unknown)
    for i, policy in enumerate(oc.escalation_policies):
        for j, rule in enumerate(policy.rules):
            for k, target in enumerate(rule.targets):
                path = ("escalation_policies", i, "rules", j, "targets", k)
                if target.user is not None and target.user not in people:
                    issues.append(_unknown(doc, (*path, "user"), "person", target.user, people))
                if target.schedule is not None and target.schedule not in schedules:
                    issues.append(
                        _unknown(doc, (*path, "schedule"), "schedule", target.schedule, schedules)
                    )
    issues += check_escalation(doc)
    return issues


def check_routing(doc: Document, oncall: Document | None) -> list[Issue]:
    """Routes use valid matchers and existing receivers; receivers name real policies."""
    from drillsim.alerting.routing import RouteError, build_route_tree

    routing = doc.model
    issues = _duplicates(doc, routing.receivers, "name", ("receivers",), "receiver")
    receivers = {r.name for r in routing.receivers}
    policies = {p.name for p in oncall.model.escalation_policies} if oncall else None

    def walk(route: Route, path: tuple[str | int, ...]) -> None:
        if route.receiver is not None and route.receiver not in receivers:
            issues.append(_unknown(doc, (*path, "receiver"), "receiver", route.receiver, receivers))
        issues.extend(
            _matcher_issues(
                doc,
                (*path, "matchers"),
                route.matchers,
                'write matchers like severity="critical" or team=~"a|b"',
            )
        )
        for j, child in enumerate(route.routes):
            walk(child, (*path, "routes", j))

    walk(routing.route, ("route",))
    issues += _check_intervals_and_inhibition(doc)
    if not issues:
        try:
            build_route_tree(routing.route)
        except RouteError as exc:
            issues.append(doc.issue(("route", *exc.loc), exc.reason))
    if policies is not None:
        for i, rec in enumerate(routing.receivers):
            if rec.escalation_policy is not None and rec.escalation_policy not in policies:
                issues.append(
                    _unknown(
                        doc,
                        ("receivers", i, "escalation_policy"),
                        "escalation policy",
                        rec.escalation_policy,
                        policies,
                    )
                )
    return issues


def _check_intervals_and_inhibition(doc: Document) -> list[Issue]:
    """Time intervals parse and are known where routes name them; inhibit rules parse."""
    from drillsim.alerting.inhibit import InhibitRule
    from drillsim.alerting.timeintervals import TimeIntervalError, parse_time_interval

    routing = doc.model
    issues: list[Issue] = _duplicates(
        doc, routing.time_intervals, "name", ("time_intervals",), "time interval"
    )
    for i, named in enumerate(routing.time_intervals):
        for j, spec in enumerate(named.time_intervals):
            try:
                parse_time_interval(spec)
            except TimeIntervalError as exc:
                path = ("time_intervals", i, "time_intervals", j, *exc.loc)
                issues.append(doc.issue(path, exc.reason))
            except ValueError as exc:
                issues.append(doc.issue(("time_intervals", i, "time_intervals", j), str(exc)))
    known = {t.name for t in routing.time_intervals}

    def walk(route: Route, path: tuple[str | int, ...]) -> None:
        for key in ("mute_time_intervals", "active_time_intervals"):
            for j, name in enumerate(getattr(route, key)):
                if name not in known:
                    issues.append(_unknown(doc, (*path, key, j), "time interval", name, known))
        for j, child in enumerate(route.routes):
            walk(child, (*path, "routes", j))

    walk(routing.route, ("route",))
    for i, rule in enumerate(routing.inhibit_rules):
        try:
            InhibitRule.from_config(rule.model_dump(exclude_none=True))
        except ValueError as exc:
            issues.append(doc.issue(("inhibit_rules", i), str(exc)))
    return issues


def check_rules(doc: Document, topology: Document) -> list[Issue]:
    """Monitors select services and teams that exist."""
    names = {s.name for s in topology.model.services}
    teams = {s.team for s in topology.model.services}
    issues = []
    for i, rule in enumerate(doc.model.rules):
        issues += _selector_issues(doc, ("rules", i, "services"), rule.services, names, teams)
    return issues


def check_scenario(doc: Document, topology: Document) -> list[Issue]:
    """Fault targets exist in the topology; partitions cut a real dependency."""
    topo = topology.model
    names = {s.name for s in topo.services}
    teams = {s.team for s in topo.services}
    zones = {f"{r}/{z}" for r, reg in topo.regions.items() for z in reg.zones}
    issues = []
    bound: dict[str, int] = {}
    for i, binding in enumerate(doc.model.alerting.bindings):
        where = ("alerting", "bindings", i)
        if binding.alert in bound:
            issues.append(
                doc.issue(
                    (*where, "alert"),
                    f"duplicate binding {binding.alert!r}",
                    f"first bound at alerting.bindings[{bound[binding.alert]}]",
                )
            )
        bound.setdefault(binding.alert, i)
        issues += _selector_issues(doc, (*where, "services"), binding.services, names, teams)
    for i, window in enumerate(doc.model.maintenance):
        for j, name in enumerate(window.services):
            if name not in names:
                path = ("maintenance", i, "services", j)
                issues.append(_unknown(doc, path, "service", name, names))
    for i, silence in enumerate(doc.model.silences):
        issues += _matcher_issues(
            doc,
            ("silences", i, "matchers"),
            silence.matchers,
            'write matchers like severity="warning"',
        )
    named: dict[str, int] = {}
    for i, fault in enumerate(doc.model.faults):
        if fault.name is None:
            continue
        if fault.name in named:
            issues.append(
                doc.issue(
                    ("faults", i, "name"),
                    f"duplicate fault {fault.name!r}",
                    f"first defined at faults[{named[fault.name]}]",
                )
            )
        named.setdefault(fault.name, i)
    for i, fault in enumerate(doc.model.faults):
        t, base = fault.target, ("faults", i, "target")
        if t.service is not None and t.service not in names:
            issues.append(_unknown(doc, (*base, "service"), "service", t.service, names))
        if t.team is not None and t.team not in teams:
            issues.append(_unknown(doc, (*base, "team"), "team", t.team, teams))
        if t.zone is not None and t.zone not in zones:
            issues.append(_unknown(doc, (*base, "zone"), "zone", t.zone, zones))
        if t.region is not None and t.region not in topo.regions:
            issues.append(_unknown(doc, (*base, "region"), "region", t.region, topo.regions))
        if t.tier is not None and not any(s.tier == t.tier for s in topo.services):
            issues.append(doc.issue((*base, "tier"), f"no service has tier {t.tier}"))
        if fault.dependency is not None and t.service in names:
            deps = {d.service for d in topo.service(t.service).depends_on}
            if fault.dependency not in deps:
                issues.append(
                    _unknown(
                        doc,
                        ("faults", i, "dependency"),
                        "dependency",
                        fault.dependency,
                        deps,
                        known_as=f"dependencies of {t.service!r}",
                    )
                )
        if (
            fault.remedy_action == "failover"
            and fault.type != "partition"
            and t.service in names
            and not _is_active_standby(topo, t.service)
        ):
            issues.append(
                doc.issue(
                    ("faults", i, "remedy"),
                    f"failover needs an active-standby service; {t.service!r} has none",
                    "give the service redundancy: {mode: active-standby} or pick another remedy",
                )
            )
        if (
            t.instance is not None
            and t.service in names
            and not _is_active_standby(topo, t.service)
        ):
            issues.append(
                doc.issue(
                    (*base, "instance"),
                    f"{t.service!r} has no standby instance to choose from",
                    "give the service redundancy: {mode: active-standby} or drop 'instance'",
                )
            )
    for i, _ in faults_after_end(doc, doc.model.duration):
        issues.append(
            doc.issue(
                ("faults", i, "at"),
                "starts after the drill has ended",
                "make 'at' shorter than the scenario's duration",
            )
        )
    return issues


def _is_active_standby(topology: Topology, service: str) -> bool:
    red = topology.service(service).redundancy
    return red is not None and red.mode == "active-standby"


def partial_checks(scenario: Document, loaded: dict[str, Document]) -> list[Issue]:
    """Cross-checks among the documents that did load, when others did not: a user still
    sees every problem that can be found in one go."""
    topology, oncall = loaded.get("topology"), loaded.get("oncall")
    issues = check_topology(topology) if topology else []
    if oncall:
        issues += check_oncall(oncall)
        issues += check_responders(scenario, oncall)
    if "routing" in loaded:
        issues += check_routing(loaded["routing"], oncall)
    if topology:
        if "rules" in loaded:
            issues += check_rules(loaded["rules"], topology)
        issues += check_scenario(scenario, topology)
    return issues


def check_references(drill: Drill) -> list[Issue]:
    """Every cross-reference check over a loaded drill."""
    issues = check_topology(drill.topology)
    issues += check_oncall(drill.oncall)
    if drill.routing.imported:
        issues += check_routing(drill.routing, None)
        policies = {p.name for p in drill.oncall.model.escalation_policies}
        for name, policy in drill.scenario.model.alerting.receivers.items():
            if policy not in policies:
                path = ("alerting", "receivers", name)
                issues.append(_unknown(drill.scenario, path, "escalation policy", policy, policies))
    else:
        issues += check_routing(drill.routing, drill.oncall)
    if not drill.rules.imported:
        issues += check_rules(drill.rules, drill.topology)
    issues += check_scenario(drill.scenario, drill.topology)
    issues += check_responders(drill.scenario, drill.oncall)
    services = {s.name for s in drill.topology.model.services}
    for i, person in enumerate(drill.oncall.model.people):
        for j, skill in enumerate(person.skills):
            if skill not in services:
                issues.append(
                    _unknown(drill.oncall, ("people", i, "skills", j), "service", skill, services)
                )
    return issues


def drill_warnings(drill: Drill) -> list[Issue]:
    """Things that are valid but probably not what the author meant."""
    from datetime import timedelta

    from drillsim.oncall.rotation import shifts

    warnings: list[Issue] = []
    services = drill.topology.model.services
    for i, rule in enumerate(drill.rules.model.rules):
        if not any(rule.services.selects(s) for s in services):
            issue = drill.rules.issue(("rules", i, "services"), "selects no service; never fires")
            warnings.append(replace(issue, severity="warning"))
    scenario = drill.scenario.model
    if "prometheus" in scenario.alerting.model_fields_set and (
        drill.rules.source.data.get("kind") == "AlertRules"
    ):
        issue = drill.scenario.issue(
            ("alerting", "prometheus"),
            "applies to an imported Prometheus rule file only; ignored",
            "set scrape_interval, evaluation_interval and resend_delay in the AlertRules document",
        )
        warnings.append(replace(issue, severity="warning"))
    start, end = scenario.start, scenario.start + timedelta(seconds=scenario.duration)
    used = {
        t.schedule
        for p in drill.oncall.model.escalation_policies
        for r in p.rules
        for t in r.targets
        if t.schedule
    }
    for i, schedule in enumerate(drill.oncall.model.schedules):
        warnings += schedule_warnings(drill.oncall, i, schedule)
        if schedule.name in used and not shifts(schedule, start, end):
            issue = drill.oncall.issue(
                ("schedules", i),
                f"nobody is on call during the drill ({start.isoformat()} for "
                f"{scenario.duration / 3600:g}h); pages to it reach nobody",
                "check the layers' days/hours restrictions and start dates",
            )
            warnings.append(replace(issue, severity="warning"))
    return warnings + responder_warnings(drill)


# ----- escalation policies -----------------------------------------------------------------


def check_escalation(doc: Document) -> list[Issue]:
    """Escalation policies page people and schedules that exist, with delays their
    ``delays`` mode can run, and can reach someone at all.

    A rule-form policy always has a target (the schema requires one), so only a chain of
    steps can be built to page nobody: one with no notify step, or whose notify steps all
    come after a ``resolve``. That is an error, unless the chain resolves its incidents
    (a deliberate auto-resolve chain, which Grafana OnCall allows): then a warning, from
    :func:`escalation_warnings`.
    """
    oc = doc.model
    people = {p.name for p in oc.people}
    schedules = {s.name for s in oc.schedules}
    issues: list[Issue] = []
    for i, policy in enumerate(oc.escalation_policies):
        base: tuple[str | int, ...] = ("escalation_policies", i)
        issues += _rule_delay_issues(doc, base, policy)
        for j, step in enumerate(policy.steps):
            for k, target in enumerate(step.notify or []):
                path = (*base, "steps", j, "notify", k)
                if target.user is not None and target.user not in people:
                    issues.append(_unknown(doc, (*path, "user"), "person", target.user, people))
                if target.schedule is not None and target.schedule not in schedules:
                    issues.append(
                        _unknown(doc, (*path, "schedule"), "schedule", target.schedule, schedules)
                    )
        unreachable = _pages_nobody(doc, base, policy)
        if unreachable is not None and unreachable.severity == "error":
            issues.append(unreachable)
    return issues


def _rule_delay_issues(
    doc: Document, base: tuple[str | int, ...], policy: EscalationPolicy
) -> list[Issue]:
    """Per-rule delays are positive; from-start delays never decrease."""
    from drillsim.spec.durations import format_duration

    issues = []
    previous = 0.0
    for j, rule in enumerate(policy.rules):
        path = (*base, "rules", j, "delay")
        if policy.delays == "per-rule" and rule.delay <= 0:
            issues.append(
                doc.issue(
                    path,
                    "must be > 0",
                    "each rule waits its delay for an acknowledgement (with "
                    "delays: from-start, a delay of 0 pages at once)",
                )
            )
        if policy.delays == "from-start" and rule.delay < previous:
            issues.append(
                doc.issue(
                    path,
                    f"is less than the previous rule's delay ({format_duration(previous)})",
                    "with delays: from-start each delay counts from the start of the pass, "
                    "so list the rules in the order they page",
                )
            )
        previous = max(previous, rule.delay)
    return issues


def _pages_nobody(
    doc: Document, base: tuple[str | int, ...], policy: EscalationPolicy
) -> Issue | None:
    """The issue of a chain of steps that can never page anyone, or None."""
    if not policy.steps:
        return None
    for j, step in enumerate(policy.steps):
        if step.notify is not None:
            return None
        if step.resolve is not None:
            issue = doc.issue(
                (*base, "steps", j),
                "resolves every incident before any step pages anyone",
                "move the resolve step after a notify step, if pages were meant",
            )
            return replace(issue, severity="warning")
    return doc.issue(
        (*base, "steps"),
        "no step pages anyone: incidents of this policy are never answered",
        "add a step like {notify: [{schedule: primary}]}",
    )


def escalation_warnings(drill: Drill) -> list[Issue]:
    """Escalation policies that reach nobody: a chain that resolves before paging, and a
    policy whose every target is a schedule with nobody on call during the drill."""
    from datetime import timedelta

    from drillsim.oncall.rotation import shifts

    doc = drill.oncall
    scenario = drill.scenario.model
    start, end = scenario.start, scenario.start + timedelta(seconds=scenario.duration)
    schedules = {s.name: s for s in doc.model.schedules}
    warnings: list[Issue] = []
    for i, policy in enumerate(doc.model.escalation_policies):
        base: tuple[str | int, ...] = ("escalation_policies", i)
        unreachable = _pages_nobody(doc, base, policy)
        if unreachable is not None:
            if unreachable.severity == "warning":
                warnings.append(unreachable)
            continue
        targets = [t for r in policy.rules for t in r.targets]
        targets += [t for s in policy.steps for t in s.notify or []]
        if all(
            t.schedule is not None
            and t.schedule in schedules
            and not shifts(schedules[t.schedule], start, end)
            for t in targets
        ):
            issue = doc.issue(
                base,
                "reaches nobody during the drill: every target is a schedule with nobody on "
                "call then",
                "add a user target as a last resort, or check the schedules' layers",
            )
            warnings.append(replace(issue, severity="warning"))
    return warnings
