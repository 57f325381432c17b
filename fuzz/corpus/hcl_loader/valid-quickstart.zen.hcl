# Quickstart: single sign-on for Zoom, and the Entra ID consent that lets Zoom read users'
# Office 365 calendars and contacts.
#
# Credentials come from the environment (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET,
# AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET); `zentra sim --env-file sim.env` writes
# a set that points at the built-in emulator.

provider "zoom" {}
provider "azuread" {}

variable "sso_domains" {
  type        = list(string)
  description = "Email domains whose users must sign in to Zoom with SSO."
  default     = ["contoso.com"]
}

variable "zoom_app_id" {
  type        = string
  description = "Application (client) ID of the Zoom app, as listed under Enterprise applications."
  default     = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

locals {
  microsoft_graph_app_id = "00000003-0000-0000-c000-000000000000"
}

# Zoom web portal: Account Management > Account Settings > Security > "Allow users to sign in
# with single sign-on (SSO)", required for the company's domains.
resource "zoom_account_settings" "sso" {
  security {
    signin_with_sso {
      enable                  = true
      require_sso_for_domains = true
      domains                 = var.sso_domains
    }
  }

  # Meeting tab: "Only authenticated users can join meetings".
  schedule_meeting {
    enforce_login = true
  }
}

# The lock icon next to the setting: groups and users cannot turn it off.
resource "zoom_account_lock_settings" "sso" {
  schedule_meeting {
    enforce_login = true
  }
}

# Azure portal: Enterprise applications > Consent and permissions > User consent settings >
# "Do not allow user consent". Admins consent on the organisation's behalf instead.
resource "azuread_user_consent_policy" "tenant" {
  user_consent = "disabled"
}

# The Zoom app in the tenant (adopted if it is already there).
resource "azuread_service_principal" "zoom" {
  app_id = var.zoom_app_id
}

# Enterprise applications > Zoom > Permissions > "Grant admin consent": the delegated Microsoft
# Graph permissions a calendar and contacts integration needs, for all users.
resource "azuread_delegated_permission_grant" "zoom_calendar" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = local.microsoft_graph_app_id
  scopes = [
    "openid",
    "profile",
    "email",
    "offline_access",
    "User.Read",
    "Calendars.ReadWrite",
    "Contacts.Read",
  ]
}

output "zoom_service_principal" {
  value = azuread_service_principal.zoom.object_id
}
