# One site's SSO pilot group in the customer's Zoom account, with the waiting room on.

variable "name" {
  type        = string
  description = "The Zoom group's name."
}

resource "zoom_group" "pilot" {
  name = var.name
}

resource "zoom_group_settings" "pilot" {
  group_id = zoom_group.pilot.id
  meeting_security {
    waiting_room = true
  }
}

output "group_id" {
  value = zoom_group.pilot.id
}
