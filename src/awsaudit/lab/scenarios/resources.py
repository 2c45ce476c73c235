"""Building blocks the scenarios share: users with credentials, default-VPC lookups, policies."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from awsaudit.lab.clients import LabAccount

ALLOW_ALL_DOCUMENT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


def policy_json(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def create_guarded_organization(management: LabAccount) -> tuple[Any, str]:
    """An organization run from ``management`` with SCPs enabled and a guardrail beyond
    FullAWSAccess on its root; returns its Organizations client and the root id."""
    organizations = management.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    root = str(organizations.list_roots()["Roots"][0]["Id"])
    organizations.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    guardrail = organizations.create_policy(
        Name="deny-leave-organization",
        Description="Member accounts cannot leave the organization",
        Type="SERVICE_CONTROL_POLICY",
        Content=policy_json({"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}),
    )["Policy"]["PolicySummary"]["Id"]
    organizations.attach_policy(PolicyId=guardrail, TargetId=root)
    return organizations, root


def same_account_trust(account: LabAccount) -> str:
    return policy_json(
        {"Effect": "Allow", "Principal": {"AWS": account.root_arn}, "Action": "sts:AssumeRole"}
    )


def service_trust(service: str) -> str:
    return policy_json({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def create_user(
    account: LabAccount, name: str, *, groups: tuple[str, ...] = (), console: bool = False
) -> str:
    """Create a user (in groups, optionally with a console password); returns its ARN."""
    iam = account.client("iam")
    arn = str(iam.create_user(UserName=name)["User"]["Arn"])
    for group in groups:
        iam.add_user_to_group(GroupName=group, UserName=name)
    if console:
        iam.create_login_profile(UserName=name, Password="Lab-Password-0123456789!")
    return arn


def enable_virtual_mfa(account: LabAccount, user_name: str) -> None:
    iam = account.client("iam")
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=user_name)["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName=user_name, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )


def create_access_key(account: LabAccount, user_name: str) -> str:
    return str(account.client("iam").create_access_key(UserName=user_name)["AccessKey"]["AccessKeyId"])


def default_vpc(account: LabAccount, region: str) -> str:
    vpcs = account.client("ec2", region).describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    return str(vpcs["Vpcs"][0]["VpcId"])


def vpc_ids(account: LabAccount, region: str) -> list[str]:
    return [str(v["VpcId"]) for v in account.client("ec2", region).describe_vpcs()["Vpcs"]]


def default_security_group(account: LabAccount, region: str, vpc_id: str) -> dict[str, Any]:
    groups = account.client("ec2", region).describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return dict(groups[0])


def default_network_acl(account: LabAccount, region: str, vpc_id: str) -> str:
    acls = account.client("ec2", region).describe_network_acls(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
    )["NetworkAcls"]
    return str(acls[0]["NetworkAclId"])


def first_subnet(account: LabAccount, region: str, vpc_id: str) -> str:
    subnets = account.client("ec2", region).describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return str(sorted(s["SubnetId"] for s in subnets["Subnets"])[0])


def ingress(
    protocol: str, port: int | None, *, cidr: str | None = None, cidr6: str | None = None
) -> dict[str, Any]:
    """One IpPermissions entry: a port (None: all ports) from an IPv4 and/or IPv6 range."""
    rule: dict[str, Any] = {"IpProtocol": protocol}
    if port is not None:
        rule.update(FromPort=port, ToPort=port)
    if cidr:
        rule["IpRanges"] = [{"CidrIp": cidr}]
    if cidr6:
        rule["Ipv6Ranges"] = [{"CidrIpv6": cidr6}]
    return rule


def self_signed_certificate(common_name: str, expires_in_days: int) -> tuple[str, str]:
    """(certificate PEM, private key PEM) for upload_server_certificate; a year of validity ending then."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=expires_in_days - 365))
        .not_valid_after(now + timedelta(days=expires_in_days))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


# IAM wants at least 1,000 characters of SAML metadata; the certificate is filler (nothing verifies it here).
# The issuer host of GitHub Actions' OIDC tokens.
GITHUB_OIDC = "token.actions.githubusercontent.com"
SAML_METADATA = (
    '<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
    'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">'
    '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
    '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
    + "MIIC"
    + "A" * 900
    + "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
    '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
    'Location="https://idp.example.com/saml/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
)
