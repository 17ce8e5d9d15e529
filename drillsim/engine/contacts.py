"""A page's contact plan: which notification reaches the person when, and whether it
gets through to them.

Each notification rule is sent ``after`` its offset (unless the incident is acknowledged
by then) and reaches the device after the channel's delivery delay. A person who is
reachable at all answers the first notification they notice: awake people notice a
channel with its ``notice`` chance, sleepers are woken with its ``asleep_notice`` chance.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from drillsim.spec.responders import ChannelSpec, NotificationRule


class Contact(NamedTuple):
    """One notification of a page, offsets in seconds from the page.

    A named tuple rather than a frozen dataclass: as immutable, and built several times
    faster (every page plans its contacts).
    """

    channel: str
    sent_s: float
    delivered_s: float
    noticed: bool


def plan_contacts(
    rules: list[NotificationRule],
    channels: dict[str, ChannelSpec],
    asleep: bool,
    rng: np.random.Generator,
) -> list[Contact]:
    """Every notification the rules would send, with delivery and noticing drawn now.

    Two draws per rule whatever the outcome (delivery, then noticing), so the number of
    draws never depends on earlier outcomes.
    """
    out = []
    for rule in rules:
        spec = channels[rule.channel]
        delivery = spec.delivery.sample(rng)
        chance = spec.asleep_notice if asleep else spec.notice
        noticed = bool(rng.random() < chance)
        out.append(Contact(rule.channel, rule.after, rule.after + delivery, noticed))
    return out


def first_noticed(contacts: list[Contact]) -> Contact | None:
    """The notification the person answers: the earliest delivered of those noticed
    (the first listed of equally early ones)."""
    best = None
    for c in contacts:
        if c.noticed and (best is None or c.delivered_s < best.delivered_s):
            best = c
    return best
