# "How Office 365 admin grant permission to the Zoom apps only": users may not consent to apps
# themselves; an administrator consents once, for everybody, to what Zoom needs; users who hit
# "Need admin approval" for another app can ask for it through the admin consent workflow.
#
# Credentials come from the environment (AZURE_TENANT_ID, AZURE_CLIENT_ID and a credential);
# `zentra sim --env-file sim.env` writes a set that points at the built-in emulator.

provider "azuread" {}

variable "zoom_app_id" {
  type        = string
  description = "Application (client) ID of the Zoom app, as listed under Enterprise applications."
  default     = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

variable "consent_reviewers" {
  type        = list(string)
  description = "Directory roles whose holders approve admin consent requests."
  default     = ["Cloud Application Administrator"]
}

data "azuread_well_known_applications" "ids" {}

# Enterprise applications > Consent and permissions > User consent settings >
# "Do not allow user consent". Teams resource-specific consent is left as it is.
resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "disabled"
  allow_user_consent_for_risky_apps = false
}

# Enterprise applications > Zoom: the Zoom app in the tenant (adopted if it is already there),
# listed under Enterprise applications.
resource "azuread_service_principal" "zoom" {
  app_id = var.zoom_app_id

  feature_tags {
    enterprise = true
  }
}

# Enterprise applications > Zoom > Security > Permissions > "Grant admin consent for Contoso":
# the delegated Microsoft Graph permissions the calendar and contacts integration uses, for all
# users.
resource "azuread_delegated_permission_grant" "zoom_calendar_contacts" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = data.azuread_well_known_applications.ids.microsoft_graph
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

# Consent and permissions > Admin consent settings: "Users can request admin consent to apps
# they are unable to consent to".
resource "azuread_admin_consent_request_policy" "workflow" {
  enabled               = true
  notify_reviewers      = true
  reminders_enabled     = true
  request_duration_days = 14
  reviewer_roles        = var.consent_reviewers
}

output "zoom_service_principal" {
  value = azuread_service_principal.zoom.object_id
}
