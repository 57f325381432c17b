# "How Office 365 admin grant permission to all apps": users may consent, on their own behalf,
# to any application that asks for their calendar and contacts, Zoom included.
#
# Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential);
# `zentra sim --env-file sim.env` writes a set that points at the built-in emulator.

provider "azuread" {}

# Entra admin center > Enterprise applications > Consent and permissions > User consent
# settings > "Allow user consent for apps". Teams resource-specific consent is left as it is.
resource "azuread_user_consent_policy" "tenant" {
  user_consent = "all_apps"

  # Apps Microsoft flags as risky still need an administrator.
  allow_user_consent_for_risky_apps = false
}
