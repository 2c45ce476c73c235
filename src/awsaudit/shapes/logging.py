"""Shapes of the logging, monitoring and threat-detection datasets (collect/services/cloudtrail.py,
cloudwatch.py, logs.py, config.py, sns.py, securityhub.py, guardduty.py, macie.py, inspector.py)."""

from __future__ import annotations

from awsaudit.shapes.language import (
    Bool,
    Int,
    ListOf,
    MapOf,
    Nullable,
    Num,
    Obj,
    Shape,
    Str,
    list_of,
)

_FIELD_SELECTOR = Obj(
    {"Field": Str},
    Equals=ListOf(Str),
    NotEquals=ListOf(Str),
    StartsWith=ListOf(Str),
    NotStartsWith=ListOf(Str),
    EndsWith=ListOf(Str),
    NotEndsWith=ListOf(Str),
)
_EVENT_SELECTORS = Obj(
    EventSelectors=ListOf(
        Obj(
            ReadWriteType=Str,
            IncludeManagementEvents=Bool,
            ExcludeManagementEventSources=ListOf(Str),
            DataResources=ListOf(Obj({"Type": Str}, Values=ListOf(Str))),
        )
    ),
    AdvancedEventSelectors=ListOf(Obj({"FieldSelectors": ListOf(_FIELD_SELECTOR)}, Name=Str)),
)
_TRAIL = Obj(
    {"TrailARN": Str, "Name": Str, "HomeRegion": Str, "IsMultiRegionTrail": Bool},
    IsOrganizationTrail=Bool,
    IncludeGlobalServiceEvents=Bool,
    LogFileValidationEnabled=Bool,
    KmsKeyId=Str,
    S3BucketName=Str,
    CloudWatchLogsLogGroupArn=Str,
    Status=Obj(
        {"IsLogging": Bool},
        LatestCloudWatchLogsDeliveryTime=Str,
        LatestCloudWatchLogsDeliveryError=Str,
        LatestDeliveryError=Str,
    ),
    EventSelectors=_EVENT_SELECTORS,
)

_METRIC_STAT = Obj(
    Metric=Obj(MetricName=Str, Namespace=Str, Dimensions=ListOf(Obj({"Name": Str, "Value": Str}))),
    Stat=Str,
    Period=Int,
    Unit=Str,
)
_ALARM = Obj(
    {"AlarmArn": Str, "AlarmName": Str, "ActionsEnabled": Bool, "AlarmActions": ListOf(Str)},
    MetricName=Str,
    Namespace=Str,
    Statistic=Str,
    ExtendedStatistic=Str,
    Dimensions=ListOf(Obj({"Name": Str, "Value": Str})),
    Period=Int,
    EvaluationPeriods=Int,
    DatapointsToAlarm=Int,
    Threshold=Num,
    ComparisonOperator=Str,
    Unit=Str,
    Metrics=ListOf(Obj({"Id": Str}, MetricStat=_METRIC_STAT, ReturnData=Bool, Expression=Str)),
)
_METRIC_FILTER = Obj(
    {
        "filterName": Str,
        "logGroupName": Str,
        "filterPattern": Str,
        "metricTransformations": ListOf(
            Obj({"metricName": Str, "metricNamespace": Str}, metricValue=Str, defaultValue=Num)
        ),
    }
)

_STATUS = Obj(Status=Str)
_DETECTOR = Obj(
    {"DetectorId": Str},
    Detector=Obj(
        {"Status": Str},
        DataSources=Obj(
            S3Logs=_STATUS,
            Kubernetes=Obj(AuditLogs=_STATUS),
            MalwareProtection=Obj(ScanEc2InstanceWithFindings=Obj(EbsVolumes=_STATUS)),
        ),
        Features=ListOf(Obj({"Name": Str, "Status": Str})),
    ),
    Administrator=Nullable(Obj(AccountId=Str, RelationshipStatus=Str)),
    OrganizationConfiguration=Nullable(Obj(AutoEnable=Bool, AutoEnableOrganizationMembers=Str)),
    SevereFindings=Obj(
        {"Count": Int, "Findings": ListOf(Obj(Id=Nullable(Str), Severity=Nullable(Num), Type=Nullable(Str)))}
    ),
)

SHAPES: dict[str, Shape] = {
    "cloudtrail/Trails": ListOf(_TRAIL, unique="TrailARN"),
    "cloudwatch/MetricAlarms": ListOf(_ALARM, unique="AlarmArn"),
    "logs/MetricFilters": ListOf(_METRIC_FILTER),
    "logs/ResourcePolicies": list_of("policyName", policyDocument=Str),
    "config/ConfigurationRecorders": ListOf(
        Obj(
            {"name": Str},
            roleARN=Str,
            recordingGroup=Obj(
                allSupported=Bool,
                includeGlobalResourceTypes=Bool,
                resourceTypes=ListOf(Str),
                recordingStrategy=Obj(useOnly=Str),
            ),
        ),
        unique="name",
    ),
    "config/ConfigurationRecorderStatus": ListOf(
        Obj({"name": Str, "recording": Bool}, lastStatus=Str), unique="name"
    ),
    "config/DeliveryChannels": ListOf(Obj({"name": Str}, s3BucketName=Str, snsTopicARN=Str), unique="name"),
    "sns/Subscriptions": ListOf(
        Obj({"SubscriptionArn": Str, "TopicArn": Str}, Protocol=Str, Endpoint=Str, Owner=Str)
    ),
    "sns/Topics": list_of("TopicArn", Attributes=MapOf(Str)),
    "securityhub/Hub": Obj({"Enabled": Bool}, HubArn=Str, SubscribedAt=Str),
    "securityhub/EnabledStandards": list_of(
        "StandardsSubscriptionArn", StandardsArn=Str, StandardsStatus=Str
    ),
    "guardduty/Detectors": ListOf(_DETECTOR, unique="DetectorId"),
    "macie2/Macie": Obj(
        {"Session": Obj({"status": Str})},
        AutomatedDiscovery=Nullable(Obj(status=Str)),
        ClassificationJobs=ListOf(
            Obj(
                jobId=Str,
                jobStatus=Str,
                bucketDefinitions=ListOf(Obj(accountId=Str, buckets=ListOf(Str))),
            )
        ),
    ),
    "inspector2/AccountStatus": Obj(
        accountId=Str, state=Obj(status=Str), resourceState=MapOf(Obj(status=Str))
    ),
}
