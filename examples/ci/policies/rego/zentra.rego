# OPA/Rego policies over zentra's plan (`zentra plan --json`, Terraform's JSON plan format).
# `deny` holds one message per violation; an empty set passes.
package zentra.plan

import rego.v1

# Zoom sign-in with SSO must not be turned off.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "zoom_account_settings"
	some security in rc.change.after.security
	some sso in security.signin_with_sso
	sso.enable == false
	msg := sprintf("%s: sign-in with SSO must stay enabled", [rc.address])
}

# Users must not consent to every app on their own.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "azuread_user_consent_policy"
	rc.change.after.user_consent == "all_apps"
	msg := sprintf("%s: users may not consent to all apps", [rc.address])
}

# The Zoom app's service principal is never deleted or replaced by a plan.
deny contains msg if {
	some rc in input.resource_changes
	rc.type == "azuread_service_principal"
	"delete" in rc.change.actions
	msg := sprintf("%s: a plan must not delete a service principal", [rc.address])
}
