"""Shapes of the IAM, Access Analyzer and Identity Center datasets (collect/services/iam.py,
identity_center.py, organization_tree.py)."""

from __future__ import annotations

from awsaudit.shapes.language import (
    Bool,
    Either,
    Int,
    ListOf,
    Nullable,
    Obj,
    OneOf,
    Shape,
    Str,
    UniqueStrings,
    list_of,
)

# A policy document as boto3 hands it over (decoded to an object) or as its JSON text; what it says
# is judged by the policy parser, which reports an unreadable document itself.
POLICY_DOCUMENT = Either(Obj(), Str)

_INLINE_POLICIES = ListOf(Obj({"PolicyName": Str, "PolicyDocument": POLICY_DOCUMENT}), unique="PolicyName")
_ATTACHED = ListOf(Obj({"PolicyArn": Str}, PolicyName=Str), unique="PolicyArn")
_BOUNDARY = Obj({"PermissionsBoundaryArn": Str}, PermissionsBoundaryType=Str)

# AWS marks every member of these details optional and leaves out a list that would be empty
# (a user without inline policies has no UserPolicyList): an absent list is "none", a present one
# must be a list of the right items.
_USER = Obj(
    {"UserName": Str, "Arn": Str},
    UserId=Str,
    Path=Str,
    UserPolicyList=_INLINE_POLICIES,
    AttachedManagedPolicies=_ATTACHED,
    GroupList=UniqueStrings(),
    PermissionsBoundary=_BOUNDARY,
)
_GROUP = Obj(
    {"GroupName": Str, "Arn": Str},
    GroupId=Str,
    Path=Str,
    GroupPolicyList=_INLINE_POLICIES,
    AttachedManagedPolicies=_ATTACHED,
)
_ROLE = Obj(
    {"RoleName": Str, "Arn": Str, "AssumeRolePolicyDocument": POLICY_DOCUMENT},
    RoleId=Str,
    Path=Str,
    RolePolicyList=_INLINE_POLICIES,
    AttachedManagedPolicies=_ATTACHED,
    PermissionsBoundary=_BOUNDARY,
    InstanceProfileList=ListOf(Obj({"Arn": Str})),
    RoleLastUsed=Obj(LastUsedDate=Str, Region=Str),
)
_MANAGED_POLICY = Obj(
    {
        "Arn": Str,
        "DefaultVersionId": Str,
        "PolicyVersionList": ListOf(
            Obj({"VersionId": Str, "IsDefaultVersion": Bool}, Document=POLICY_DOCUMENT), unique="VersionId"
        ),
    },
    PolicyName=Str,
    AttachmentCount=Int,
    PolicyId=Str,
    IsAttachable=Bool,
)

# Credential report cells are text; analyze/iam/credential_report.py reads the flags strictly.
_REPORT_FLAG = OneOf("true", "false", "N/A", "not_supported", "no_information")
_REPORT_ROW = Obj(
    {"user": Str, "arn": Str},
    password_enabled=_REPORT_FLAG,
    mfa_active=_REPORT_FLAG,
    access_key_1_active=_REPORT_FLAG,
    access_key_2_active=_REPORT_FLAG,
    cert_1_active=_REPORT_FLAG,
    cert_2_active=_REPORT_FLAG,
    password_last_used=Str,
    password_last_changed=Str,
    access_key_1_last_rotated=Str,
    access_key_2_last_rotated=Str,
    access_key_1_last_used_date=Str,
    access_key_2_last_used_date=Str,
    user_creation_time=Str,
)

_PASSWORD_POLICY = Obj(
    MinimumPasswordLength=Int,
    RequireSymbols=Bool,
    RequireNumbers=Bool,
    RequireUppercaseCharacters=Bool,
    RequireLowercaseCharacters=Bool,
    AllowUsersToChangePassword=Bool,
    ExpirePasswords=Bool,
    MaxPasswordAge=Int,
    PasswordReusePrevention=Int,
    HardExpiry=Bool,
)

_PERMISSION_SET = Obj(
    {"PermissionSetArn": Str},
    Name=Str,
    AttachedManagedPolicies=ListOf(Obj({"Arn": Str}, Name=Str)),
    CustomerManagedPolicyReferences=ListOf(Obj({"Name": Str}, Path=Str)),
    InlinePolicy=Nullable(POLICY_DOCUMENT),
    PermissionsBoundary=Nullable(Obj(ManagedPolicyArn=Str)),
    AccountAssignments=ListOf(Obj({"AccountId": Str, "PrincipalType": Str, "PrincipalId": Str})),
)

SHAPES: dict[str, Shape] = {
    "iam/AccountAuthorizationDetails": Obj(
        {
            "UserDetailList": ListOf(_USER, unique="Arn"),
            "GroupDetailList": ListOf(_GROUP, unique="Arn"),
            "RoleDetailList": ListOf(_ROLE, unique="Arn"),
            "Policies": ListOf(_MANAGED_POLICY, unique="Arn"),
        }
    ),
    "iam/CredentialReport": Obj({"Rows": ListOf(_REPORT_ROW, unique="arn")}, GeneratedTime=Nullable(Str)),
    "iam/PasswordPolicy": Obj({"PasswordPolicy": Nullable(_PASSWORD_POLICY)}),
    "iam/AccountSummary": Obj(
        {"AccountMFAEnabled": Int, "AccountAccessKeysPresent": Int},
        AccountSigningCertificatesPresent=Int,
        AccountPasswordPresent=Int,
        Users=Int,
    ),
    "iam/VirtualMFADevices": list_of("SerialNumber", User=Obj({"Arn": Str}), EnableDate=Str),
    "iam/SAMLProviders": list_of("Arn", ValidUntil=Str),
    "iam/OpenIDConnectProviders": list_of(
        "Arn", Provider=Obj(Url=Str, ClientIDList=ListOf(Str), ThumbprintList=ListOf(Str))
    ),
    "iam/ServerCertificates": list_of("Arn", Expiration=Str, ServerCertificateName=Str),
    "iam/OrganizationsFeatures": Obj(
        {"EnabledFeatures": UniqueStrings()}, OrganizationId=Nullable(Str), Reason=Str
    ),
    "accessanalyzer/Analyzers": list_of(
        "arn",
        type=Str,
        status=Str,
        ActiveFindings=ListOf(Obj(id=Str, resource=Str, isPublic=Bool, resourceType=Str)),
    ),
    "sso-admin/Instances": list_of(
        "InstanceArn",
        IdentityStoreId=Str,
        PermissionSets=ListOf(_PERMISSION_SET, unique="PermissionSetArn"),
        Groups=ListOf(Obj({"GroupId": Str}, DisplayName=Str), unique="GroupId"),
    ),
}
