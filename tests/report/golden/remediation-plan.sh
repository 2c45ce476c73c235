#!/usr/bin/env bash
# awsaudit remediation plan for account 111122223333, collected 2026-06-01T12:00:00Z.
# Every command is commented out: read the step, uncomment the lines you approve
# (those starting with '# aws '), set the TODO variables, then run: bash awsaudit-remediation.sh
# Roll-back commands are marked '# rollback: ' and are never meant to run with the fix.
set -euo pipefail

# ============================================================================
# 1. arn:aws:iam::111122223333:root
#    account 111122223333, region eu-west-1, risk 30
#
# 1.1 iam.root_mfa (critical, administrator-equivalent (root)): The root user has no MFA
#   No CLI fix: root MFA is enrolled by the root user in the console
#
# 1.2 iam.password_policy_min_length (medium): Password minimum length: 8 (at least 14 required)
# --- 1.2.1 Set a strong account password policy
#   Changes: Replaces the whole password policy (settings not given are reset to their defaults).
#   What can break: Users must meet the new rules at their next password change; existing passwords stay valid.
# aws iam update-account-password-policy --minimum-password-length 14 --require-symbols --require-numbers --require-uppercase-characters --require-lowercase-characters --password-reuse-prevention 24 --allow-users-to-change-password
#   Verify: awsaudit scan --checks iam.password_policy_min_length
#   Roll back: Record the current policy first: aws iam get-account-password-policy.

# ============================================================================
# 2. arn:aws:s3:::public-assets`$(id)`
#    account 111122223333, region eu-west-1, risk 15
#
# 2.1 s3.bucket_public_access (critical, public): Bucket public-assets is public: ACL grants READ to AllUsers
# --- 2.1.1 Turn on Block Public Access for bucket public-assets`$(id)`
#   Changes: Public ACLs are ignored and public policies refused on the bucket.
#   What can break: Anonymous readers of the bucket (a website, public downloads) get AccessDenied.
# aws s3api put-public-access-block --bucket 'public-assets`$(id)`' --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
#   Verify: awsaudit scan --checks s3.bucket_public_access
# rollback: aws s3api delete-public-access-block --bucket 'public-assets`$(id)`'

# ============================================================================
# 3. arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0abc1234 (build-server <b>)
#    account 111122223333, region eu-west-1, risk 12
#
# 3.1 ec2.sg_admin_ports_ipv4 (high, reachable from the internet): Security group sg-0abc1234 admits the internet to port 22
# --- 3.1.1 Remove the rule(s) on sg-0abc1234: sg-0abc1234 ingress tcp/22 from 0.0.0.0/0
#   Changes: Security group sg-0abc1234 stops admitting the listed sources on the listed ports.
#   What can break: Anyone who connects through these rules today (administrators, partners, monitoring) is cut off; check the VPC flow logs for accepted traffic on the port before removing it.
# aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-0abc1234 --ip-permissions '[{"FromPort":22,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":22}]'
#   Verify: awsaudit scan --checks ec2.sg_admin_ports_ipv4 --regions eu-west-1
# rollback: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-0abc1234 --ip-permissions '[{"FromPort":22,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":22}]'
# --- 3.1.2 Re-admit only the trusted source on tcp/22
#   Changes: Adds one rule admitting the trusted range only.
#   What can break: Nothing beyond the previous step: it re-opens the port to the range you choose.
#   TODO TRUSTED_CIDR: Which source may still reach the port once the internet is shut out?
#     - your office or VPN egress range (e.g. 198.51.100.0/24)
#     - a bastion or SSM-only design: leave the variable for no new rule and skip this command
# TRUSTED_CIDR=''
# aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id sg-0abc1234 --protocol tcp --port 22 --cidr "${TRUSTED_CIDR:?set TRUSTED_CIDR first (see the TODO above)}"
#   Verify: awsaudit scan --checks ec2.sg_admin_ports_ipv4 --regions eu-west-1
# rollback: aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id sg-0abc1234 --protocol tcp --port 22 --cidr "${TRUSTED_CIDR:?set TRUSTED_CIDR first (see the TODO above)}"

# ============================================================================
# 4. arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0bad'; rm -rf / #�$(touch pwned)
#    account 111122223333, region eu-west-1, risk 4
#
# 4.1 ec2.sg_cifs_restricted (high): Security group admits the internet to port 445
# --- 4.1.1 Remove the rule(s) on sg-0bad'; rm -rf / #�$(touch pwned): sg-0bad'; rm -rf / # ingress tcp/445 from 0.0.0.0/0
#   Changes: Security group sg-0bad'; rm -rf / #�$(touch pwned) stops admitting the listed sources on the listed ports.
#   What can break: Anyone who connects through these rules today (administrators, partners, monitoring) is cut off; check the VPC flow logs for accepted traffic on the port before removing it.
# aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id $'sg-0bad\'; rm -rf / #\x0a$(touch pwned)' --ip-permissions '[{"FromPort":445,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":445}]'
#   Verify: awsaudit scan --checks ec2.sg_cifs_restricted --regions eu-west-1
# rollback: aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id $'sg-0bad\'; rm -rf / #\x0a$(touch pwned)' --ip-permissions '[{"FromPort":445,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0"}],"ToPort":445}]'
# --- 4.1.2 Re-admit only the trusted source on tcp/445
#   Changes: Adds one rule admitting the trusted range only.
#   What can break: Nothing beyond the previous step: it re-opens the port to the range you choose.
#   TODO TRUSTED_CIDR: Which source may still reach the port once the internet is shut out?
#     - your office or VPN egress range (e.g. 198.51.100.0/24)
#     - a bastion or SSM-only design: leave the variable for no new rule and skip this command
# TRUSTED_CIDR=''
# aws ec2 authorize-security-group-ingress --region eu-west-1 --group-id $'sg-0bad\'; rm -rf / #\x0a$(touch pwned)' --protocol tcp --port 445 --cidr "${TRUSTED_CIDR:?set TRUSTED_CIDR first (see the TODO above)}"
#   Verify: awsaudit scan --checks ec2.sg_cifs_restricted --regions eu-west-1
# rollback: aws ec2 revoke-security-group-ingress --region eu-west-1 --group-id $'sg-0bad\'; rm -rf / #\x0a$(touch pwned)' --protocol tcp --port 445 --cidr "${TRUSTED_CIDR:?set TRUSTED_CIDR first (see the TODO above)}"

# ============================================================================
# 5. arn:aws:iam::111122223333:user/alice
#    account 111122223333, region eu-west-1, risk 4
#
# 5.1 iam.console_user_mfa (high): alice has a console password without MFA
# --- 5.1.1 Remove the console password of alice until they enrol MFA
#   Changes: alice can no longer sign in to the console; API keys are unaffected.
#   What can break: alice loses console access until a password is set again with MFA enrolled.
# aws iam delete-login-profile --user-name alice
#   Verify: awsaudit scan --checks iam.console_user_mfa
#   Roll back: aws iam create-login-profile --user-name alice --password-reset-required --password <new>; better: have the user enrol an MFA device (console) and keep the password.

# ============================================================================
# 6. arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
#    account 111122223333, region eu-west-1, risk 3
#
# 6.1 kms.key_rotation (medium): Key 1234abcd-… does not rotate automatically
# --- 6.1.1 Rotate KMS key 1234abcd-12ab-34cd-56ef-1234567890ab yearly
#   Changes: KMS creates new key material every year; old material still decrypts.
#   What can break: Nothing.
# aws kms enable-key-rotation --region eu-west-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab
#   Verify: awsaudit scan --checks kms.key_rotation --regions eu-west-1
# rollback: aws kms disable-key-rotation --region eu-west-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab

echo "awsaudit remediation: done (only the commands you uncommented ran)"
