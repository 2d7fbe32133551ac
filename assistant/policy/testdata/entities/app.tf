data "aws_iam_policy" "admin" {
  name = "AdministratorAccess"
}

resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = data.aws_iam_policy_document.trust.json
  managed_policy_arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  inline_policy {
    name   = "logs"
    policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "logs:PutLogEvents", Resource = "*" }] })
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "run" {
  role   = aws_iam_role.app.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" }] })
}

resource "aws_iam_policy" "pass" {
  name   = "pass"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })
}

resource "aws_iam_role_policy_attachment" "pass" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.pass.arn
}

resource "aws_iam_role_policy_attachment" "admin" {
  role       = "legacy"
  policy_arn = data.aws_iam_policy.admin.arn
}

resource "aws_iam_user" "bob" {
  name = "bob"
}

resource "aws_iam_group" "devs" {
  name = "devs"
}

resource "aws_iam_user_group_membership" "bob" {
  user   = aws_iam_user.bob.name
  groups = [aws_iam_group.devs.name]
}

resource "aws_iam_policy_attachment" "devs" {
  name       = "devs"
  groups     = [aws_iam_group.devs.name]
  users      = ["carol"]
  policy_arn = var.devs_policy_arn
}
