resource "zoom_group" "g" {
  name = "unterminated
