# Service and resource control policies kept as JSON files beside the
# Terraform that attaches them.
resource "aws_organizations_policy" "deny_regions" {
  name    = "deny-regions"
  content = file("${path.module}/deny-regions.json")
}

resource "aws_organizations_policy" "confused_deputy" {
  name    = "rcp-confused-deputy"
  type    = "RESOURCE_CONTROL_POLICY"
  content = templatefile("${path.module}/rcps/confused-deputy.json", { org_id = var.org_id })
}

resource "aws_organizations_policy_attachment" "root" {
  policy_id = aws_organizations_policy.deny_regions.id
  target_id = var.root_id
}
