# A managed service provider runs Zoom single sign-on for three customers: each has its own
# Entra ID tenant and its own Zoom account. One module (modules/customer) says what every
# customer gets; the root configures one provider per tenant and per account and passes each
# customer's pair to its module block.
#
# Tenant and account ids come from `customers` (in zentra.vars.hcl); an id left null comes
# from the environment (AZURE_TENANT_ID, ZOOM_ACCOUNT_ID). One multi-tenant app registration
# reaches every tenant (AZURE_CLIENT_ID, AZURE_CLIENT_SECRET); each Zoom account has its own
# Server-to-Server OAuth app (ZOOM_CLIENT_ID_CONTOSO, ZOOM_CLIENT_SECRET_CONTOSO, ...; unset,
# ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET).

variable "customers" {
  description = "Each customer's tenant, Zoom account and pilot sites (region key: display name)."
  type = map(object({
    display_name    = string
    entra_tenant_id = optional(string)
    zoom_account_id = optional(string)
    sites           = map(string)
  }))
  default = {
    contoso = {
      display_name = "Contoso"
      sites        = { emea = "EMEA", amer = "AMER" }
    }
    fabrikam = {
      display_name = "Fabrikam"
      sites        = { amer = "AMER" }
    }
    northwind = {
      display_name = "Northwind"
      sites        = { apac = "APAC", emea = "EMEA" }
    }
  }
}

locals {
  # An id left null is the environment's: one tenant and one account, e.g. the emulator's.
  entra_tenant_ids = {
    for key, c in var.customers :
    key => c.entra_tenant_id != null ? c.entra_tenant_id : env("AZURE_TENANT_ID")
  }
  zoom_account_ids = {
    for key, c in var.customers :
    key => c.zoom_account_id != null ? c.zoom_account_id : env("ZOOM_ACCOUNT_ID")
  }
}

provider "azuread" {
  alias     = "contoso"
  tenant_id = local.entra_tenant_ids["contoso"]
}

provider "azuread" {
  alias     = "fabrikam"
  tenant_id = local.entra_tenant_ids["fabrikam"]
}

provider "azuread" {
  alias     = "northwind"
  tenant_id = local.entra_tenant_ids["northwind"]
}

provider "zoom" {
  alias         = "contoso"
  account_id    = local.zoom_account_ids["contoso"]
  client_id     = env("ZOOM_CLIENT_ID_CONTOSO", env("ZOOM_CLIENT_ID", ""))
  client_secret = env("ZOOM_CLIENT_SECRET_CONTOSO", env("ZOOM_CLIENT_SECRET", ""))
}

provider "zoom" {
  alias         = "fabrikam"
  account_id    = local.zoom_account_ids["fabrikam"]
  client_id     = env("ZOOM_CLIENT_ID_FABRIKAM", env("ZOOM_CLIENT_ID", ""))
  client_secret = env("ZOOM_CLIENT_SECRET_FABRIKAM", env("ZOOM_CLIENT_SECRET", ""))
}

provider "zoom" {
  alias         = "northwind"
  account_id    = local.zoom_account_ids["northwind"]
  client_id     = env("ZOOM_CLIENT_ID_NORTHWIND", env("ZOOM_CLIENT_ID", ""))
  client_secret = env("ZOOM_CLIENT_SECRET_NORTHWIND", env("ZOOM_CLIENT_SECRET", ""))
}

# A module block's providers are fixed where it is written (as in Terraform), so each
# customer has its own block; what differs between customers is data.
module "contoso" {
  source       = "./modules/customer"
  display_name = var.customers["contoso"].display_name
  sites        = var.customers["contoso"].sites

  providers = {
    azuread = azuread.contoso
    zoom    = zoom.contoso
  }
}

module "fabrikam" {
  source       = "./modules/customer"
  display_name = var.customers["fabrikam"].display_name
  sites        = var.customers["fabrikam"].sites

  providers = {
    azuread = azuread.fabrikam
    zoom    = zoom.fabrikam
  }
}

module "northwind" {
  source       = "./modules/customer"
  display_name = var.customers["northwind"].display_name
  sites        = var.customers["northwind"].sites

  providers = {
    azuread = azuread.northwind
    zoom    = zoom.northwind
  }
}

output "pilot_groups" {
  description = "Every customer's pilot group ids, by site."
  value = {
    contoso   = module.contoso.pilot_group_ids
    fabrikam  = module.fabrikam.pilot_group_ids
    northwind = module.northwind.pilot_group_ids
  }
}
