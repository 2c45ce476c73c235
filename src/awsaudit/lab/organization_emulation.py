"""Organization APIs moto lacks, answered from the scenario's state in AWS's documented shapes.

- ``iam:ListOrganizationsFeatures`` (centralized root access): the management account gets the
  features the scenario enabled; a member is refused, an account of a lab without an organization
  gets ``OrganizationNotFoundException``.
- ``lightsail:GetInstances``: moto has no Lightsail; the lab account's instances come from the
  scenario, every other account has none.
- ``sso:GetPermissionsBoundaryForPermissionSet``: moto does not implement it; a permission set
  without a boundary is answered ``ResourceNotFoundException``, as AWS does.
- ``organizations:ListDelegatedAdministrators`` for Security Hub and AWS Config: moto refuses
  these service principals; AWS lists their delegated administrators (the lab registers none).
- ``sso:ListAccountsForProvisionedPermissionSet``: moto answers only the caller's account; the
  accounts a permission set was assigned to come from the scenario.
- ``sso:DescribeInstance``: moto does not implement it; the scenario's instances are described
  (Name, Status, identity store, owner), an unknown instance is ``ResourceNotFoundException``.
- ``identitystore:ListUsers``: moto's users cannot carry ``ExternalIds``; the identifiers the
  scenario's external identity provider issued are added to its users.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_JSON = "application/x-amz-json-1.1"
# Service principals AWS accepts for delegated administrators and moto does not.
_UNSUPPORTED_BY_MOTO = frozenset({"securityhub.amazonaws.com", "config.amazonaws.com"})


def canned_response(url: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    from awsaudit.lab.responses import canned_response as respond  # botocore only once a hook answers

    return respond(url, status, headers, body)


def _json_error(url: str, code: str, message: str, status: int = 400) -> Any:
    body = json.dumps({"__type": code, "Message": message}).encode()
    return canned_response(url, status, {"Content-Type": _JSON, "x-amzn-ErrorType": code}, body)


def _query_error(url: str, code: str, message: str) -> Any:
    body = (
        '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>'
        f"<Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>awsaudit-lab</RequestId></ErrorResponse>"
    ).encode()
    return canned_response(url, 400, {"Content-Type": "text/xml"}, body)


def _features_response(url: str, organization_id: str, features: list[str]) -> Any:
    members = "".join(f"<member>{feature}</member>" for feature in features)
    body = (
        '<ListOrganizationsFeaturesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">'
        f"<ListOrganizationsFeaturesResult><OrganizationId>{organization_id}</OrganizationId>"
        f"<EnabledFeatures>{members}</EnabledFeatures></ListOrganizationsFeaturesResult>"
        "<ResponseMetadata><RequestId>awsaudit-lab</RequestId></ResponseMetadata>"
        "</ListOrganizationsFeaturesResponse>"
    ).encode()
    return canned_response(url, 200, {"Content-Type": "text/xml"}, body)


@dataclass
class OrganizationEmulation:
    """The emulated state; ``is_lab_account(client)`` tells the lab's own (management) credentials."""

    is_lab_account: Callable[[Any], bool]
    refresh: Callable[[], None]  # reads the state from the serving lab when this one does not serve
    organization_id: str | None = None  # set when the scenario made an organization
    root_access_features: list[str] = field(default_factory=list)
    lightsail_instances: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # region -> instances
    permission_set_boundaries: dict[str, dict[str, Any]] = field(default_factory=dict)  # PS ARN -> boundary
    permission_set_accounts: dict[str, list[str]] = field(default_factory=dict)  # PS ARN -> accounts
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)  # instance ARN -> DescribeInstance
    user_external_ids: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # UserId -> ExternalIds

    def hooks(self) -> tuple[Callable[[Any], None], ...]:
        return (
            self._organizations_features,
            self._lightsail,
            self._permission_set_boundary,
            self._permission_set_accounts,
            self._delegated_administrators,
            self._describe_instance,
            self._external_ids,
        )

    def state(self) -> dict[str, Any]:
        return {
            "organization_id": self.organization_id,
            "root_access_features": self.root_access_features,
            "lightsail_instances": self.lightsail_instances,
            "permission_set_boundaries": self.permission_set_boundaries,
            "permission_set_accounts": self.permission_set_accounts,
            "instances": self.instances,
            "user_external_ids": self.user_external_ids,
        }

    def load(self, state: dict[str, Any]) -> None:
        self.organization_id = state.get("organization_id")
        self.root_access_features = list(state.get("root_access_features") or [])
        self.lightsail_instances = dict(state.get("lightsail_instances") or {})
        self.permission_set_boundaries = dict(state.get("permission_set_boundaries") or {})
        self.permission_set_accounts = dict(state.get("permission_set_accounts") or {})
        self.instances = dict(state.get("instances") or {})
        self.user_external_ids = dict(state.get("user_external_ids") or {})

    def clear(self) -> None:
        self.load({})

    def _organizations_features(self, client: Any) -> None:
        if client.meta.service_model.service_name != "iam":
            return
        management = self.is_lab_account(client)

        def answer(request: Any, **_: Any) -> Any:
            self.refresh()
            if self.organization_id is None:
                return _query_error(
                    request.url,
                    "OrganizationNotFoundException",
                    "The account is not part of an organization.",
                )
            if not management:
                return _query_error(
                    request.url,
                    "AccountNotManagementOrDelegatedAdministratorException",
                    "The request was rejected because the account is not the management account or a "
                    "delegated administrator.",
                )
            return _features_response(request.url, self.organization_id, self.root_access_features)

        client.meta.events.register_first("before-send.iam.ListOrganizationsFeatures", answer)

    def _lightsail(self, client: Any) -> None:
        if client.meta.service_model.service_name != "lightsail":
            return
        region = client.meta.region_name
        own = self.is_lab_account(client)

        def answer(request: Any, **_: Any) -> Any:
            self.refresh()
            instances = self.lightsail_instances.get(region, []) if own else []
            body = json.dumps({"instances": instances}).encode()
            return canned_response(request.url, 200, {"Content-Type": _JSON}, body)

        client.meta.events.register_first("before-send.lightsail.GetInstances", answer)

    def _permission_set_boundary(self, client: Any) -> None:
        if client.meta.service_model.service_name != "sso-admin":
            return

        def answer(request: Any, **_: Any) -> Any:
            self.refresh()
            arn = str(json.loads(request.body or b"{}").get("PermissionSetArn"))
            boundary = self.permission_set_boundaries.get(arn)
            if boundary is None:
                return _json_error(
                    request.url,
                    "ResourceNotFoundException",
                    "The permission set has no permissions boundary.",
                )
            body = json.dumps({"PermissionsBoundary": boundary}).encode()
            return canned_response(request.url, 200, {"Content-Type": _JSON}, body)

        client.meta.events.register_first(
            "before-send.sso-admin.GetPermissionsBoundaryForPermissionSet", answer
        )

    def _permission_set_accounts(self, client: Any) -> None:
        if client.meta.service_model.service_name != "sso-admin":
            return

        def answer(request: Any, **_: Any) -> Any:
            self.refresh()
            arn = str(json.loads(request.body or b"{}").get("PermissionSetArn"))
            if arn not in self.permission_set_accounts:
                return None
            body = json.dumps({"AccountIds": self.permission_set_accounts[arn]}).encode()
            return canned_response(request.url, 200, {"Content-Type": _JSON}, body)

        event = "before-send.sso-admin.ListAccountsForProvisionedPermissionSet"
        client.meta.events.register_first(event, answer)

    def _describe_instance(self, client: Any) -> None:
        if client.meta.service_model.service_name != "sso-admin":
            return

        def answer(request: Any, **_: Any) -> Any:
            self.refresh()
            arn = str(json.loads(request.body or b"{}").get("InstanceArn"))
            # moto creates an instance in every region it is asked about; a scenario describes its own,
            # the others are described as AWS describes a plain active instance.
            described = self.instances.get(arn, {"Status": "ACTIVE"})
            body = json.dumps({"InstanceArn": arn, **described}).encode()
            return canned_response(request.url, 200, {"Content-Type": _JSON}, body)

        client.meta.events.register_first("before-send.sso-admin.DescribeInstance", answer)

    def _external_ids(self, client: Any) -> None:
        if client.meta.service_model.service_name != "identitystore":
            return

        def add(parsed: dict[str, Any], **_: Any) -> None:
            self.refresh()
            for user in parsed.get("Users") or []:
                issued = self.user_external_ids.get(str(user.get("UserId")))
                if issued:
                    user["ExternalIds"] = issued

        client.meta.events.register("after-call.identitystore.ListUsers", add)

    def _delegated_administrators(self, client: Any) -> None:
        if client.meta.service_model.service_name != "organizations" or not self.is_lab_account(client):
            return

        def answer(request: Any, **_: Any) -> Any:
            principal = json.loads(request.body or b"{}").get("ServicePrincipal")
            if principal not in _UNSUPPORTED_BY_MOTO:
                return None
            body = json.dumps({"DelegatedAdministrators": []}).encode()
            return canned_response(request.url, 200, {"Content-Type": _JSON}, body)

        client.meta.events.register_first("before-send.organizations.ListDelegatedAdministrators", answer)
