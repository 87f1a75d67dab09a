"""Snapshot policies: a backup schedule for a volume or an instance's root disk, written as
CloudStack's createSnapshotPolicy takes it (an interval, a schedule, a timezone, maxsnaps)."""

from __future__ import annotations

import re
import zoneinfo
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from app.spec.base import Strict
from app.spec.fields import bad_value

Interval = Literal["hourly", "daily", "weekly", "monthly"]
# CloudStack counts the days of a week as java.util.Calendar does: 1 is Sunday.
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
Weekday = Literal["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_TIME = re.compile(r"^(?P<hour>[01][0-9]|2[0-3]):(?P<minute>[0-5][0-9])$")


class SnapshotPolicy(Strict):
    """One policy per volume; ``hourly`` takes the minute, the others the time of day."""

    schedule: Interval = Field(description="hourly, daily, weekly or monthly")
    time: str | None = Field(None, description='Time of day "HH:MM" (daily, weekly, monthly)')
    minute: int | None = Field(None, ge=0, le=59, description="Minute of the hour (hourly)")
    day_of_week: Weekday | None = Field(None, description="Day of the week (weekly)")
    # DateUtil.getNextRunTime refuses a day of month above 28: every month has it
    day_of_month: int | None = Field(None, ge=1, le=28, description="Day of the month (monthly)")
    timezone: str = Field("UTC", description="IANA time zone of the schedule, e.g. Europe/Berlin")
    keep: int = Field(ge=1, description="Snapshots kept (maxsnaps); older ones are deleted")

    @field_validator("time")
    @classmethod
    def _time_of_day(cls, value: str | None) -> str | None:
        if value is not None and not _TIME.match(value):
            raise bad_value(f"'{value}' is not a time of day", 'write "HH:MM", e.g. "02:30"')
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise bad_value(
                f"'{value}' is not a time zone", "write an IANA name, e.g. Europe/Berlin or UTC"
            ) from None
        return value

    @model_validator(mode="after")
    def _fields_of_interval(self) -> Self:
        wanted = {
            "hourly": {"minute"},
            "daily": {"time"},
            "weekly": {"time", "day_of_week"},
            "monthly": {"time", "day_of_month"},
        }[self.schedule]
        given = {
            name
            for name in ("time", "minute", "day_of_week", "day_of_month")
            if getattr(self, name) is not None
        }
        kind = f"{'an' if self.schedule == 'hourly' else 'a'} {self.schedule} schedule"
        if missing := sorted(wanted - given):
            raise bad_value(
                f"{kind} needs {' and '.join(missing)}",
                f"add {', '.join(f'{name}:' for name in missing)}",
            )
        if extra := sorted(given - wanted):
            raise bad_value(
                f"{kind} takes no {' or '.join(extra)}",
                f"remove {', '.join(f'{name}:' for name in extra)}",
            )
        return self

    @property
    def cloudstack_schedule(self) -> str:
        """The schedule parameter: "MM" hourly, "MM:HH" daily, "MM:HH:DD" weekly and monthly."""
        if self.schedule == "hourly":
            return f"{self.minute:02d}"
        hour, minute = str(self.time).split(":")
        if self.day_of_week is not None:
            return f"{minute}:{hour}:{WEEKDAYS.index(self.day_of_week) + 1}"
        if self.day_of_month is not None:
            return f"{minute}:{hour}:{self.day_of_month}"
        return f"{minute}:{hour}"
