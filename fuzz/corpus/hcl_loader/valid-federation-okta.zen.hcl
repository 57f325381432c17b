# "Azure Active Directory is federated with IDP and connected to it — learn how to do this with
# Okta": users of contoso.com sign in to Office 365 (and so to the Zoom calendar integration)
# at Okta.
#
# Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential);
# `zentra sim --env-file sim.env` writes a set that points at the built-in emulator.

provider "azuread" {}

variable "federated_domain" {
  type        = string
  description = "The verified custom domain whose users sign in at Okta (not the default domain)."
  default     = "contoso.com"
}

# The domain as Entra ID sees it: after apply, authentication_type reads "Federated".
data "azuread_domain" "company" {
  name = var.federated_domain
}

# Okta: Applications > Microsoft Office 365 (or a SAML 2.0 app) > Sign On > Identity Provider
# metadata. zentra reads the issuer, sign-in and sign-out URLs and the signing certificate from
# it, and clears the settings it does not give (a previous identity provider's included); when
# Okta publishes a new certificate, download the metadata again and apply.
resource "azuread_domain_federation" "okta" {
  domain_id    = data.azuread_domain.company.name
  display_name = "Okta"
  metadata_xml = file("okta-metadata.xml")

  # Okta's MFA counts as MFA in Entra ID (no second prompt).
  federated_idp_mfa_behavior = "acceptIfMfaDoneByFederatedIdp"
  prompt_login_behavior      = "nativeSupport"
}

output "signing_certificate_expires" {
  value = azuread_domain_federation.okta.signing_certificate_info.not_after
}
