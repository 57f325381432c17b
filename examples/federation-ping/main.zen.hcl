# "Azure Active Directory is federated with IDP and connected to it — learn how to do this with
# Ping": users of contoso.com sign in to Office 365 (and so to the Zoom calendar integration)
# at PingFederate, over WS-Federation.
#
# Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential);
# `zentra sim --env-file sim.env` writes a set that points at the built-in emulator.

provider "azuread" {}

# PingFederate: System > Protocol Metadata > Metadata Export. The document describes both a
# SAML 2.0 and a WS-Federation role, so the protocol is chosen here; everything else comes from
# the metadata.
resource "azuread_domain_federation" "ping" {
  domain_id    = "contoso.com"
  display_name = "PingFederate"
  metadata_xml = file("ping-metadata.xml")

  preferred_authentication_protocol = "wsFed"

  # PingFederate's WS-Trust endpoint for rich clients (not in the metadata).
  active_sign_in_uri    = "https://sso.contoso-sample.example/idp/sts.wst"
  metadata_exchange_uri = "https://sso.contoso-sample.example/pf/sts_mex.ping?PartnerSpId=urn:federation:MicrosoftOnline"

  # Require MFA at PingFederate, and pass "sign in again" requests on as they are.
  federated_idp_mfa_behavior = "enforceMfaByFederatedIdp"
  prompt_login_behavior      = "nativeSupport"
}
