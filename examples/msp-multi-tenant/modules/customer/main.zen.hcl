# What every customer gets: the Zoom app as an enterprise application of its tenant, user
# consent turned off, and one SSO pilot group per site in its Zoom account (modules/site, with
# for_each). The providers are the customer's, passed in by the module block; the site module
# inherits them.

variable "display_name" {
  type        = string
  description = "The customer's name, as its users know it."
}

variable "sites" {
  type        = map(string)
  description = "Pilot sites: region key to the region's display name."
  validation {
    condition     = length(var.sites) > 0
    error_message = "Give the customer at least one pilot site."
  }
}

variable "zoom_app_id" {
  type        = string
  description = "Application (client) ID of the Zoom app in Entra ID."
  default     = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}

# Enterprise applications > Consent and permissions > User consent settings.
resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "disabled"
  allow_user_consent_for_risky_apps = false
}

# Enterprise applications > Zoom (adopted when it is already there).
resource "azuread_service_principal" "zoom" {
  app_id = var.zoom_app_id

  feature_tags {
    enterprise = true
  }
}

module "site" {
  source   = "../site"
  for_each = var.sites
  name     = "${var.display_name} SSO pilot ${each.value}"
}

output "pilot_group_ids" {
  value = { for key, site in module.site : key => site.group_id }
}

output "zoom_service_principal" {
  value = azuread_service_principal.zoom.object_id
}
