# Regional SSO pilot groups: one Zoom group per region with its settings and locks, from one
# map (for_each), numbered rollout waves (count), and a check that every pilot group has
# members, evaluated against live data after each plan and apply.
#
# Credentials come from the environment (ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET);
# `zentra sim --env-file sim.env` writes a set that points at the built-in emulator.

provider "zoom" {}

variable "regions" {
  type        = map(string)
  description = "Pilot groups by region key: the Zoom group's name."
  default = {
    emea = "SSO pilot EMEA"
    amer = "SSO pilot AMER"
    apac = "SSO pilot APAC"
  }
  validation {
    condition     = length(var.regions) > 0
    error_message = "Name at least one region."
  }
}

variable "waves" {
  type        = number
  description = "How many rollout waves follow the pilot."
  default     = 2
  nullable    = false
}

resource "zoom_group" "pilot" {
  for_each = var.regions
  name     = each.value
}

# Chat stays off in pilot meetings; the regions' admins may turn it on later: only the first
# apply sets it.
resource "zoom_group_settings" "pilot" {
  for_each = zoom_group.pilot
  group_id = each.value.id
  in_meeting {
    chat = false
  }
  meeting_security {
    waiting_room = true
  }
  lifecycle {
    ignore_changes = [in_meeting.chat]
  }
}

# The waiting room is locked on for every pilot group.
resource "zoom_group_lock_settings" "pilot" {
  for_each = zoom_group.pilot
  group_id = each.value.id
  meeting_security {
    waiting_room = true
  }
}

resource "zoom_group" "wave" {
  count = var.waves
  name  = "SSO rollout wave ${count.index + 1}"
}

check "pilots_have_members" {
  assert {
    condition     = length([for g in zoom_group.pilot : g if g.total_members == 0]) == 0
    error_message = "some pilot groups have no members yet: add them in the Zoom web portal or with zoom_group_members"
  }
}

output "pilot_group_ids" {
  value = { for key, group in zoom_group.pilot : key => group.id }
}
