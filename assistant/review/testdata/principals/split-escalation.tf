# Two inline policies on one user: neither escalates alone, together they do.
resource "aws_iam_user" "dev" {
  name = "dev"
}

resource "aws_iam_user_policy" "launch" {
  name = "launch"
  user = aws_iam_user.dev.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ec2:RunInstances", Resource = "*" }]
  })
}

resource "aws_iam_policy" "pass" {
  name = "pass-roles"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:PassRole", Resource = "*" }]
  })
}

resource "aws_iam_user_policy_attachment" "pass" {
  user       = aws_iam_user.dev.name
  policy_arn = aws_iam_policy.pass.arn
}
