"""Roles of a response: incident commander, communications lead, subject-matter expert.

Roles are filled when an incident is first acknowledged, from the scenario's
``responders.roles``: whoever is on call on a rotation, the first available of a list,
or the owner (who follows the incident through hand-offs). Nothing stops one person
from holding two roles at once; the log shows it, and scoring counts it as a conflict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from drillsim.engine.incidents import Incident
from drillsim.events import EventLog, RoleAssigned
from drillsim.spec.responders import RoleSpec


class RoleDesk:
    """Assigns the response roles of each acknowledged incident."""

    def __init__(
        self,
        specs: list[RoleSpec],
        log: EventLog,
        on_call: Callable[[str, datetime], list[str]],
        present: Callable[[str, datetime], bool],
        busy: Callable[[str], bool],
    ) -> None:
        self.specs = specs
        self.log = log
        self.on_call = on_call
        self.present = present
        self.busy = busy
        self._owner_roles: dict[str, list[str]] = {}

    def assign(self, incident: Incident, owner: str, now: float, at: datetime) -> None:
        """Fill every role that applies to the incident's severity, in listed order."""
        for spec in self.specs:
            if spec.severities and incident.severity not in spec.severities:
                continue
            if spec.owner:
                person: str | None = owner
                self._owner_roles.setdefault(incident.id, []).append(spec.role)
            elif spec.schedule is not None:
                person = next(
                    (n for n in self.on_call(spec.schedule, at) if self.present(n, at)), None
                )
            else:
                present = [n for n in spec.people if self.present(n, at)]
                idle = [n for n in present if not self.busy(n)]
                chosen = idle or present
                person = chosen[0] if chosen else None
            self.log.record(
                RoleAssigned(t=now, incident=incident.id, role=spec.role, person=person)
            )

    def owner_changed(self, incident: Incident, owner: str, now: float) -> None:
        """The owner's roles pass to the new owner with the incident."""
        for role in self._owner_roles.get(incident.id, []):
            self.log.record(RoleAssigned(t=now, incident=incident.id, role=role, person=owner))
