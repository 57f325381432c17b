# Every Zoom step of "Integrating Office 365 calendar with SSO in Zoom", under code: what Zoom's
# API can manage as resources, and what only the web portal can do as manual steps, checked
# against API evidence where Zoom offers any. README.md maps each block to its step.
#
# Credentials come from ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET; `zentra sim
# --env-file sim.env` writes a set that points at the built-in emulator.

provider "zoom" {
  plan_tier = "business"
}

variable "sso_domain" {
  type        = string
  description = "The company's email domain, whose users sign in to Zoom with SSO."
  default     = "contoso.com"
}

variable "sso_bypass_user_ids" {
  type        = list(string)
  description = "Zoom user IDs that may still sign in with a password (a break-glass admin)."
  default     = ["KDcuGIm1QgePTO8WbOqwIQ"]
}

variable "calendar_admins" {
  type        = list(string)
  description = "Who sets up the calendar integration: they get the administrative privileges it needs."
  default     = ["breakglass@contoso.com", "adele.vance@contoso.com"]
}

variable "calendar_service_account" {
  type        = string
  description = "The Office 365 account the Zoom Rooms calendar service is added with: Zoom lists the service by this email."
  default     = "rooms.admin@contoso.com"
}

variable "pilot_group" {
  type        = string
  description = "The group that gets the Office 365 calendar prompt first."
  default     = "Office 365 calendar pilot"
}

variable "pilot_members" {
  type        = list(string)
  description = "Members of the pilot group, by email."
  default     = ["adele.vance@contoso.com", "alex.wilber@contoso.com", "lee.gu@contoso.com"]
}

# --- Prerequisites -------------------------------------------------------------------------

# "Ownership or administrative privileges of an account."
resource "zoom_role" "calendar_admins" {
  name        = "Office 365 calendar integration"
  description = "Sets up single sign-on and the Office 365 calendar and contacts integration."
  privileges = [
    "AccountSetting:Read",
    "AccountSetting:Edit",
    "Group:Read",
    "Group:Edit",
    "ZoomRooms:Read",
    "ZoomRooms:Edit",
    "CalendarIntegration:Edit",
  ]
  members = var.calendar_admins
}

# "With Zoom, SSO has been configured." The SAML settings have no API; the verified
# associated domain is the evidence Zoom's API gives.
data "zoom_managed_domains" "company" {}

resource "manual_step" "zoom_saml" {
  title        = "Configure single sign-on (SAML) for Zoom"
  instructions = <<-EOT
    Zoom web portal > Advanced > Single Sign-On: enter the identity provider's sign-in and
    sign-out URLs, certificate and issuer, and the vanity URL; under Account Management >
    Account Profile > Associated Domains, add and verify ${var.sso_domain}.
  EOT
  check = contains(data.zoom_managed_domains.company.verified, var.sso_domain)
}

# Users of the company's domain sign in with SSO; the break-glass admin may bypass it. Only
# authenticated users join meetings, and Zoom Rooms list meetings from the room calendars.
resource "zoom_account_settings" "sso" {
  security {
    signin_with_sso {
      enable                  = true
      require_sso_for_domains = true
      domains                 = [var.sso_domain]
      sso_bypass_user_ids     = var.sso_bypass_user_ids
    }
  }
  schedule_meeting {
    enforce_login = true
  }
  zoom_rooms {
    list_meetings_with_calendar = true
  }
}

# The lock icon: groups and users cannot turn these off.
resource "zoom_account_lock_settings" "sso" {
  schedule_meeting {
    enforce_login = true
  }
}

# --- Account level: the Office 365 calendar prompt and consent -----------------------------

# "Ask users to integrate Office 365 calendar when signing in with SSO credentials" has no
# field in Zoom's API.
resource "manual_step" "o365_prompt" {
  title        = "Ask users to integrate their Office 365 calendar when they sign in with SSO"
  instructions = <<-EOT
    Zoom web portal > Account Management > Account Settings > Meeting tab > Calendar and
    Contacts: turn on "Ask users to integrate Office 365 calendar when signing in with SSO
    credentials", choose "Show users the first time they sign in" (or "every time they sign in
    until they integrate"), confirm with Enable, then click the lock icon and Lock so it is
    mandatory for every group and user.
  EOT
}

# "Consent to Office 365 calendar integration" has no field in Zoom's API either.
resource "manual_step" "o365_consent" {
  title        = "Consent to the Office 365 calendar integration for the whole account"
  instructions = <<-EOT
    Zoom web portal > Account Management > Account Settings > Meeting tab > Calendar and
    Contacts: turn on "Consent to Office 365 calendar integration", so that an Office 365
    admin's consent covers every user of the account.
  EOT
}

# --- Group level: the pilot group, its settings and locks ----------------------------------

resource "zoom_group" "pilot" {
  name = var.pilot_group
}

resource "zoom_group_members" "pilot" {
  group_id = zoom_group.pilot.id
  emails   = var.pilot_members
}

# Pilot meetings wait for the host in a waiting room; members cannot loosen meeting
# authentication or the waiting room.
resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  schedule_meeting {
    join_before_host = false
  }
  meeting_security {
    waiting_room = true
  }
}

resource "zoom_group_lock_settings" "pilot" {
  group_id = zoom_group.pilot.id
  schedule_meeting {
    meeting_authentication = true
  }
  meeting_security {
    waiting_room = true
  }
}

resource "manual_step" "o365_prompt_pilot" {
  title        = "Make the Office 365 calendar prompt mandatory for ${var.pilot_group}"
  instructions = <<-EOT
    Zoom web portal > User Management > Groups > ${var.pilot_group} > Settings > Meeting tab >
    Calendar and Contacts: turn on "Ask users to integrate Office 365 calendar when signing in
    with SSO credentials" and click the lock icon, then Lock, so it is mandatory for all members
    of the group.
  EOT
}

# --- Zoom Rooms: the Office 365 calendar service and its room mailboxes --------------------

# "Office 365 admin to add the calendar service to Zoom": no API can add a calendar service,
# but Zoom lists the ones that exist, which is the evidence. Zoom lists a service by the email
# of the account it was added with (and its id), not by the kind of calendar.
data "zoom_rooms_calendar_services" "office365" {
  email = var.calendar_service_account
}

resource "manual_step" "calendar_service" {
  title        = "Add the Office 365 calendar service to Zoom Rooms"
  instructions = <<-EOT
    Zoom web portal > Room Management > Calendar Integration > Add a Calendar Service >
    Office 365: choose OAuth 2.0 (or EWS for an Office 365 hybrid environment whose Exchange
    server predates Exchange 2016 CU3, and enter the EWS URL), tick "I am the Office 365 admin
    and am consenting on behalf of the organization", then Authorize and sign in as
    ${var.calendar_service_account}.
  EOT
  check = length(data.zoom_rooms_calendar_services.office365.ids) > 0
}

resource "zoom_rooms_calendar_resource" "board_room" {
  service_id = data.zoom_rooms_calendar_services.office365.id
  email      = "board.room@${var.sso_domain}"
}

resource "zoom_rooms_calendar_resource" "huddle_room" {
  service_id = data.zoom_rooms_calendar_services.office365.id
  email      = "huddle.one@${var.sso_domain}"
}

# --- Users: the Office 365 admin approves the integration ---------------------------------

# "Office 365 admin to approve the calendar integration for the user": done per user in the
# user's profile, with no API.
resource "manual_step" "o365_admin_approval" {
  title        = "Approve the calendar and contacts integration as the Office 365 admin"
  instructions = <<-EOT
    Signed in to the Zoom web portal as the Office 365 admin: Profile > Other > Calendar and
    Contacts Integration > Configure Calendar and Contacts Service > Office 365 > Next; tick
    "I am the administrator and I am consenting on behalf of my organization", Authorize, and
    sign in with the Office 365 admin credentials. Users who see "It requires admin approval"
    are waiting for this step.
  EOT
}

output "verified_domains" {
  value = data.zoom_managed_domains.company.verified
}

output "pilot_group_id" {
  value = zoom_group.pilot.id
}
