"""`organization`: a management account and member accounts in two OUs and under the root.

The lab account (123456789012) is the management account, so the lab's default credentials are
management credentials. Members are created with ``create_account`` and reached by assuming
``OrganizationAccountAccessRole``; moto keeps each account's state apart. Seven members carry
named postures (the default, ``members=7``); ``members=N`` takes the first N of them, or adds more
(alternately well run and without a budget) for benchmarks.

Governance: the Production OU carries an SCP that denies the whole default guardrail baseline;
the Sandbox OU carries one that looks like a guardrail and denies none of it; two members sit
directly under the root, which only denies leaving the organization. The organization has
centralized root access, and one member's root user has no credentials at all. The management
account runs workloads of several kinds beside governance resources, and holds an Identity
Center instance and an AWS Managed Microsoft AD with a trust to an on-premises forest.

CreateAccount creates the audit role in each new member, as AWS does; one member has deleted it.
moto's AssumeRole never checks that the role exists, so ``AuditRoleGate`` (a client hook) refuses
AssumeRole, as AWS does, when the role is missing in the target account.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from awsaudit.lab.clients import LabAccount
from awsaudit.lab.scenarios.model import BuiltScenario, Planted, ScenarioError
from awsaudit.lab.scenarios.organization_governance import (
    build_management_governance,
    make_rootless,
    management_planted,
)
from awsaudit.lab.scenarios.organization_governance import guardrails as attach_guardrails
from awsaudit.lab.scenarios.resources import create_guarded_organization, policy_json

if TYPE_CHECKING:
    from awsaudit.lab.server import Lab

HOME = "us-east-1"
REGIONS = (HOME,)
AUDIT_ROLE = "OrganizationAccountAccessRole"
ORGANIZATION_TRAIL = "organization-trail"
DEFAULTS: dict[str, int] = {"members": 7}
PRODUCTION, SANDBOX = "Production", "Sandbox"
# Checks whose results on this organization are enumerated in ``planted``; every other check judges
# default moto accounts that nobody configured, and is left out (unplanned).
ENUMERATED_CHECKS = frozenset(
    {
        "organizations.account_in_organization",
        "organizations.management_account_no_workloads",
        "organizations.scp_guardrails",
        "organizations.audit_role_reachable",
        "organizations.member_budgets",
        "organizations.centralized_root_access",
        "organizations.security_delegated_administrators",
        "budgets.budget_with_alert",
        "identitycenter.admin_permission_sets",
        "ds.forest_trust_selective_auth",
        "iam.root_mfa",
        "iam.external_trust",
    }
)
# Accounts whose SCPs leave the guardrail baseline allowed: Sandbox and directly under the root.
WEAKLY_GUARDED = frozenset({SANDBOX, None})


@dataclass(frozen=True)
class Posture:
    name: str
    unit: str | None  # None: directly under the root
    audit_role: bool
    own_budget: bool
    linked_budget: bool  # a budget for it in the management account, filtered to it (linked account)
    rootless: bool = False  # the root user has no password, keys or MFA (centralized root access)


NAMED_POSTURES = (
    Posture("well-run", PRODUCTION, audit_role=True, own_budget=True, linked_budget=False),
    Posture("linked-budget", PRODUCTION, audit_role=True, own_budget=False, linked_budget=True),
    Posture("no-budget", SANDBOX, audit_role=True, own_budget=False, linked_budget=False),
    Posture("no-audit-role", SANDBOX, audit_role=False, own_budget=True, linked_budget=False),
    Posture("sandbox-dev", SANDBOX, audit_role=True, own_budget=True, linked_budget=False),
    Posture("at-root", None, audit_role=True, own_budget=True, linked_budget=False),
    Posture("root-less", None, audit_role=True, own_budget=True, linked_budget=False, rootless=True),
)


def postures(count: int) -> list[Posture]:
    """The named postures first, then well-run and budget-less members alternately."""
    if count < 1:
        raise ScenarioError("the organization scenario needs at least one member account")
    extra = [
        Posture(
            f"member-{n:04d}",
            PRODUCTION if n % 2 else SANDBOX,
            audit_role=True,
            own_budget=n % 2 == 1,
            linked_budget=False,
        )
        for n in range(len(NAMED_POSTURES), count)
    ]
    return [*NAMED_POSTURES, *extra][:count]


def build(lab: Lab, params: Mapping[str, Any]) -> BuiltScenario:
    from awsaudit.checks.registry import all_checks

    management = LabAccount(lab)
    organizations, root = create_guarded_organization(management)
    units = {
        name: organizations.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        for name in (PRODUCTION, SANDBOX)
    }
    attach_guardrails(organizations, root, units)
    planted: set[Planted] = set()
    notes = [
        f"Management account {management.account_id}: runs an EC2 instance (a workload), holds the SCP "
        "guardrail on the root, an organization-wide budget, linked-account budgets and a logging "
        "multi-region organization trail into CloudWatch Logs with no metric filter (so the CIS "
        "monitoring checks fail there, and members covered by the trail take that verdict)."
    ]
    linked: list[str] = []
    for posture in postures(int(params["members"])):
        member_id = organizations.create_account(
            Email=f"{posture.name}@example.com", AccountName=posture.name
        )["CreateAccountStatus"]["AccountId"]
        if posture.unit is not None:
            organizations.move_account(
                AccountId=member_id, SourceParentId=root, DestinationParentId=units[posture.unit]
            )
        member = management.assume(member_id)
        _member(member, posture)
        if posture.linked_budget:
            linked.append(member_id)
        planted |= _planted(member, posture)
        where = f"OU {posture.unit}" if posture.unit else "under the root"
        notes.append(f"Member {member_id} ({posture.name}, {where}): {_describe(posture)}.")
    _management(management, linked)
    governance_notes = build_management_governance(lab, management, organizations)
    planted |= management_planted(management, organizations, root, units)
    return BuiltScenario(
        planted=frozenset(planted),
        regions=REGIONS,
        notes=(
            *notes,
            *governance_notes,
            "Only the organization checks and budgets.budget_with_alert are enumerated; the members are "
            "otherwise default moto accounts, so the other checks are unplanned.",
            "Member findings that only the organization can decide are resolved in organization-summary.json "
            "(SCPs from the management account; budgets.budget_with_alert of a member capped by a "
            "linked-account budget).",
        ),
        unplanned_checks=frozenset(set(all_checks()) - ENUMERATED_CHECKS),
        counts={"members": int(params["members"])},
    )


def _describe(posture: Posture) -> str:
    parts = ["audit role present" if posture.audit_role else "no audit role (AssumeRole refused)"]
    if posture.rootless:
        parts.append("root user without password, access keys or MFA")
    if posture.own_budget:
        parts.append("own budget with an alert")
    elif posture.linked_budget:
        parts.append("no own budget; capped by a linked-account budget in the management account")
    else:
        parts.append("no budget anywhere")
    return ", ".join(parts)


def _planted(member: LabAccount, posture: Posture) -> set[Planted]:
    planted = set()
    if posture.unit in WEAKLY_GUARDED:
        # Judged in the management account's scan (and, when scanned, in the member's own).
        planted.add(Planted("organizations.scp_guardrails", member.root_arn))
    if not posture.audit_role:
        planted.add(Planted("organizations.audit_role_reachable", member.root_arn))
        return planted  # never scanned: every one of its own checks is UNKNOWN
    if not posture.rootless:
        planted.add(Planted("iam.root_mfa", member.root_arn))  # moto's root has no MFA
    if not posture.own_budget and not posture.linked_budget:
        # A member capped by a linked-account budget passes through the organization context.
        planted.add(Planted("budgets.budget_with_alert", member.root_arn))
    if not posture.own_budget and not posture.linked_budget:
        planted.add(Planted("organizations.member_budgets", member.root_arn))
    return planted


def _budget(name: str, filters: dict[str, list[str]] | None = None) -> dict[str, Any]:
    budget: dict[str, Any] = {
        "BudgetName": name,
        "BudgetLimit": {"Amount": "1000", "Unit": "USD"},
        "TimeUnit": "MONTHLY",
        "BudgetType": "COST",
    }
    if filters:
        budget["CostFilters"] = filters
    return budget


_ALERT = [
    {
        "Notification": {
            "NotificationType": "ACTUAL",
            "ComparisonOperator": "GREATER_THAN",
            "Threshold": 80.0,
            "ThresholdType": "PERCENTAGE",
        },
        "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "finops@example.com"}],
    }
]


def _member(member: LabAccount, posture: Posture) -> None:
    if posture.rootless:
        make_rootless(member.account_id)
    if not posture.audit_role:
        # CreateAccount made the role, as AWS does; this member's administrators deleted it.
        member.client("iam").delete_role(RoleName=AUDIT_ROLE)
    else:
        # AWS gives the role administrator permissions; moto creates it with none.
        member.client("iam").put_role_policy(
            RoleName=AUDIT_ROLE,
            PolicyName="AdministratorAccess",
            PolicyDocument=policy_json({"Effect": "Allow", "Action": "*", "Resource": "*"}),
        )
    if posture.own_budget:
        member.client("budgets").create_budget(
            AccountId=member.account_id,
            Budget=_budget("monthly-cost"),
            NotificationsWithSubscribers=_ALERT,
        )


def _management(management: LabAccount, linked: list[str]) -> None:
    budgets = management.client("budgets")
    budgets.create_budget(
        AccountId=management.account_id,
        Budget=_budget("organization-monthly"),
        NotificationsWithSubscribers=_ALERT,
    )
    for member_id in linked:
        budgets.create_budget(
            AccountId=management.account_id,
            Budget=_budget(f"member-{member_id}", {"LinkedAccount": [member_id]}),
            NotificationsWithSubscribers=_ALERT,
        )
    management.client("ec2", HOME).run_instances(
        ImageId="ami-12c6146b", InstanceType="t3.micro", MinCount=1, MaxCount=1
    )
    _organization_trail(management)


def _organization_trail(management: LabAccount) -> None:
    """A multi-region organization trail delivering to CloudWatch Logs; no metric filters yet."""
    bucket = f"organization-trail-{management.account_id}"
    management.client("s3", HOME).create_bucket(Bucket=bucket)
    log_group = "organization-trail"
    management.client("logs", HOME).create_log_group(logGroupName=log_group)
    role = management.client("iam").create_role(
        RoleName="cloudtrail-to-logs",
        AssumeRolePolicyDocument=policy_json(
            {
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
    )["Role"]["Arn"]
    cloudtrail = management.client("cloudtrail", HOME)
    cloudtrail.create_trail(
        Name=ORGANIZATION_TRAIL,
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=f"arn:aws:logs:{HOME}:{management.account_id}:log-group:{log_group}:*",
        CloudWatchLogsRoleArn=role,
    )
    cloudtrail.put_event_selectors(
        TrailName=ORGANIZATION_TRAIL,
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    cloudtrail.start_logging(Name=ORGANIZATION_TRAIL)


# ----------------------------------------------------------------- AssumeRole refusal
_ROLE_ARN = re.compile(r"^arn:[\w-]+:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)$")


class AuditRoleGate:
    """A client hook: AssumeRole into a role that does not exist is refused with AccessDenied, as in AWS.

    The role is looked up with IAM GetRole in the target account (moto selects the account from the
    ``x-moto-account-id`` header), so this works against an embedded lab and `awsaudit lab serve` alike.
    The role's trust policy is not evaluated.
    """

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._iam: Any = None
        self._target = threading.local()  # the account the current thread's GetRole asks about
        self._lock = threading.Lock()

    def __call__(self, client: Any) -> None:
        if client.meta.service_model.service_name == "sts":
            client.meta.events.register_first("before-send.sts.AssumeRole", self._refuse_missing_role)

    def _refuse_missing_role(self, request: Any, **_: Any) -> Any:
        body = request.body.decode() if isinstance(request.body, bytes) else str(request.body or "")
        role_arn = (parse_qs(body).get("RoleArn") or [""])[0]
        match = _ROLE_ARN.match(role_arn)
        if match is None or self._role_exists(*match.groups()):
            return None
        return _error_response(
            request.url,
            "AccessDenied",
            f"User is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
        )

    def _role_exists(self, account_id: str, role_name: str) -> bool:
        from botocore.exceptions import ClientError

        self._target.account_id = account_id
        try:
            self._lookup_client().get_role(RoleName=role_name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "NoSuchEntity":
                return False
            raise
        return True

    def _lookup_client(self) -> Any:
        """One IAM client; moto serves each of its requests from the account the calling thread names."""
        with self._lock:
            if self._iam is None:
                self._iam = _lab_session(HOME).client("iam", endpoint_url=self.endpoint_url)
                self._iam.meta.events.register("before-send.iam", self._select_account)
            return self._iam

    def _select_account(self, request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = self._target.account_id


def _lab_session(region: str) -> Any:
    import boto3

    from awsaudit.collect.client_classes import share_client_classes
    from awsaudit.collect.models import share_models
    from awsaudit.lab.server import LAB_ENVIRONMENT

    session = boto3.Session(
        aws_access_key_id=LAB_ENVIRONMENT["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=LAB_ENVIRONMENT["AWS_SECRET_ACCESS_KEY"],
        region_name=region,
    )
    # The models and client classes the collection made already (this runs in the scan's process).
    share_models(session)
    share_client_classes(session)
    return session


def _error_response(url: str, code: str, message: str) -> Any:
    from awsaudit.lab.responses import canned_response

    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message></Error>"
        "<RequestId>awsaudit-lab</RequestId></ErrorResponse>"
    ).encode()
    return canned_response(url, 403, {"Content-Type": "text/xml"}, body)


def lab_hooks(lab: Lab) -> tuple[Callable[[Any], None], ...]:
    """The lab's client hooks plus the organization emulation (AssumeRole refusal, shadow trails)."""
    return (OrganizationLabHooks(lab.endpoint_url),)


class OrganizationLabHooks:
    """Every lab client hook as one picklable hook: a task process rebuilds them from the endpoint.

    The lab's own hooks come from a Lab that reads the emulated state from the server, so they work
    in any process that can reach it.
    """

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._hooks: tuple[Callable[[Any], None], ...] | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, str]:
        return {"endpoint_url": self.endpoint_url}

    def __setstate__(self, state: dict[str, str]) -> None:
        self.__init__(state["endpoint_url"])  # type: ignore[misc]

    def __call__(self, client: Any) -> None:
        for hook in self._all():
            hook(client)

    def _all(self) -> tuple[Callable[[Any], None], ...]:
        from awsaudit.lab.server import Lab

        with self._lock:
            if self._hooks is None:
                lab = Lab(endpoint_url=self.endpoint_url)
                self._hooks = (
                    *lab.client_hooks(),
                    AuditRoleGate(self.endpoint_url),
                    OrganizationTrailShadows(self.endpoint_url),
                )
            return self._hooks


# ----------------------------------------------------------------- organization trails seen by members
_TRAIL_ARN = re.compile(r"^arn:[\w-]+:cloudtrail:[\w-]+:(\d{12}):trail/")


def _credentials_of(client: Any) -> Any:
    return client._request_signer._credentials  # the lab's own key, or an assumed role's


class OrganizationTrailShadows:
    """A client hook: member accounts see the organization's trails, as in AWS.

    moto keeps an organization trail in its owner's account only. In AWS every member account's
    DescribeTrails lists it (a shadow trail), and GetTrailStatus / GetEventSelectors answer for it
    by ARN. Here DescribeTrails gets the management account's organization trails appended, and
    those two calls are served from the owner's state (moto's ``x-moto-account-id`` header).
    """

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._membership: dict[str, tuple[str, str | None]] = {}  # access key -> (account, management)
        self._trails: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self._session = _lab_session(HOME)  # one session: every account's lookups reuse its loaded models

    def __call__(self, client: Any) -> None:
        if client.meta.service_model.service_name != "cloudtrail":
            return
        credentials = _credentials_of(client)
        region = client.meta.region_name

        def add_shadows(parsed: dict[str, Any], **_: Any) -> None:
            management = self._member_of(credentials)[1]
            if management is None:
                return
            listed = {t.get("TrailARN") for t in parsed.get("trailList", [])}
            for trail in self._organization_trails(management, region):
                if trail["TrailARN"] not in listed:
                    parsed.setdefault("trailList", []).append(dict(trail))

        def from_owner(request: Any, **_: Any) -> None:
            body = json.loads(request.body or b"{}")
            match = _TRAIL_ARN.match(str(body.get("Name") or body.get("TrailName") or ""))
            if match is not None and match.group(1) != self._member_of(credentials)[0]:
                request.headers["x-moto-account-id"] = match.group(1)

        client.meta.events.register("after-call.cloudtrail.DescribeTrails", add_shadows)
        for operation in ("GetTrailStatus", "GetEventSelectors"):
            client.meta.events.register(f"before-send.cloudtrail.{operation}", from_owner)

    def _member_of(self, credentials: Any) -> tuple[str, str | None]:
        """(the caller's account, its organization's management account when the caller is a member)."""
        from botocore.exceptions import ClientError

        frozen = credentials.get_frozen_credentials()
        known = self._membership.get(frozen.access_key)
        if known is not None:
            return known
        # Looked up without holding the lock: two threads may both ask, never one for all accounts.
        account = str(self._client("sts", frozen).get_caller_identity()["Account"])
        try:
            organization = self._client("organizations", frozen).describe_organization()
            management: str | None = str(organization["Organization"]["MasterAccountId"])
        except ClientError:
            management = None
        membership = (account, None if management == account else management)
        with self._lock:
            self._membership[frozen.access_key] = membership
        return membership

    def _client(self, service: str, frozen: Any) -> Any:
        with self._lock:  # a boto3 Session makes clients for one thread at a time
            return self._session.client(
                service,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=frozen.access_key,
                aws_secret_access_key=frozen.secret_key,
                aws_session_token=frozen.token,
            )

    def _organization_trails(self, management: str, region: str) -> list[dict[str, Any]]:
        known = self._trails.get((management, region))
        if known is not None:
            return known
        with self._lock:
            client = self._session.client("cloudtrail", region_name=region, endpoint_url=self.endpoint_url)

        def select_account(request: Any, **_: Any) -> None:
            request.headers["x-moto-account-id"] = management

        client.meta.events.register("before-send.cloudtrail", select_account)
        trails = client.describe_trails(includeShadowTrails=True).get("trailList", [])
        found = [t for t in trails if t.get("IsOrganizationTrail")]
        with self._lock:
            self._trails[(management, region)] = found
        return found
