"""From a queued job to its flow, and from a failure to what the pull request is told."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.apply.context import CloudUnreadable
from app.cloudstack.errors import ApiError, CloudStackError, Unreachable
from app.events.codec import decode
from app.events.model import (
    Change,
    CommandEvent,
    MergeGroupEvent,
    PullRequestEvent,
    PushEvent,
    ReconcileEvent,
    ReviewEvent,
)
from app.flows.approval import reconsider
from app.flows.close import close
from app.flows.command import command
from app.flows.gate import APPROVAL, PLAN, POLICY
from app.flows.landgroup import land_group
from app.flows.mergegroup import merge_group
from app.flows.reconcile import reconcile
from app.flows.relabel import relabel
from app.flows.review import review
from app.flows.services import Services
from app.forges.base import ForgeError, StatusState
from app.jobs.queue import Work
from app.jobs.worker import Handler, Outcome, Reporter
from app.notify import NOTIFY, DeliveryFailed, send
from app.report.review_markdown import failed_comment

WHAT = {  # job kind → what failed, and what the person can do about it
    "plan": ("plan this change", "Comment `/stackgate plan` to try again."),
    "review": ("check the approvals", "Comment `/stackgate plan` to try again."),
    "relabel": ("judge the new labels", "Comment `/stackgate plan` to try again."),
    "close": (
        "settle the close or apply the merge",
        "Once merged, comment `/stackgate apply` to finish (it resumes, never repeats); if "
        "closed, `/stackgate unlock` releases its projects.",
    ),
    "command": ("run the command", "Comment it again to retry."),
}

# The status a failed job of this kind leaves in error, so what it was to decide never reads
# as decided: a plan's, and a relabel's policy verdict (a removed allow-destroy must not
# leave the old green standing).
SAYS = {"plan": PLAN, "relabel": POLICY}


def handler(services: Services) -> Handler:
    def run(work: Work) -> None:
        if work.kind == NOTIFY:  # a notification: no pull request, no forge event
            send(services.settings, work.event)
            return
        event = decode(work.event)
        if isinstance(event, PullRequestEvent):
            if event.change in (Change.CLOSED, Change.MERGED):
                merged = event.change is Change.MERGED
                close(services, event.forge, event.repo, event.number, event.sender, merged)
            elif event.change is Change.RELABELED:
                relabel(services, event.forge, event.repo, event.number, event.sender)
            else:
                review(services, event.forge, event.repo, event.number, event.sender)
        elif isinstance(event, ReviewEvent):
            reconsider(services, event.forge, event.repo, event.number, event.sender)
        elif isinstance(event, CommandEvent):
            command(services, event)
        elif isinstance(event, ReconcileEvent):
            reconcile(services, event.forge, event.repo)
        elif isinstance(event, MergeGroupEvent):
            merge_group(services, event)
        elif isinstance(event, PushEvent):
            land_group(services, event)

    return run


def classify(error: BaseException) -> Outcome:
    """Outages and rate limits pass; everything else is reported at once."""
    if isinstance(error, DeliveryFailed):  # the receiver's trouble, already logged
        return Outcome(error.transient, str(error))
    if isinstance(error, ForgeError):
        said = f"The forge answered: {error}"
        return Outcome(error.transient, said, error.retry_after, tell_retry=False)
    if isinstance(error, Unreachable) or (isinstance(error, ApiError) and error.http_status >= 500):
        return Outcome(True, f"CloudStack did not answer: {error}")
    if isinstance(error, CloudUnreadable):
        return Outcome(True, f"CloudStack could not be read, so nothing was applied: {error}")
    if isinstance(error, IntegrityError):  # two workers took the same lock at the same moment
        return Outcome(True, "Another plan took a project lock at the same moment.")
    if isinstance(error, CloudStackError):
        return Outcome(False, f"CloudStack refused: {error}")
    # A bug: people get the job number, the log gets the traceback, nobody gets the internals.
    return Outcome(False, f"stackgate hit an internal error ({type(error).__name__}).")


def retrying(services: Services) -> Reporter:
    """While a job waits to be retried, the status it is to decide says why and when: an
    error meanwhile (GitLab keeps a pending status's first words), set right by the retry."""

    def report(work: Work, message: str) -> None:
        context = SAYS.get(work.kind)
        if context is None or not work.number:
            return
        forge = services.forge(work.forge)
        head = forge.pull_request(work.repo, work.number).head_sha
        url = services.settings.public_url
        forge.set_status(work.repo, head, context, StatusState.ERROR, message, url)

    return report


def reporter(services: Services) -> Reporter:
    def report(work: Work, message: str) -> None:
        if work.kind == "merge-group":  # the queue waits on its statuses: never leave them pending
            _group_failed(services, work, message)
            return
        if not work.number:  # a reconcile: no pull request to tell; the job row and log say it
            return
        forge = services.forge(work.forge)
        what, advice = WHAT.get(work.kind, WHAT["command"])
        body = failed_comment(what, message, work.id, work.attempts, advice)
        forge.upsert_comment(work.repo, work.number, [body])
        context = SAYS.get(work.kind)
        if context is None:
            return
        forge.set_status(
            work.repo,
            forge.pull_request(work.repo, work.number).head_sha,
            context,
            StatusState.ERROR,
            "stackgate could not finish; see the comment",
            services.settings.public_url,
        )

    return report


def _group_failed(services: Services, work: Work, message: str) -> None:
    forge = services.forge(work.forge)
    said = f"stackgate could not check the group: {message}"[: forge.status_limit]
    for context in (PLAN, POLICY, APPROVAL):
        forge.set_status(
            work.repo,
            str(work.event["head_sha"]),
            context,
            StatusState.ERROR,
            said,
            services.settings.public_url,
        )
