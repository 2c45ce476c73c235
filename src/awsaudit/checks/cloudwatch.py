"""CloudWatch checks (guide G4, CIS v7 section 5): monitoring controls and alarm actions.

One table row per control; the judgement is `analyze.logmonitor`, which reads filters by meaning.
Every finding names the account, whatever the outcome, so a control keeps one identity over time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from awsaudit.analyze.logmonitor import (
    ChainOutcome,
    ControlAssessment,
    RegionMonitoringData,
    assess_control,
    requirements,
)
from awsaudit.checks.context import CheckContext, Result
from awsaudit.checks.registry import Needs, Scope, check
from awsaudit.errors import AwsauditError
from awsaudit.findings import Severity
from awsaudit.snapshot import NotCollected

TRAILS = Needs("cloudtrail", "Trails", regional=True)
METRIC_FILTERS = Needs("logs", "MetricFilters", regional=True)
ALARMS = Needs("cloudwatch", "MetricAlarms", regional=True)
SUBSCRIPTIONS = Needs("sns", "Subscriptions", regional=True)
MONITORING_NEEDS = (TRAILS, METRIC_FILTERS, ALARMS, SUBSCRIPTIONS)
TRAIL_SUBCALLS = ("Status", "EventSelectors")
METRIC_NAMESPACE = "CISBenchmark"
REFERENCES = (
    "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html",
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html",
    "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
)


class MalformedMonitoringData(AwsauditError, ValueError):
    """A collected monitoring dataset is not the list of objects AWS returns."""


def any_event(names: Sequence[str], event_source: str | None = None) -> str:
    """A JSON filter pattern matching any of `names`, optionally only from `event_source`."""
    alternatives = " || ".join(f"($.eventName = {name})" for name in names)
    if event_source is None:
        return f"{{ {alternatives} }}"
    return f"{{ ($.eventSource = {event_source}) && ({alternatives}) }}"


@dataclass(frozen=True)
class MonitoredEvents:
    """One CIS monitoring control; `filter_pattern` is the one the remediation installs."""

    control_id: str
    title: str
    subject: str
    severity: Severity
    metric_name: str
    rationale: str
    filter_pattern: str

    @property
    def check_id(self) -> str:
        return f"cloudwatch.monitoring_{self.control_id}"


MONITORED_EVENTS = (
    MonitoredEvents(
        "unauthorized_api_calls",
        "Unauthorized API calls raise an alarm that notifies someone",
        "unauthorized API calls",
        Severity.MEDIUM,
        "UnauthorizedAPICalls",
        "Bursts of denied calls are an early sign of someone probing with stolen or overreaching keys.",
        # Parenthesised so that the exclusions visibly apply to both error codes.
        '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && '
        '($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
    ),
    MonitoredEvents(
        "console_signin_without_mfa",
        "Console sign-ins without MFA raise an alarm that notifies someone",
        "console sign-ins without MFA",
        Severity.MEDIUM,
        "ConsoleSignInWithoutMFA",
        "A password-only console sign-in is the weakest way into the account; each one deserves a look.",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }',
    ),
    MonitoredEvents(
        "root_account_usage",
        "Use of the root user raises an alarm that notifies someone",
        "use of the root user",
        Severity.HIGH,
        "RootAccountUsage",
        "No IAM policy restricts the root user; any use beyond the few tasks that need it must be explained.",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
        '$.eventType != "AwsServiceEvent" }',
    ),
    MonitoredEvents(
        "iam_policy_changes",
        "IAM policy changes raise an alarm that notifies someone",
        "IAM policy changes",
        Severity.MEDIUM,
        "IAMPolicyChanges",
        "A changed policy changes who may do what; an unexpected one may be a privilege escalation.",
        any_event(
            (
                "DeleteGroupPolicy",
                "DeleteRolePolicy",
                "DeleteUserPolicy",
                "PutGroupPolicy",
                "PutRolePolicy",
                "PutUserPolicy",
                "CreatePolicy",
                "DeletePolicy",
                "CreatePolicyVersion",
                "DeletePolicyVersion",
                "AttachRolePolicy",
                "DetachRolePolicy",
                "AttachUserPolicy",
                "DetachUserPolicy",
                "AttachGroupPolicy",
                "DetachGroupPolicy",
            )
        ),
    ),
    MonitoredEvents(
        "cloudtrail_config_changes",
        "CloudTrail configuration changes raise an alarm that notifies someone",
        "CloudTrail configuration changes",
        Severity.HIGH,
        "CloudTrailConfigChanges",
        "Stopping or changing a trail is how an intruder hides later activity; the change itself must alert.",
        any_event(("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging")),
    ),
    MonitoredEvents(
        "console_auth_failures",
        "Console authentication failures raise an alarm that notifies someone",
        "console authentication failures",
        Severity.LOW,
        "ConsoleAuthenticationFailures",
        "Repeated failed console sign-ins show passwords being guessed for the account's users.",
        '{ ($.eventName = "ConsoleLogin") && ($.errorMessage = "Failed authentication") }',
    ),
    MonitoredEvents(
        "kms_cmk_disable_or_deletion",
        "Disabling or scheduling deletion of customer-managed KMS keys raises an alarm that notifies someone",
        "disabling or scheduled deletion of customer-managed KMS keys",
        Severity.MEDIUM,
        "DisableOrDeleteCMK",
        "Data under a disabled or deleted key becomes unreadable; a scheduled deletion can be cancelled "
        "only while someone notices in time.",
        any_event(("DisableKey", "ScheduleKeyDeletion"), "kms.amazonaws.com"),
    ),
    MonitoredEvents(
        "s3_bucket_policy_changes",
        "S3 bucket policy changes raise an alarm that notifies someone",
        "S3 bucket policy changes",
        Severity.MEDIUM,
        "S3BucketPolicyChanges",
        "A changed bucket policy, ACL, CORS, lifecycle or replication rule can expose or remove data.",
        any_event(
            (
                "PutBucketAcl",
                "PutBucketPolicy",
                "PutBucketCors",
                "PutBucketLifecycle",
                "PutBucketReplication",
                "DeleteBucketPolicy",
                "DeleteBucketCors",
                "DeleteBucketLifecycle",
                "DeleteBucketReplication",
            ),
            "s3.amazonaws.com",
        ),
    ),
    MonitoredEvents(
        "config_changes",
        "AWS Config configuration changes raise an alarm that notifies someone",
        "AWS Config configuration changes",
        Severity.MEDIUM,
        "AWSConfigChanges",
        "Stopping the recorder or changing its delivery channel hides later configuration changes.",
        any_event(
            (
                "StopConfigurationRecorder",
                "DeleteDeliveryChannel",
                "PutDeliveryChannel",
                "PutConfigurationRecorder",
            ),
            "config.amazonaws.com",
        ),
    ),
    MonitoredEvents(
        "security_group_changes",
        "Security group changes raise an alarm that notifies someone",
        "security group changes",
        Severity.MEDIUM,
        "SecurityGroupChanges",
        "A changed security group can open a service to the internet.",
        any_event(
            (
                "AuthorizeSecurityGroupIngress",
                "AuthorizeSecurityGroupEgress",
                "RevokeSecurityGroupIngress",
                "RevokeSecurityGroupEgress",
                "CreateSecurityGroup",
                "DeleteSecurityGroup",
                "ModifySecurityGroupRules",
            )
        ),
    ),
    MonitoredEvents(
        "nacl_changes",
        "Network ACL changes raise an alarm that notifies someone",
        "network ACL changes",
        Severity.LOW,
        "NACLChanges",
        "Network ACLs guard whole subnets; a changed entry can open or cut network paths.",
        any_event(
            (
                "CreateNetworkAcl",
                "CreateNetworkAclEntry",
                "DeleteNetworkAcl",
                "DeleteNetworkAclEntry",
                "ReplaceNetworkAclEntry",
                "ReplaceNetworkAclAssociation",
            )
        ),
    ),
    MonitoredEvents(
        "network_gateway_changes",
        "Network gateway changes raise an alarm that notifies someone",
        "network gateway changes",
        Severity.MEDIUM,
        "NetworkGatewayChanges",
        "Gateways connect VPCs to the internet and other networks; a new or moved one opens a way in or out.",
        any_event(
            (
                "CreateCustomerGateway",
                "DeleteCustomerGateway",
                "AttachInternetGateway",
                "CreateInternetGateway",
                "DeleteInternetGateway",
                "DetachInternetGateway",
            )
        ),
    ),
    MonitoredEvents(
        "route_table_changes",
        "Route table changes raise an alarm that notifies someone",
        "route table changes",
        Severity.LOW,
        "RouteTableChanges",
        "A changed route can send traffic through an unexpected gateway.",
        any_event(
            (
                "CreateRoute",
                "CreateRouteTable",
                "ReplaceRoute",
                "ReplaceRouteTableAssociation",
                "DeleteRouteTable",
                "DeleteRoute",
                "DisassociateRouteTable",
            ),
            "ec2.amazonaws.com",
        ),
    ),
    MonitoredEvents(
        "vpc_changes",
        "VPC changes raise an alarm that notifies someone",
        "VPC changes",
        Severity.LOW,
        "VPCChanges",
        "New VPCs, peering connections and ClassicLink links change which networks can reach each other.",
        any_event(
            (
                "CreateVpc",
                "DeleteVpc",
                "ModifyVpcAttribute",
                "AcceptVpcPeeringConnection",
                "CreateVpcPeeringConnection",
                "DeleteVpcPeeringConnection",
                "RejectVpcPeeringConnection",
                "AttachClassicLinkVpc",
                "DetachClassicLinkVpc",
                "DisableVpcClassicLink",
                "EnableVpcClassicLink",
            )
        ),
    ),
    MonitoredEvents(
        "organizations_changes",
        "AWS Organizations changes raise an alarm that notifies someone",
        "AWS Organizations changes",
        Severity.MEDIUM,
        "OrganizationsChanges",
        "Accounts, organizational units and policies of the organization set the guardrails of every member.",
        any_event(
            (
                "AcceptHandshake",
                "AttachPolicy",
                "CreateAccount",
                "CreateOrganizationalUnit",
                "CreatePolicy",
                "DeclineHandshake",
                "DeleteOrganization",
                "DeleteOrganizationalUnit",
                "DeletePolicy",
                "DetachPolicy",
                "DisablePolicyType",
                "EnablePolicyType",
                "InviteAccountToOrganization",
                "LeaveOrganization",
                "MoveAccount",
                "RemoveAccountFromOrganization",
                "UpdatePolicy",
                "UpdateOrganizationalUnit",
            ),
            "organizations.amazonaws.com",
        ),
    ),
)


def remediation(control: MonitoredEvents) -> str:
    """CIS's steps as AWS CLI commands, in the region of the trail's log group."""
    metric = control.metric_name
    return "; ".join(
        (
            "aws cloudtrail update-trail --name <multi-region-trail> --cloud-watch-logs-log-group-arn "
            "<log-group-arn> --cloud-watch-logs-role-arn <role-arn>",
            f"aws logs put-metric-filter --region <log-group-region> --log-group-name <log-group> "
            f"--filter-name {metric} --metric-transformations "
            f"metricName={metric},metricNamespace={METRIC_NAMESPACE},metricValue=1 "
            f"--filter-pattern '{control.filter_pattern}'",
            "aws sns create-topic --region <log-group-region> --name <topic>",
            "aws sns subscribe --region <log-group-region> --topic-arn <topic-arn> --protocol email "
            "--notification-endpoint <address> (the recipient must confirm the subscription)",
            f"aws cloudwatch put-metric-alarm --region <log-group-region> --alarm-name {metric} "
            f"--metric-name {metric} --namespace {METRIC_NAMESPACE} --statistic Sum --period 300 "
            "--threshold 1 --comparison-operator GreaterThanOrEqualToThreshold --evaluation-periods 1 "
            "--alarm-actions <topic-arn>",
        )
    )


@dataclass(frozen=True)
class MonitoringData:
    """Every region's monitoring datasets, and what could not be collected (with the recorded reason)."""

    regions: Mapping[str, RegionMonitoringData]
    not_collected: tuple[Mapping[str, str], ...]


def monitoring_data(ctx: CheckContext) -> MonitoringData:
    regions: dict[str, RegionMonitoringData] = {}
    not_collected: list[dict[str, str]] = []

    def read(need: Needs, region: str) -> list[Mapping[str, Any]] | None:
        try:
            value = ctx.dataset(need.service, need.dataset, region=region)
        except NotCollected as missing:
            not_collected.append({"region": region, "dataset": need.key, "reason": missing.reason})
            return None
        if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
            raise MalformedMonitoringData(f"{need.key} in {region} is not a list of objects")
        return value

    for region in ctx.snapshot.regions:
        trails = read(TRAILS, region)
        for trail in trails or []:
            for subcall in TRAIL_SUBCALLS:
                try:
                    ctx.field(trail, subcall, service=TRAILS.service)
                except NotCollected as missing:
                    not_collected.append(
                        {
                            "region": region,
                            "dataset": f"{TRAILS.key} {subcall} of {trail.get('TrailARN')}",
                            "reason": missing.reason,
                        }
                    )
        regions[region] = RegionMonitoringData(
            trails=trails,
            metric_filters=read(METRIC_FILTERS, region),
            alarms=read(ALARMS, region),
            subscriptions=read(SUBSCRIPTIONS, region),
        )
    return MonitoringData(regions, tuple(not_collected))


def judge_control(ctx: CheckContext, control: MonitoredEvents) -> Result:
    if not ctx.snapshot.regions:
        return ctx.unknown(
            ctx.account_arn(), f"Monitoring of {control.subject} cannot be judged: no region was collected"
        )
    data = monitoring_data(ctx)
    cis_version = ctx.config.cis_version
    assessment = assess_control(control.control_id, cis_version, ctx.account_id, data.regions)
    evidence: dict[str, Any] = {
        "cis_id": requirements(control.control_id, cis_version).cis_id,
        "outcome": assessment.outcome.value,
        "broken_link": assessment.broken_link,
        "reason": assessment.reason,
        **assessment.evidence,
    }
    if assessment.outcome is ChainOutcome.UNDETERMINED and data.not_collected:
        evidence["not_collected"] = list(data.not_collected)
    return _result(ctx, control, assessment, evidence)


def _result(
    ctx: CheckContext, control: MonitoredEvents, assessment: ControlAssessment, evidence: dict[str, Any]
) -> Result:
    subject, reason, resource = control.subject, assessment.reason, ctx.account_arn()
    if assessment.outcome is ChainOutcome.SATISFIED:
        return ctx.passed(resource, f"Monitoring of {subject} is in place: {reason}", evidence)
    if assessment.outcome is ChainOutcome.BROKEN:
        link = (assessment.broken_link or "chain").replace("_", " ")
        return ctx.failed(resource, f"Monitoring of {subject} is broken at the {link}: {reason}", evidence)
    if assessment.outcome is ChainOutcome.ORGANIZATION_TRAIL_ELSEWHERE:
        return ctx.unknown(resource, f"Monitoring of {subject} is not visible here: {reason}", evidence)
    return ctx.unknown(resource, f"Monitoring of {subject} cannot be judged: {reason}", evidence)


def _register(control: MonitoredEvents) -> None:
    def judge(ctx: CheckContext) -> Iterator[Result]:
        yield judge_control(ctx, control)

    check(
        id=control.check_id,
        title=control.title,
        severity=control.severity,
        needs=MONITORING_NEEDS,
        rationale=control.rationale
        + " CIS asks for a multi-region trail delivering to CloudWatch Logs, a metric filter for these "
        "events, an alarm on its metric and an SNS topic with a confirmed subscriber.",
        remediation=remediation(control),
        references=REFERENCES,
    )(judge)


for _control in MONITORED_EVENTS:
    _register(_control)


@check(
    id="cloudwatch.alarm_actions",
    title="CloudWatch alarms notify someone when they fire",
    severity=Severity.LOW,
    scope=Scope.REGION,
    needs=[Needs("cloudwatch", "MetricAlarms", regional=True)],
    rationale=(
        "An alarm with actions disabled or without an alarm action changes state without anyone knowing."
    ),
    remediation=(
        "aws cloudwatch enable-alarm-actions --alarm-names <alarm>; add a target with "
        "aws cloudwatch put-metric-alarm --alarm-name <alarm> ... --alarm-actions <sns-topic-arn>"
    ),
    references=["https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html"],
)
def alarm_actions(ctx: CheckContext) -> Iterator[Result]:
    def resource(alarm: Mapping[str, Any]) -> str:
        return str(alarm["AlarmArn"])

    def judge(alarm: Mapping[str, Any]) -> Result:
        name = alarm.get("AlarmName", resource(alarm))
        actions = list(alarm.get("AlarmActions") or [])
        evidence = {"ActionsEnabled": alarm.get("ActionsEnabled"), "AlarmActions": actions}
        problems = []
        if alarm.get("ActionsEnabled") is not True:
            problems.append("its actions are disabled")
        if not actions:
            problems.append("it has no alarm action")
        if problems:
            return ctx.failed(
                resource(alarm), f"Alarm {name} notifies no one: {' and '.join(problems)}", evidence
            )
        return ctx.passed(resource(alarm), f"Alarm {name} triggers {', '.join(actions)}", evidence)

    return ctx.each(ctx.dataset("cloudwatch", "MetricAlarms"), resource, judge)
