# Statements a dynamic block writes, over a for_each the configuration
# gives and over one it does not; a list held by a local.
variable "extra_grants" {
  type = list(object({ actions = list(string), resources = list(string) }))
}

locals {
  read_actions = ["s3:GetObject", "s3:ListBucket"]
  queues = {
    orders   = "arn:aws:sqs:eu-west-1:111122223333:orders"
    invoices = "arn:aws:sqs:eu-west-1:111122223333:invoices"
  }
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "Reports"
    actions   = local.read_actions
    resources = ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]
  }

  dynamic "statement" {
    for_each = local.queues
    iterator = queue
    content {
      sid       = queue.key
      actions   = ["sqs:SendMessage"]
      resources = [queue.value]
    }
  }

  dynamic "statement" {
    for_each = var.extra_grants
    content {
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }
}

resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ecs-tasks.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_role_policy" "worker" {
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}
