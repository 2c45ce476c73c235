"""Lab answers, in AWS's documented wire shapes, for the exposure and threat-detection calls moto lacks.

moto has no backend (or a wrong default) for: EBS snapshot and AMI block public access, the
RestorableByUserIds filter, regional access point listing, Glacier vault policies, Lambda function
URL listing, GuardDuty's organization configuration and findings, Macie's discovery settings and
jobs, Inspector's account status, Security Hub's enabled standards, Access Analyzer findings and
Multi-Region Access Points.
Scenarios put what those calls should return into ``EmulatedExposure`` (plain JSON, so a lab served in
another process hands it over through the state endpoint); without an entry, each call answers what
AWS answers for an account that never turned the feature on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from urllib.parse import unquote
from xml.sax.saxutils import escape

from awsaudit.lab.responses import canned_response

Region = str


@dataclass
class EmulatedExposure:
    snapshot_block: dict[Region, str] = field(default_factory=dict)  # region -> State
    image_block: dict[Region, str] = field(default_factory=dict)  # region -> ImageBlockPublicAccessState
    public_snapshots: list[str] = field(default_factory=list)  # snapshot ids restorable by all
    vault_policies: dict[Region, dict[str, str]] = field(default_factory=dict)  # vault -> policy JSON
    function_urls: dict[Region, dict[str, list[dict[str, str]]]] = field(default_factory=dict)
    guardduty_administration: dict[Region, dict[str, Any]] = field(default_factory=dict)  # wire shape
    guardduty_administrator: dict[Region, dict[str, Any]] = field(default_factory=dict)  # wire shape
    guardduty_findings: dict[Region, list[dict[str, Any]]] = field(default_factory=dict)  # wire shape
    macie: dict[Region, dict[str, Any]] = field(default_factory=dict)  # {automated, jobs}
    inspector: dict[Region, dict[str, str]] = field(default_factory=dict)  # ec2/ecr/lambda -> status
    securityhub_standards: dict[Region, list[str]] = field(default_factory=dict)  # standards ARNs
    analyzer_findings: dict[Region, list[dict[str, Any]]] = field(default_factory=dict)  # wire shape
    access_point_regions: dict[str, Region] = field(default_factory=dict)  # access point name -> region
    multi_region_access_points: dict[str, dict[str, str]] = field(
        default_factory=dict
    )  # name -> Alias, Policy

    def clear(self) -> None:
        for item in fields(self):
            getattr(self, item.name).clear()

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def update(self, state: Mapping[str, Any]) -> None:
        for item in fields(self):
            if item.name in state:
                setattr(self, item.name, state[item.name])


Answer = Callable[[EmulatedExposure, Region, Any], Any]
_JSON = {"Content-Type": "application/json"}
_XML = {"Content-Type": "text/xml"}


def _json(request: Any, body: Any, status: int = 200) -> Any:
    return canned_response(request.url, status, _JSON, json.dumps(body).encode())


def _json_error(request: Any, status: int, code: str, message: str) -> Any:
    headers = {**_JSON, "x-amzn-ErrorType": code}
    return canned_response(request.url, status, headers, json.dumps({"message": message}).encode())


def _xml(request: Any, body: str) -> Any:
    return canned_response(request.url, 200, _XML, body.encode())


def _path_part(request: Any, after: str) -> str:
    return unquote(str(request.url).split(after, 1)[1].split("/", 1)[0].split("?", 1)[0])


def _body(request: Any) -> dict[str, Any]:
    raw = request.body or b"{}"
    parsed = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
    return parsed if isinstance(parsed, dict) else {}


_EC2_NS = "http://ec2.amazonaws.com/doc/2016-11-15/"


def _snapshot_block(state: EmulatedExposure, region: Region, request: Any) -> Any:
    value = escape(state.snapshot_block.get(region, "unblocked"))
    return _xml(
        request,
        f'<GetSnapshotBlockPublicAccessStateResponse xmlns="{_EC2_NS}"><requestId>lab</requestId>'
        f"<state>{value}</state><managedBy>account</managedBy></GetSnapshotBlockPublicAccessStateResponse>",
    )


def _image_block(state: EmulatedExposure, region: Region, request: Any) -> Any:
    value = escape(state.image_block.get(region, "unblocked"))
    return _xml(
        request,
        f'<GetImageBlockPublicAccessStateResponse xmlns="{_EC2_NS}"><requestId>lab</requestId>'
        f"<imageBlockPublicAccessState>{value}</imageBlockPublicAccessState><managedBy>account</managedBy>"
        "</GetImageBlockPublicAccessStateResponse>",
    )


def _vault_policy(state: EmulatedExposure, region: Region, request: Any) -> Any:
    vault = _path_part(request, "/vaults/")
    policy = state.vault_policies.get(region, {}).get(vault)
    if policy is None:
        return _json_error(request, 404, "ResourceNotFoundException", f"No vault policy found for: {vault}")
    return _json(request, {"Policy": policy})


def _function_urls(state: EmulatedExposure, region: Region, request: Any) -> Any:
    name = _path_part(request, "/functions/")
    configs = state.function_urls.get(region, {}).get(name.rsplit(":", 1)[-1], [])
    return _json(request, {"FunctionUrlConfigs": configs})


def _guardduty_organization(state: EmulatedExposure, region: Region, request: Any) -> Any:
    configuration = state.guardduty_administration.get(region)
    if configuration is None:
        return _json_error(
            request,
            400,
            "BadRequestException",
            "The request is rejected because the current account is not the delegated administrator.",
        )
    return _json(request, configuration)


def _guardduty_administrator(state: EmulatedExposure, region: Region, request: Any) -> Any:
    administrator = state.guardduty_administrator.get(region)
    return None if administrator is None else _json(request, {"administrator": administrator})


def _guardduty_finding_ids(state: EmulatedExposure, region: Region, request: Any) -> Any:
    criteria = _body(request).get("findingCriteria", {}).get("criterion", {})
    severity = criteria.get("severity", {})
    floor = float(severity.get("greaterThanOrEqual", severity.get("gte", 0)))
    wanted = [
        f["id"]
        for f in state.guardduty_findings.get(region, [])
        if float(f["severity"]) >= floor and not f.get("service", {}).get("archived")
    ]
    return _json(request, {"findingIds": wanted})


def _guardduty_findings(state: EmulatedExposure, region: Region, request: Any) -> Any:
    ids = set(_body(request).get("findingIds", []))
    return _json(
        request, {"findings": [f for f in state.guardduty_findings.get(region, []) if f["id"] in ids]}
    )


def _macie_session(state: EmulatedExposure, region: Region, request: Any) -> Any:
    if region not in state.macie:
        return _json_error(request, 403, "AccessDeniedException", "Macie is not enabled.")
    return _json(request, {"status": "ENABLED", "findingPublishingFrequency": "FIFTEEN_MINUTES"})


def _macie_discovery(state: EmulatedExposure, region: Region, request: Any) -> Any:
    return _json(request, {"status": state.macie.get(region, {}).get("automated", "DISABLED")})


def _macie_jobs(state: EmulatedExposure, region: Region, request: Any) -> Any:
    return _json(request, {"items": state.macie.get(region, {}).get("jobs", [])})


def _inspector_status(state: EmulatedExposure, region: Region, request: Any) -> Any:
    enabled = state.inspector.get(region, {})
    accounts = _body(request).get("accountIds", [])
    resource_state = {
        kind: {"status": enabled.get(kind, "DISABLED")} for kind in ("ec2", "ecr", "lambda", "lambdaCode")
    }
    status = "ENABLED" if any(v == "ENABLED" for v in enabled.values()) else "DISABLED"
    return _json(
        request,
        {
            "accounts": [
                {"accountId": account, "state": {"status": status}, "resourceState": resource_state}
                for account in accounts
            ],
            "failedAccounts": [],
        },
    )


def _securityhub_standards(state: EmulatedExposure, region: Region, request: Any) -> Any:
    subscriptions = [
        {
            "StandardsSubscriptionArn": f"{arn}/subscription",
            "StandardsArn": arn,
            "StandardsInput": {},
            "StandardsStatus": "READY",
        }
        for arn in state.securityhub_standards.get(region, [])
    ]
    return _json(request, {"StandardsSubscriptions": subscriptions})


def _analyzer_findings(state: EmulatedExposure, region: Region, request: Any) -> Any:
    statuses = _body(request).get("filter", {}).get("status", {}).get("eq")
    found = [
        f for f in state.analyzer_findings.get(region, []) if statuses is None or f.get("status") in statuses
    ]
    return _json(request, {"findings": found})


_S3_NS = "http://awss3control.amazonaws.com/doc/2018-08-20/"


def _public_access_block(on: bool) -> str:
    """A Multi-Region Access Point's settings, fixed at creation: all on (AWS's default) or all off."""
    value = "true" if on else "false"
    settings = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return "<PublicAccessBlock>" + "".join(f"<{s}>{value}</{s}>" for s in settings) + "</PublicAccessBlock>"


def _multi_region_points(state: EmulatedExposure, region: Region, request: Any) -> Any:
    points = "".join(
        f"<AccessPoint><Name>{escape(name)}</Name><Alias>{escape(point.get('Alias', name))}</Alias>"
        f"{_public_access_block(point.get('PublicAccessBlock') != 'off')}<Status>READY</Status></AccessPoint>"
        for name, point in sorted(state.multi_region_access_points.items())
    )
    return _xml(
        request,
        f'<ListMultiRegionAccessPointsResult xmlns="{_S3_NS}"><AccessPoints>{points}</AccessPoints>'
        "</ListMultiRegionAccessPointsResult>",
    )


def _multi_region_policy(state: EmulatedExposure, region: Region, request: Any) -> Any:
    name = _path_part(request, "/mrap/instances/")
    point = state.multi_region_access_points.get(name)
    if point is None or not point.get("Policy"):
        body = (
            "<Error><Code>NoSuchMultiRegionAccessPointPolicy</Code>"
            "<Message>The specified multi-region access point policy does not exist</Message></Error>"
        )
        return canned_response(request.url, 404, _XML, body.encode())
    return _xml(
        request,
        f'<GetMultiRegionAccessPointPolicyResult xmlns="{_S3_NS}"><Policy><Established><Policy>'
        f"{escape(point['Policy'])}</Policy></Established></Policy></GetMultiRegionAccessPointPolicyResult>",
    )


# botocore's event name of the service -> operation -> answer
ANSWERS: Mapping[str, Mapping[str, Answer]] = {
    "ec2": {
        "GetSnapshotBlockPublicAccessState": _snapshot_block,
        "GetImageBlockPublicAccessState": _image_block,
    },
    "glacier": {"GetVaultAccessPolicy": _vault_policy},
    "lambda": {"ListFunctionUrlConfigs": _function_urls},
    "guardduty": {
        "DescribeOrganizationConfiguration": _guardduty_organization,
        "GetAdministratorAccount": _guardduty_administrator,
        "ListFindings": _guardduty_finding_ids,
        "GetFindings": _guardduty_findings,
    },
    "macie2": {
        "GetMacieSession": _macie_session,
        "GetAutomatedDiscoveryConfiguration": _macie_discovery,
        "ListClassificationJobs": _macie_jobs,
    },
    "inspector2": {"BatchGetAccountStatus": _inspector_status},
    "securityhub": {"GetEnabledStandards": _securityhub_standards},
    "accessanalyzer": {"ListFindings": _analyzer_findings},
    "s3-control": {
        "ListMultiRegionAccessPoints": _multi_region_points,
        "GetMultiRegionAccessPointPolicy": _multi_region_policy,
    },
}


def install(client: Any, state: Callable[[], EmulatedExposure]) -> None:
    """Answer the emulated operations of this client's service from the scenario's state."""
    model = client.meta.service_model
    event_service = model.service_id.hyphenize()
    answers = ANSWERS.get(event_service, {})
    region = client.meta.region_name
    for operation, answer in answers.items():

        def respond(request: Any, answer: Answer = answer, **_: Any) -> Any:
            return answer(state(), region, request)

        client.meta.events.register_first(f"before-send.{event_service}.{operation}", respond)
    if event_service == "ec2":
        _filter_public_snapshots(client, state)
    if event_service == "s3-control":
        _keep_regional_access_points(client, state)


def _keep_regional_access_points(client: Any, state: Callable[[], EmulatedExposure]) -> None:
    """moto keeps access points account-wide (ARNs in us-east-1) and lists them in every region;
    AWS lists a region's own. The scenario records each access point's region."""
    region = client.meta.region_name

    def restrict(parsed: dict[str, Any], **_: Any) -> None:
        regions = state().access_point_regions
        if "AccessPointList" not in parsed:
            return
        kept = []
        for point in parsed["AccessPointList"]:
            home = regions.get(str(point.get("Name")))
            if home is None or home == region:
                if home is not None and "AccessPointArn" in point:
                    parts = str(point["AccessPointArn"]).split(":")
                    point["AccessPointArn"] = ":".join([*parts[:3], home, *parts[4:]])
                kept.append(point)
        parsed["AccessPointList"] = kept

    client.meta.events.register("after-call.s3-control.ListAccessPoints", restrict)


def _filter_public_snapshots(client: Any, state: Callable[[], EmulatedExposure]) -> None:
    """moto ignores DescribeSnapshots' RestorableByUserIds: apply the 'all' filter to its answer."""

    def remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["lab_restorable_by_all"] = params.get("RestorableByUserIds") == ["all"]

    def restrict(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if context.get("lab_restorable_by_all") and "Snapshots" in parsed:
            public = set(state().public_snapshots)
            parsed["Snapshots"] = [s for s in parsed["Snapshots"] if s.get("SnapshotId") in public]

    client.meta.events.register("before-parameter-build.ec2.DescribeSnapshots", remember)
    client.meta.events.register("after-call.ec2.DescribeSnapshots", restrict)
