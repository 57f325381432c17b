variable "x" {
  type = list(object({ a = optional(number, 3) }))
  default = [{}, { a = 1 }]
}
locals {
  y = [for i, v in var.x : v.a * i if i > 0]
  z = "${upper("a")}%{ for s in ["b"] }${s}%{ endfor }"
}
