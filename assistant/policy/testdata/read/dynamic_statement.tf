# Statements written by dynamic blocks and lists held by locals.
variable "grants" {}

locals {
  read = ["s3:GetObject", "s3:ListBucket"]
  queues = {
    orders = "arn:aws:sqs:us-east-1:111122223333:orders"
  }
}

data "aws_iam_policy_document" "app" {
  statement {
    sid       = "Read"
    actions   = local.read
    resources = ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"]
  }

  dynamic "statement" {
    for_each = toset(["sqs", "sns"])
    content {
      actions   = ["${statement.value}:Get*"]
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = local.queues
    iterator = q
    content {
      sid       = q.key
      actions   = ["sqs:SendMessage"]
      resources = [q.value]
    }
  }

  dynamic "statement" {
    for_each = var.grants
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_policy" "app" {
  policy = data.aws_iam_policy_document.app.json
}
