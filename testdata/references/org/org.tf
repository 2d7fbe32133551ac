resource "aws_organizations_policy" "rcp" {
  name = "rcp"
  type = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Deny"
      Principal = "*"
      Action = "sts:AssumeRole"
      Resource = "*"
      Condition = { StringNotEqualsIfExists = { "aws:PrincipalOrgID" = "o-abc" } }
    }]
  })
}
resource "aws_organizations_policy" "scp" {
  name = "scp"
  content = data.aws_iam_policy_document.scp.json
}
data "aws_iam_policy_document" "scp" {
  statement {
    effect = "Deny"
    actions = ["ec2:*"]
    resources = ["*"]
    condition {
      test = "StringNotEquals"
      variable = "aws:RequestedRegion"
      values = ["eu-west-1"]
    }
  }
}
