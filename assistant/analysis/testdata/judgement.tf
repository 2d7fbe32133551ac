# In the style of terraform-aws-modules: a user that manages its own keys,
# a worker reading the secrets of its region.
data "aws_iam_policy_document" "self_service" {
  statement {
    sid       = "ManageOwnAccessKeys"
    actions   = ["iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"]
    resources = ["arn:aws:iam::*:user/$${aws:username}"]
  }
}

resource "aws_iam_policy" "self_service" {
  name   = "self-service"
  policy = data.aws_iam_policy_document.self_service.json
}

resource "aws_iam_role_policy" "worker" {
  name = "worker"
  role = "worker"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        Resource = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:*"
      },
      {
        Effect   = "Allow"
        Action   = "secretsmanager:BatchGetSecretValue"
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = "dynamodb:PutItem"
        Resource = "arn:aws:dynamodb:eu-west-1:111122223333:orders"
      }
    ]
  })
}
